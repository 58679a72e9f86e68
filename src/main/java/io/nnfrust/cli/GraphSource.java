package io.nnfrust.cli;

import io.nnfrust.graph.GraphFileReader;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.Locale;

/** A graph to analyse: an imported network (zoo: or .onnx) or a signed graph file (edge list, .mtx). */
record GraphSource(SignedGraph graph, Network network, String sha256, String kind) {
    static GraphSource load(String spec, ImportOptions options, String format) {
        String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
        boolean onnx = switch (f) {
            case "onnx" -> true;
            case "edges", "mtx" -> false;
            case "auto" ->
                spec.startsWith("zoo:") || spec.toLowerCase(Locale.ROOT).endsWith(".onnx");
            default -> throw new NnfrustException("unknown --format '" + format + "' (use auto, onnx, edges or mtx)");
        };
        if (onnx) {
            Network net = ModelLoader.load(spec, options);
            return new GraphSource(net.graph(), net, net.sha256(), "network");
        }
        Path p = Path.of(spec);
        GraphFileReader.Loaded g = GraphFileReader.read(p);
        return new GraphSource(g.graph(), null, ModelLoader.sha256(ModelLoader.readFile(p)), "graph-file");
    }
}
