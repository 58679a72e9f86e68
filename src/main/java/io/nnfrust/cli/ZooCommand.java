package io.nnfrust.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.zoo.Zoo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust zoo list|export}. */
@Command(
        name = "zoo",
        mixinStandardHelpOptions = true,
        description = "Built-in architectures of the paper.",
        subcommands = {ZooCommand.ListCommand.class, ZooCommand.ExportZoo.class})
public final class ZooCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the zoo architectures.")
    static final class ListCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            for (Zoo.Entry e : Zoo.entries()) {
                System.out.printf("%-16s input %dx%d  %s%n", e.name(), e.inputSize(), e.inputSize(), e.description());
            }
            System.out.println(
                    "\nWeights are random, not trained: He normal (default) or Xavier uniform, from a seed.");
            System.out.println("Use as zoo:NAME[?seed=S&init=he|xavier] (shufflenet also groups=G&width=W).");
            return 0;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write a zoo architecture with its seeded random weights as an ONNX file.")
    static final class ExportZoo implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "Zoo name, optionally with ?seed=..&init=..")
        String name;

        @Parameters(index = "1", paramLabel = "FILE.onnx", description = "Output file (written atomically).")
        Path file;

        @Option(names = "--input-size", arity = "2", paramLabel = "N", description = "Input height and width.")
        int[] inputSize;

        @Override
        public Integer call() {
            Zoo.Spec s = Zoo.parse(name);
            int h = 0, w = 0;
            if (inputSize != null) {
                h = inputSize[0];
                w = inputSize[1];
                if (h <= 0 || w <= 0) {
                    throw new NnfrustException("--input-size needs two positive numbers");
                }
            }
            OutputSet outs = new OutputSet().file("FILE.onnx", file);
            ModelProto proto = Zoo.build(s, h, w);
            outs.stage(file, proto::writeTo);
            outs.commit();
            System.out.println("wrote " + file + " (" + s.canonical() + "; random "
                    + s.init().label() + " weights, seed " + s.seed() + ", not trained)");
            return 0;
        }
    }
}
