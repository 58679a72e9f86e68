package io.nnfrust.cli;

import io.nnfrust.graph.CsrMatrix;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust export-mtx MODEL FILE.mtx}: the explicit adjacency matrix of a small graph. */
@Command(
        name = "export-mtx",
        mixinStandardHelpOptions = true,
        description = "Write A in Matrix Market coordinate form (row = target, column = source); small graphs only.")
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1", paramLabel = "FILE.mtx")
    Path file;

    @Mixin
    ModelOptions modelOptions;

    @Option(
            names = "--max-edges",
            defaultValue = "200000000",
            description = "Refuse graphs with more edges (default ${DEFAULT-VALUE}).")
    long maxEdges;

    @Override
    public Integer call() {
        OutputSet outs = new OutputSet().file("FILE.mtx", file);
        Network net = ModelLoader.load(model, modelOptions.toImportOptions());
        long e = net.graph().edgeCount();
        if (e > maxEdges) {
            throw new NnfrustException(
                    model + " has " + e + " edges, more than --max-edges " + maxEdges + "; use a smaller --input-size");
        }
        CsrMatrix csr = CsrMatrix.of(net.graph());
        outs.stage(file, out -> csr.writeMatrixMarket(new OutputStreamWriter(out, StandardCharsets.US_ASCII)));
        outs.commit();
        System.out.println("wrote " + file + ": " + csr.n + " nodes, " + csr.entryCount() + " edges");
        return 0;
    }
}
