package io.nnfrust.cli;

import com.sun.management.OperatingSystemMXBean;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import io.nnfrust.util.Version;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code nnfrust <command> ...}. User errors print one line and exit with code 2. */
@Command(
        name = "nnfrust",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Frustration and near-monotonicity of deep neural networks as signed graphs.",
        subcommands = {
            InfoCommand.class,
            FrustrationCommand.class,
            ClassifyCommand.class,
            ExperimentCommand.class,
            ReproduceCommand.class,
            ReportCommand.class,
            MergeCommand.class,
            TrackCommand.class,
            BoundCommand.class,
            CertifyCommand.class,
            ZooCommand.class,
            ExportCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
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
            return new String[] {"nnfrust " + Version.describe()};
        }
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpAutoWidth(true);
        cl.setExecutionStrategy(parsed -> {
            Provenance.begin(parsed.originalArgs());
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof NnfrustException) {
                line.getErr().println("nnfrust: error: " + ex.getMessage());
                return 2;
            }
            OutOfMemoryError oom = outOfMemory(ex);
            if (oom != null) {
                line.getErr().println(outOfMemoryLine(oom));
                return 3;
            }
            throw ex;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr()
                    .println("nnfrust: error: " + ex.getMessage() + " (see '"
                            + c.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        return cl;
    }

    /** The out-of-memory error anywhere in the cause chain of {@code t} (parallel streams and pools wrap it). */
    static OutOfMemoryError outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError e) {
                return e;
            }
            for (Throwable s : c.getSuppressed()) {
                if (s instanceof OutOfMemoryError e) {
                    return e;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** The one line printed for an out-of-memory error, with the heap in use and the way out. */
    static String outOfMemoryLine(OutOfMemoryError e) {
        long max = Runtime.getRuntime().maxMemory();
        return String.format(
                Locale.ROOT,
                "nnfrust: error: out of memory (%s) with a maximum heap of %.1f GiB;"
                        + " raise it with NNFRUST_JAVA_OPTS=-Xmx%dg (this machine has %s), or use a smaller --input-size",
                e.getMessage() == null ? "heap" : e.getMessage(),
                max / 1073741824.0,
                Math.max(2, 2 * (int) Math.ceil(max / 1073741824.0)),
                physicalMemory());
    }

    private static String physicalMemory() {
        try {
            var os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof OperatingSystemMXBean sun) {
                return String.format(Locale.ROOT, "%.0f GiB", sun.getTotalMemorySize() / 1073741824.0);
            }
        } catch (RuntimeException | LinkageError ignored) {
            // unknown
        }
        return "an unknown amount of memory";
    }

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println(outOfMemoryLine(e));
            code = 3;
        } catch (RuntimeException e) {
            OutOfMemoryError oom = outOfMemory(e);
            if (oom == null) {
                throw e;
            }
            System.err.println(outOfMemoryLine(oom));
            code = 3;
        }
        System.exit(code);
    }
}
