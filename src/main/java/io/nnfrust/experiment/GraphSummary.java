package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.Network;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The size of a network's signed graph as in Table 1 of the paper (SI section C): nodes of the adjacency matrix A,
 * edges (entries of A) and learnable parameters, with Σ|A|, the per-layer rows and how the model was imported
 * ({@code nnfrust info --json}, the graph stage of {@code nnfrust reproduce}).
 */
public final class GraphSummary {
    private GraphSummary() {}

    /**
     * Imports {@code model} ({@code zoo:NAME} or an .onnx file) and times the import.
     *
     * @param model   the model as a user names it
     * @param options how the model becomes a signed graph
     */
    public static Result of(String model, ImportOptions options) {
        if (model == null || model.isBlank()) {
            throw new NnfrustException("model must name zoo:NAME or an .onnx file");
        }
        if (options == null) {
            throw new NnfrustException("importOptions must not be null");
        }
        long t0 = System.nanoTime();
        Network net = ModelLoader.load(model, options);
        return new Result(net, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The summary of one imported network.
     *
     * @param network       the network and its signed graph
     * @param importSeconds how long the import took (provenance only)
     */
    public record Result(Network network, double importSeconds) {
        public Result {
            if (network == null) {
                throw new NnfrustException("network must not be null");
            }
        }

        /**
         * The JSON object: totals, the per-layer rows, the provenance of the command now running
         * ({@link Provenance#current()}) with the model's identity, and the import report.
         */
        public ObjectNode toJson(ObjectMapper m) {
            Network net = network;
            var g = net.graph();
            ObjectNode o = m.createObjectNode();
            o.put("model", net.name());
            o.put("source", net.source());
            o.put("sha256", net.sha256());
            o.put("nodes", g.nodeCount());
            o.put("edges", g.edgeCount());
            o.put("params", net.parameters());
            o.put("absWeightSum", g.absWeightSum());
            o.put("edgesPerNode", (double) g.edgeCount() / g.nodeCount());
            o.put("edgesPerParam", net.parameters() == 0 ? 0 : (double) g.edgeCount() / net.parameters());
            o.put("nodeSets", g.nodeSets().size());
            o.put("edgeBlocks", g.blocks().size());
            o.put("input", net.inputName());
            o.put("output", net.outputName());
            o.put("inputNodes", net.inputNodes().length);
            o.put("outputNodes", net.outputNodes().length);
            ArrayNode layers = o.putArray("layers");
            for (LayerInfo l : net.layers()) {
                ObjectNode r = layers.addObject();
                r.put("name", l.name());
                r.put("operator", l.operator());
                r.put("shape", l.shape());
                r.put("nodes", l.nodes());
                r.put("edges", l.edges());
                r.put("params", l.params());
                r.put("absWeightSum", l.absWeight());
            }
            ObjectNode prov = Provenance.current().toJson(m);
            prov.set("model", ModelIdentity.toJson(m, net));
            o.set("provenance", prov);
            var rep = net.report();
            ObjectNode imp = o.putObject("import");
            imp.put("opset", rep.opset());
            imp.put("producer", rep.producer());
            imp.put("foldedConstantNodes", rep.foldedNodes());
            imp.put("batchNormsFolded", rep.batchNormsFolded());
            imp.put("batchNormsOnNodes", rep.batchNormsOnNodes());
            imp.put("copies", rep.copies());
            prov.put("importSeconds", importSeconds);
            return o;
        }

        /** The JSON file's text: the object indented, and a final newline. */
        public String toJsonText() {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            try {
                return m.writeValueAsString(toJson(m)) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes {@link #toJsonText()} to {@code output} atomically. */
        public void write(Path output) {
            String text = toJsonText();
            AtomicFiles.write(output, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
