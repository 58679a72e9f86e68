package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.GraphSummary;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.Network;
import io.nnfrust.util.OutputSet;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust info MODEL}: the per-layer table and the Table 1 totals of a network's signed graph. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Per-layer table and totals (nodes, edges, parameters, sum |A|) of a model's signed graph.")
public final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "An .onnx file or zoo:NAME (see 'nnfrust zoo list').")
    String model;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of the table.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the JSON object to FILE (atomically).")
    Path output;

    @Override
    public Integer call() throws Exception {
        OutputSet outs = new OutputSet().file("--output", output);
        long t0 = System.nanoTime();
        Network net = ModelLoader.load(model, modelOptions.toImportOptions());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (output != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            String text = m.writeValueAsString(toJson(m, net, seconds)) + "\n";
            outs.stage(output, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
            outs.commit();
        }
        if (json) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            System.out.println(m.writeValueAsString(toJson(m, net, seconds)));
        } else if (output == null) {
            print(System.out, net, seconds);
        }
        return 0;
    }

    /** The JSON object of {@code info --json}: {@link GraphSummary.Result#toJson}. */
    static ObjectNode toJson(ObjectMapper m, Network net, double seconds) {
        return new GraphSummary.Result(net, seconds).toJson(m);
    }

    static void print(PrintStream out, Network net, double seconds) {
        var g = net.graph();
        out.printf(Locale.ROOT, "%s  (%s, imported in %.2f s)%n", net.name(), net.source(), seconds);
        out.printf(Locale.ROOT, "weights: %s; sha256 %s%n", ModelIdentity.weights(net), net.sha256());
        out.printf(
                Locale.ROOT,
                "%-44s %-18s %-14s %12s %15s %12s%n",
                "layer",
                "operator",
                "shape",
                "nodes",
                "in-edges",
                "params");
        for (LayerInfo l : net.layers()) {
            String name =
                    l.name().length() > 44 ? "…" + l.name().substring(l.name().length() - 43) : l.name();
            out.printf(
                    Locale.ROOT,
                    "%-44s %-18s %-14s %,12d %,15d %,12d%n",
                    name,
                    l.operator(),
                    l.shape(),
                    l.nodes(),
                    l.edges(),
                    l.params());
        }
        long n = g.nodeCount(), e = g.edgeCount(), p = net.parameters();
        out.printf(Locale.ROOT, "%nnodes            %,d  (%.3g x 10^6)%n", n, n / 1e6);
        out.printf(Locale.ROOT, "edges            %,d  (%.3g x 10^9)%n", e, e / 1e9);
        out.printf(Locale.ROOT, "parameters       %,d  (%.3g x 10^6)%n", p, p / 1e6);
        out.printf(Locale.ROOT, "edges/nodes      %.1f%n", (double) e / n);
        out.printf(Locale.ROOT, "edges/params     %.1f%n", p == 0 ? 0.0 : (double) e / p);
        out.printf(Locale.ROOT, "sum |A|          %.6g%n", g.absWeightSum());
        out.printf(
                Locale.ROOT,
                "node sets %d, edge blocks %d, add convention %s%n",
                g.nodeSets().size(),
                g.blocks().size(),
                net.options().add().name().toLowerCase());
        var r = net.report();
        out.printf(
                Locale.ROOT,
                "import: opset %d%s, %d constant nodes folded, batchnorm %s (%d folded into weights, "
                        + "%d on nodes)%s%n",
                r.opset(),
                r.producer().isEmpty() ? "" : ", producer " + r.producer(),
                r.foldedNodes(),
                net.options().batchNorm().name().toLowerCase(),
                r.batchNormsFolded(),
                r.batchNormsOnNodes(),
                r.copies() == 0 ? "" : ", " + r.copies() + " copied activations");
    }
}
