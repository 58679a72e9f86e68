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

    // The keys of the JSON (Result.toJson, nnfrust info --json): the output schema, which the report reads. The
    // keys of the provenance and model identity: Provenance, ModelIdentity.
    public static final String MODEL = "model";
    public static final String SOURCE = "source";
    public static final String SHA256 = "sha256";
    public static final String NODES = "nodes";
    public static final String EDGES = "edges";
    public static final String PARAMS = "params";
    public static final String ABS_WEIGHT_SUM = "absWeightSum";
    public static final String EDGES_PER_NODE = "edgesPerNode";
    public static final String EDGES_PER_PARAM = "edgesPerParam";
    public static final String NODE_SETS = "nodeSets";
    public static final String EDGE_BLOCKS = "edgeBlocks";
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    public static final String INPUT_NODES = "inputNodes";
    public static final String OUTPUT_NODES = "outputNodes";
    public static final String LAYERS = "layers";
    // one row of LAYERS (NODES, EDGES, PARAMS and ABS_WEIGHT_SUM as well)
    public static final String NAME = "name";
    public static final String OPERATOR = "operator";
    public static final String SHAPE = "shape";
    // the import report (IMPORT); IMPORT_SECONDS is in the provenance
    public static final String IMPORT = "import";
    public static final String OPSET = "opset";
    public static final String PRODUCER = "producer";
    public static final String FOLDED_CONSTANT_NODES = "foldedConstantNodes";
    public static final String BATCH_NORMS_FOLDED = "batchNormsFolded";
    public static final String BATCH_NORMS_ON_NODES = "batchNormsOnNodes";
    public static final String COPIES = "copies";
    public static final String IMPORT_SECONDS = "importSeconds";

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
            o.put(MODEL, net.name());
            o.put(SOURCE, net.source());
            o.put(SHA256, net.sha256());
            o.put(NODES, g.nodeCount());
            o.put(EDGES, g.edgeCount());
            o.put(PARAMS, net.parameters());
            o.put(ABS_WEIGHT_SUM, g.absWeightSum());
            o.put(EDGES_PER_NODE, (double) g.edgeCount() / g.nodeCount());
            o.put(EDGES_PER_PARAM, net.parameters() == 0 ? 0 : (double) g.edgeCount() / net.parameters());
            o.put(NODE_SETS, g.nodeSets().size());
            o.put(EDGE_BLOCKS, g.blocks().size());
            o.put(INPUT, net.inputName());
            o.put(OUTPUT, net.outputName());
            o.put(INPUT_NODES, net.inputNodes().length);
            o.put(OUTPUT_NODES, net.outputNodes().length);
            ArrayNode layers = o.putArray(LAYERS);
            for (LayerInfo l : net.layers()) {
                ObjectNode r = layers.addObject();
                r.put(NAME, l.name());
                r.put(OPERATOR, l.operator());
                r.put(SHAPE, l.shape());
                r.put(NODES, l.nodes());
                r.put(EDGES, l.edges());
                r.put(PARAMS, l.params());
                r.put(ABS_WEIGHT_SUM, l.absWeight());
            }
            ObjectNode prov = Provenance.current().toJson(m);
            prov.set(ModelIdentity.MODEL, ModelIdentity.toJson(m, net));
            o.set(Provenance.PROVENANCE, prov);
            var rep = net.report();
            ObjectNode imp = o.putObject(IMPORT);
            imp.put(OPSET, rep.opset());
            imp.put(PRODUCER, rep.producer());
            imp.put(FOLDED_CONSTANT_NODES, rep.foldedNodes());
            imp.put(BATCH_NORMS_FOLDED, rep.batchNormsFolded());
            imp.put(BATCH_NORMS_ON_NODES, rep.batchNormsOnNodes());
            imp.put(COPIES, rep.copies());
            prov.put(IMPORT_SECONDS, importSeconds);
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
