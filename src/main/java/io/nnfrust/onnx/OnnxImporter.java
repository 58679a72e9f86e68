package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.ImportReport;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an ONNX model into the signed graph of the paper (SI D). Walks the nodes in graph order (topological,
 * as ONNX requires): a node whose inputs are all constants is evaluated by the {@link ConstantFolder}; any
 * other node goes to the {@link OperatorConverter} registered for its operator and opset in
 * {@link OperatorRegistry}, which makes node sets and edge blocks (weight layers, pooling), maps onto existing
 * nodes (node-wise operators) or re-indexes them (views). Anything else is refused with one line naming the
 * operator or construct, the node and the way out. See docs/conventions.md. O(nodes + parameters).
 */
public final class OnnxImporter {
    private final ModelProto model;
    private final ImportContext ctx;
    private final OperatorRegistry registry = OperatorRegistry.standard();

    private OnnxImporter(ModelProto model, ImportOptions options) {
        this.model = model;
        this.ctx = new ImportContext(options);
    }

    /** Operators that become graph structure (converted), for documentation and messages. */
    public static Set<String> supportedOperators() {
        return new TreeSet<>(OperatorRegistry.standard().operators());
    }

    /** Operators evaluated on constant inputs at import time. */
    public static Set<String> foldableOperators() {
        return new TreeSet<>(ConstantFolder.operators());
    }

    /**
     * Imports {@code model} as the network {@code name} from {@code origin}; throws {@link NnfrustException} with a
     * one-line message (naming the origin's source) on any problem.
     */
    public static Network importModel(ModelProto model, String name, ModelOrigin origin, ImportOptions options) {
        return new OnnxImporter(model, options).run(name, origin);
    }

    /**
     * Imports a model built or parsed in memory ({@link ModelOrigin.InMemory}: {@code source} and {@code sha256} as
     * the caller describes it).
     */
    public static Network importModel(
            ModelProto model, String name, String source, String sha256, ImportOptions options) {
        return importModel(model, name, new ModelOrigin.InMemory(source, sha256), options);
    }

    private Network run(String name, ModelOrigin origin) {
        String source = origin.source();
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new NnfrustException(source + ": not an ONNX model (no graph or no nodes)");
        }
        for (var imp : model.getOpsetImportList()) {
            if (imp.getDomain().isEmpty() || imp.getDomain().equals("ai.onnx")) {
                ctx.opset = (int) imp.getVersion();
            }
        }
        GraphProto g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            ctx.initializers.put(t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    ctx.useCount.merge(in, 1, Integer::sum);
                }
            }
        }
        for (ValueInfoProto out : g.getOutputList()) {
            ctx.useCount.merge(out.getName(), 1, Integer::sum);
        }
        Value input = createInput(g, source);
        for (int i = 0; i < g.getNodeCount(); i++) {
            process(g.getNode(i), i);
        }
        if (g.getOutputCount() == 0) {
            throw new NnfrustException(source + ": the ONNX graph declares no output");
        }
        String outName = g.getOutput(0).getName();
        Value out = ctx.values.get(outName);
        if (out == null) {
            throw new NnfrustException(source + ": graph output '" + outName + "' is not computed from the input"
                    + (ctx.isConstant(outName) ? " (it is a constant)" : ""));
        }
        if (out.pads != null) {
            throw new NnfrustException(source + ": graph output '" + outName + "' is a padded tensor");
        }
        String logits = outName;
        Value v = out;
        while (v.parent != null
                && ("Softmax".equals(v.producer) || "Dropout".equals(v.producer) || "Identity".equals(v.producer))) {
            v = v.parent;
            logits = v.tensor;
        }
        SignedGraph graph = new SignedGraph(ctx.sets, ctx.blocks);
        String producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        ImportReport report = new ImportReport(
                ctx.opset, producer, ctx.foldedNodes, ctx.batchNormsFolded, ctx.batchNormsOnNodes, ctx.copies);
        return new Network(
                name,
                origin,
                graph,
                List.copyOf(ctx.rows),
                ctx.parameters,
                input.tensor,
                input.shape.clone(),
                ImportContext.elementMap(input),
                logits,
                ImportContext.elementMap(out),
                ctx.options,
                List.copyOf(ctx.probes),
                List.copyOf(ctx.bindings),
                report);
    }

    // ---------------------------------------------------------------- input

    private Value createInput(GraphProto g, String source) {
        List<ValueInfoProto> real = new ArrayList<>();
        for (ValueInfoProto in : g.getInputList()) {
            if (!ctx.initializers.containsKey(in.getName())) {
                real.add(in);
            }
        }
        if (real.size() != 1) {
            throw new NnfrustException(
                    source + ": expected exactly one graph input besides the initializers, found " + real.size());
        }
        ValueInfoProto in = real.get(0);
        if (!in.getType().hasTensorType()) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' is not a tensor");
        }
        int elem = in.getType().getTensorType().getElemType();
        if (elem != TensorProto.DataType.FLOAT_VALUE
                && elem != TensorProto.DataType.FLOAT16_VALUE
                && elem != TensorProto.DataType.DOUBLE_VALUE) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' has element type "
                    + OnnxTensors.typeName(elem) + "; expected a floating-point image or vector");
        }
        TensorShapeProto shapeProto = in.getType().getTensorType().getShape();
        int rank = shapeProto.getDimCount();
        if (rank < 2) {
            throw new NnfrustException(
                    source + ": input '" + in.getName() + "' has rank " + rank + "; expected [N, C, H, W] or [N, F]");
        }
        int[] shape = new int[rank];
        StringBuilder shown = new StringBuilder();
        boolean dynamic = false;
        for (int d = 0; d < rank; d++) {
            TensorShapeProto.Dimension dim = shapeProto.getDim(d);
            long v = dim.hasDimValue() ? dim.getDimValue() : -1;
            shown.append(d == 0 ? "" : ",")
                    .append(
                            v > 0
                                    ? Long.toString(v)
                                    : dim.hasDimParam() && !dim.getDimParam().isEmpty() ? dim.getDimParam() : "?");
            if (d == 0) {
                if (v > 1) {
                    throw new NnfrustException(source + ": input '" + in.getName() + "' has fixed batch size " + v
                            + "; nnfrust needs batch 1 or a dynamic batch");
                }
                shape[0] = 1;
            } else if (v > Integer.MAX_VALUE) {
                throw new NnfrustException(
                        source + ": input '" + in.getName() + "' has dimension " + v + ", too large");
            } else if (v > 0) {
                shape[d] = (int) v;
            } else {
                dynamic = true;
            }
        }
        if (ctx.options.overridesInput()) {
            if (rank != 4) {
                throw new NnfrustException(source + ": --input-size applies to image inputs [N,C,H,W]; input '"
                        + in.getName() + "' is [" + shown + "]");
            }
            shape[2] = ctx.options.inputHeight();
            shape[3] = ctx.options.inputWidth();
            dynamic = shape[1] <= 0;
        }
        if (dynamic) {
            throw new NnfrustException(
                    source + ": input '" + in.getName() + "' has dynamic shape [" + shown + "]; pass --input-size H W");
        }
        long elements = ImportContext.product(shape, 0, rank);
        if (elements > ImportContext.MAX_NODES) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' has " + elements
                    + " elements, too many nodes; use a smaller --input-size");
        }
        int c = shape[1];
        int h = rank == 4 ? shape[2] : 1;
        int w = rank == 4 ? shape[3] : 1;
        if (rank != 4) {
            c = (int) ImportContext.product(shape, 1, rank);
        }
        NodeSet set = ctx.newSet("input", "Input", c, h, w);
        ctx.rows.add(new LayerInfo(in.getName(), "Input", c + "x" + h + "x" + w, set.size(), 0, 0, 0));
        Value v = new Value(in.getName(), shape, set.offset(), null);
        v.set = set;
        ctx.values.put(in.getName(), v);
        return v;
    }

    // ---------------------------------------------------------------- dispatch

    private void process(NodeProto proto, int index) {
        String op = proto.getOpType();
        String label = !proto.getName().isEmpty()
                ? proto.getName()
                : proto.getOutputCount() > 0 && !proto.getOutput(0).isEmpty() ? proto.getOutput(0) : "#" + index;
        String where = op + " node '" + label + "'";
        ImportContext.Op n = new ImportContext.Op(proto, label, where);
        if (!proto.getDomain().isEmpty() && !proto.getDomain().equals("ai.onnx")) {
            throw new NnfrustException(where + ": operator '" + proto.getDomain() + "." + op + "' of a custom domain "
                    + "is not supported; export with standard ONNX operators only");
        }
        if (proto.getOutputCount() == 0 || proto.getOutput(0).isEmpty()) {
            throw new NnfrustException(where + ": has no output");
        }
        boolean allConstant = true;
        for (String in : proto.getInputList()) {
            if (in.isEmpty()) {
                continue;
            }
            boolean isValue = ctx.values.containsKey(in);
            if (!isValue && !ctx.isConstant(in)) {
                throw new NnfrustException(where + ": input '" + in + "' is not produced by an earlier node "
                        + "(graph not topologically sorted, or a missing initializer)");
            }
            allConstant &= !isValue;
        }
        for (String out : proto.getOutputList()) {
            if (!out.isEmpty()) {
                ctx.producers.put(out, proto);
            }
        }
        boolean shapeOfActivation = (op.equals("Shape") || op.equals("Size")) && proto.getInputCount() == 1;
        if (allConstant || shapeOfActivation) {
            foldConstant(n, op, shapeOfActivation && !allConstant);
            return;
        }
        OperatorConverter conv = ctx.opset > 0 ? registry.find(op, ctx.opset) : null;
        if (conv == null) {
            String why = registry.refusal(op);
            if (why != null) {
                throw new NnfrustException(where + ": " + why + ", outside the paper's model; " + Arithmetic.WAY_OUT);
            }
            throw new NnfrustException(where + ": unsupported operator '" + op + "' on an activation; supported: "
                    + String.join(", ", registry.operators()) + " (docs/conventions.md)");
        }
        for (int i = 0; i < proto.getInputCount(); i++) {
            Value v = ctx.values.get(proto.getInput(i));
            if (v != null
                    && v.pads != null
                    && !(i == 0
                            && (op.equals("Conv")
                                    || op.equals("MaxPool")
                                    || op.equals("AveragePool")
                                    || op.equals("Pad")))) {
                throw new NnfrustException(where + ": reads the output of a Pad; nnfrust supports Pad only directly "
                        + "before Conv, MaxPool or AveragePool");
            }
        }
        Value result = conv.convert(n, ctx);
        ctx.values.put(n.output(), result);
    }

    private void foldConstant(ImportContext.Op n, String op, boolean ofActivation) {
        NodeProto proto = n.proto();
        if (!ConstantFolder.canFold(op)) {
            throw new NnfrustException(n.where() + ": all its inputs are constants, and nnfrust cannot evaluate '" + op
                    + "' at import time; constant operators: " + String.join(", ", ConstantFolder.operators()));
        }
        if (ofActivation) {
            Value v = ctx.values.get(proto.getInput(0));
            int[] s = v.shape.clone();
            if (v.pads != null) {
                s[2] += v.pads[0] + v.pads[2];
                s[3] += v.pads[1] + v.pads[3];
            }
            ctx.consts.put(n.output(), ConstantFolder.shapeOrSize(proto, s));
            ctx.foldedNodes++;
            return;
        }
        ConstTensor[] in = new ConstTensor[proto.getInputCount()];
        for (int i = 0; i < in.length; i++) {
            String name = proto.getInput(i);
            if (!name.isEmpty()) {
                in[i] = ctx.constant(name);
            }
        }
        ConstTensor[] out = ConstantFolder.fold(proto, in, n.where());
        for (int k = 0; k < out.length && k < proto.getOutputCount(); k++) {
            if (!proto.getOutput(k).isEmpty()) {
                ctx.consts.put(proto.getOutput(k), out[k]);
            }
        }
        ctx.foldedNodes++;
    }
}
