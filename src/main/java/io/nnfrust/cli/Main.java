package io.nnfrust.cli;

import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code nnfrust <command> ...}. User errors print one line and exit with code 2. */
@Command(name = "nnfrust", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Frustration and near-monotonicity of deep neural networks as signed graphs.",
        subcommands = {InfoCommand.class, FrustrationCommand.class, ClassifyCommand.class, ExperimentCommand.class, ZooCommand.class, ExportCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nnfrust " + Version.get()};
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof NnfrustException) {
                line.getErr().println("nnfrust: error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("nnfrust: error: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName()
                    + " --help')");
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("nnfrust: error: out of memory (" + e.getMessage()
                    + "); raise the heap with NNFRUST_JAVA_OPTS=-Xmx...");
            code = 3;
        }
        System.exit(code);
    }
}
