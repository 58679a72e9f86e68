package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns an ONNX model into the signed graph of the paper (SI D). Node sets are created, in graph order, for
 * the input and for the output of every Conv, Gemm/MatMul and pooling node (and of residual Adds that do not
 * merge, see {@link AddConvention}); node-wise operators map onto their input's nodes; Concat, Flatten,
 * Reshape and Transpose only re-index existing nodes. Anything else is refused with one line naming the
 * operator and node. See docs/conventions.md.
 */
public final class OnnxImporter {
    /** Operators that create edges or nodes, map onto nodes, or re-index them. */
    public static final Set<String> SUPPORTED = new TreeSet<>(List.of("Conv", "Gemm", "MatMul", "MaxPool",
            "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Relu", "Clip", "LeakyRelu", "BatchNormalization",
            "LRN", "Dropout", "Softmax", "Identity", "Flatten", "Reshape", "Transpose", "Concat", "Add", "Pad",
            "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Cast"));
    private static final Set<String> NODE_WISE = Set.of("Relu", "Clip", "LeakyRelu", "BatchNormalization", "LRN",
            "Dropout", "Softmax", "Identity");
    private static final long MAX_NODES = Integer.MAX_VALUE - 8;

    /** Constant integer or float tensor known at import time (shape plumbing, Constant nodes). */
    private record Const(int[] dims, long[] ints, TensorProto tensor) {
    }

    /** Where the elements of an activation tensor live. */
    private static final class Value {
        final String tensor;
        final int[] shape;
        final int offset;
        final int[] map;
        int[] pads;
        NodeSet set;
        boolean weightProduced;
        Value parent;
        String producer;

        Value(String tensor, int[] shape, int offset, int[] map) {
            this.tensor = tensor;
            this.shape = shape;
            this.offset = offset;
            this.map = map;
        }

        int node(int element) {
            return map == null ? offset + element : map[element];
        }

        long elements() {
            return product(shape, 0, shape.length);
        }
    }

    private final ModelProto model;
    private final ImportOptions options;
    private final Map<String, TensorProto> weights = new HashMap<>();
    private final Map<String, Const> consts = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Integer> useCount = new HashMap<>();
    private final List<NodeSet> sets = new ArrayList<>();
    private final List<EdgeBlock> blocks = new ArrayList<>();
    private final List<LayerInfo> rows = new ArrayList<>();
    private final List<io.nnfrust.model.StateProbe> probes = new ArrayList<>();
    private final List<io.nnfrust.model.WeightBinding> bindings = new ArrayList<>();
    private final Map<Integer, Integer> rowOfSet = new HashMap<>();
    private long nextNode;
    private long parameters;
    private int opset = 13;

    private OnnxImporter(ModelProto model, ImportOptions options) {
        this.model = model;
        this.options = options;
    }

    /** Imports {@code model}; throws {@link NnfrustException} with a one-line message on any problem. */
    public static Network importModel(ModelProto model, String name, String source, String sha256,
                                      ImportOptions options) {
        return new OnnxImporter(model, options).run(name, source, sha256);
    }

    private Network run(String name, String source, String sha256) {
        if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new NnfrustException(source + ": not an ONNX model (no graph or no nodes)");
        }
        for (var imp : model.getOpsetImportList()) {
            if (imp.getDomain().isEmpty() || imp.getDomain().equals("ai.onnx")) {
                opset = (int) imp.getVersion();
            }
        }
        GraphProto g = model.getGraph();
        for (TensorProto t : g.getInitializerList()) {
            weights.put(t.getName(), t);
        }
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    useCount.merge(in, 1, Integer::sum);
                }
            }
        }
        for (ValueInfoProto out : g.getOutputList()) {
            useCount.merge(out.getName(), 1, Integer::sum);
        }
        Value input = createInput(g, source);
        for (int i = 0; i < g.getNodeCount(); i++) {
            process(g.getNode(i), i);
        }
        if (g.getOutputCount() == 0) {
            throw new NnfrustException(source + ": the ONNX graph declares no output");
        }
        String outName = g.getOutput(0).getName();
        Value out = values.get(outName);
        if (out == null) {
            throw new NnfrustException(source + ": graph output '" + outName + "' is not computed from the input");
        }
        if (out.pads != null) {
            throw new NnfrustException(source + ": graph output '" + outName + "' is a padded tensor");
        }
        String logits = outName;
        Value v = out;
        while ("Softmax".equals(v.producer) || "Dropout".equals(v.producer) || "Identity".equals(v.producer)) {
            v = v.parent;
            logits = v.tensor;
        }
        SignedGraph graph = new SignedGraph(sets, blocks);
        return new Network(name, source, sha256, graph, List.copyOf(rows), parameters, input.tensor,
                input.shape.clone(), elementMap(input), logits, elementMap(out), options,
                List.copyOf(probes), List.copyOf(bindings));
    }

    // ---------------------------------------------------------------- input

    private Value createInput(GraphProto g, String source) {
        List<ValueInfoProto> real = new ArrayList<>();
        for (ValueInfoProto in : g.getInputList()) {
            if (!weights.containsKey(in.getName())) {
                real.add(in);
            }
        }
        if (real.size() != 1) {
            throw new NnfrustException(source + ": expected exactly one graph input besides the initializers, found "
                    + real.size());
        }
        ValueInfoProto in = real.get(0);
        if (!in.getType().hasTensorType()) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' is not a tensor");
        }
        int elem = in.getType().getTensorType().getElemType();
        if (elem != TensorProto.DataType.FLOAT_VALUE && elem != TensorProto.DataType.FLOAT16_VALUE
                && elem != TensorProto.DataType.DOUBLE_VALUE) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' has element type "
                    + OnnxTensors.typeName(elem) + "; expected a floating-point image or vector");
        }
        TensorShapeProto shapeProto = in.getType().getTensorType().getShape();
        int rank = shapeProto.getDimCount();
        if (rank < 2) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' has rank " + rank
                    + "; expected [N, C, H, W] or [N, F]");
        }
        int[] shape = new int[rank];
        StringBuilder shown = new StringBuilder();
        boolean dynamic = false;
        for (int d = 0; d < rank; d++) {
            TensorShapeProto.Dimension dim = shapeProto.getDim(d);
            long v = dim.hasDimValue() ? dim.getDimValue() : -1;
            shown.append(d == 0 ? "" : ",").append(v > 0 ? Long.toString(v)
                    : dim.hasDimParam() && !dim.getDimParam().isEmpty() ? dim.getDimParam() : "?");
            if (d == 0) {
                if (v > 1) {
                    throw new NnfrustException(source + ": input '" + in.getName() + "' has fixed batch size " + v
                            + "; nnfrust needs batch 1 or a dynamic batch");
                }
                shape[0] = 1;
            } else if (v > 0) {
                shape[d] = (int) v;
            } else {
                dynamic = true;
            }
        }
        if (options.overridesInput()) {
            if (rank != 4) {
                throw new NnfrustException(source + ": --input-size applies to image inputs [N,C,H,W]; input '"
                        + in.getName() + "' is [" + shown + "]");
            }
            shape[2] = options.inputHeight();
            shape[3] = options.inputWidth();
            dynamic = shape[1] <= 0;
        }
        if (dynamic) {
            throw new NnfrustException(source + ": input '" + in.getName() + "' has dynamic shape [" + shown
                    + "]; pass --input-size H W");
        }
        int c = shape[1];
        int h = rank == 4 ? shape[2] : 1;
        int w = rank == 4 ? shape[3] : (int) product(shape, 2, rank);
        if (rank != 4) {
            c = (int) product(shape, 1, rank);
            w = 1;
        }
        NodeSet set = newSet("input", "Input", c, h, w);
        rows.add(new LayerInfo(in.getName(), "Input", c + "x" + h + "x" + w, set.size(), 0, 0, 0));
        Value v = new Value(in.getName(), shape, set.offset(), null);
        v.set = set;
        values.put(in.getName(), v);
        return v;
    }

    private NodeSet newSet(String name, String op, int c, int h, int w) {
        long size = (long) c * h * w;
        if (nextNode + size > MAX_NODES) {
            throw new NnfrustException("graph too large: more than " + MAX_NODES + " nodes at layer '" + name + "'");
        }
        NodeSet s = new NodeSet(sets.size(), name, op, (int) nextNode, c, h, w);
        sets.add(s);
        nextNode += size;
        return s;
    }

    private Value setValue(String tensor, int[] shape, NodeSet set, String producer) {
        Value v = new Value(tensor, shape, set.offset(), null);
        v.set = set;
        v.weightProduced = true;
        v.producer = producer;
        return v;
    }

    private static Value alias(Value v, String tensor, int[] shape, String producer) {
        Value a = new Value(tensor, shape, v.offset, v.map);
        a.set = v.set;
        a.weightProduced = v.weightProduced;
        a.parent = v;
        a.producer = producer;
        a.pads = v.pads;
        return a;
    }

    // ---------------------------------------------------------------- dispatch

    private void process(NodeProto n, int index) {
        String op = n.getOpType();
        String label = n.getName().isEmpty() ? (n.getOutputCount() > 0 ? n.getOutput(0) : "#" + index) : n.getName();
        String where = op + " node '" + label + "'";
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            throw new NnfrustException("unsupported operator '" + n.getDomain() + "." + op + "' at node '" + label
                    + "'; supported: " + String.join(", ", SUPPORTED));
        }
        if (!SUPPORTED.contains(op)) {
            throw new NnfrustException("unsupported operator '" + op + "' at node '" + label + "'; supported: "
                    + String.join(", ", SUPPORTED));
        }
        for (String in : n.getInputList()) {
            if (!in.isEmpty() && !values.containsKey(in) && !weights.containsKey(in) && !consts.containsKey(in)) {
                throw new NnfrustException(where + ": input '" + in
                        + "' is not produced by an earlier node (graph not topologically sorted, or missing initializer)");
            }
        }
        if (tryFoldConstant(n, op, where)) {
            return;
        }
        for (int i = 0; i < n.getInputCount(); i++) {
            Value v = values.get(n.getInput(i));
            if (v != null && v.pads != null && !(i == 0 && (op.equals("Conv") || op.equals("MaxPool")
                    || op.equals("AveragePool")))) {
                throw new NnfrustException(where + ": reads the output of a Pad; nnfrust supports Pad only directly "
                        + "before Conv, MaxPool or AveragePool");
            }
        }
        String out = n.getOutput(0);
        Value result = switch (op) {
            case "Conv" -> conv(n, label, where);
            case "MaxPool", "AveragePool" -> pool(n, label, where, op.equals("MaxPool"));
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(n, label, where, op.equals("GlobalMaxPool"));
            case "Gemm" -> gemm(n, label, where);
            case "MatMul" -> matMul(n, label, where);
            case "Add" -> add(n, label, where);
            case "Concat" -> concat(n, where);
            case "Flatten" -> flatten(n, where);
            case "Reshape" -> reshape(n, where);
            case "Transpose" -> transpose(n, where);
            case "Squeeze", "Unsqueeze" -> squeeze(n, where, op.equals("Unsqueeze"));
            case "Pad" -> pad(n, where);
            case "Shape", "Gather", "Cast", "Constant" -> throw new NnfrustException(where
                    + ": only supported on constant shape tensors (got an activation input)");
            default -> nodeWise(n, op, where);
        };
        values.put(out, result);
    }

    private Value activation(NodeProto n, int i, String where) {
        Value v = values.get(n.getInput(i));
        if (v == null) {
            throw new NnfrustException(where + ": input " + i + " ('" + n.getInput(i)
                    + "') must be an activation tensor computed from the network input");
        }
        return v;
    }

    private float[] weight(String name, String where) {
        TensorProto t = weights.get(name);
        if (t == null) {
            Const c = consts.get(name);
            if (c != null && c.tensor != null) {
                t = c.tensor;
            }
        }
        if (t == null) {
            throw new NnfrustException(where + ": '" + name + "' must be a constant weight (initializer)");
        }
        return OnnxTensors.floats(t);
    }

    private int[] weightDims(String name) {
        TensorProto t = weights.get(name);
        if (t == null && consts.containsKey(name)) {
            return consts.get(name).dims.clone();
        }
        return OnnxTensors.dims(t);
    }

    private boolean isConstant(String name) {
        return weights.containsKey(name) || consts.containsKey(name);
    }

    // ---------------------------------------------------------------- attributes

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    private static long intAttr(NodeProto n, String name, long dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getI();
    }

    private static float floatAttr(NodeProto n, String name, float dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getF();
    }

    private static String stringAttr(NodeProto n, String name, String dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    private static int[] intsAttr(NodeProto n, String name, int[] dflt) {
        AttributeProto a = attr(n, name);
        if (a == null) {
            return dflt;
        }
        int[] r = new int[a.getIntsCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.toIntExact(a.getInts(i));
        }
        return r;
    }

    // ---------------------------------------------------------------- planes

    /** Layout of an activation as [C, H, W] planes; rank 4 for images, anything else as [F, 1, 1]. */
    private PlaneLayout planes(Value v, String where, boolean needImage) {
        int rank = v.shape.length;
        int c, h, w;
        if (rank == 4) {
            c = v.shape[1];
            h = v.shape[2];
            w = v.shape[3];
        } else {
            if (needImage) {
                throw new NnfrustException(where + ": expects an image tensor [N,C,H,W], got " + shapeText(v.shape));
            }
            c = (int) v.elements();
            h = 1;
            w = 1;
        }
        if (v.map == null) {
            return PlaneLayout.contiguous(v.offset, c, h, w);
        }
        int plane = h * w;
        int[] base = new int[c];
        boolean ok = true;
        for (int ch = 0; ch < c && ok; ch++) {
            base[ch] = v.map[ch * plane];
            for (int i = 1; i < plane; i++) {
                if (v.map[ch * plane + i] != base[ch] + i) {
                    ok = false;
                    break;
                }
            }
        }
        if (ok) {
            return new PlaneLayout(c, h, w, base);
        }
        if (needImage) {
            throw new NnfrustException(where + ": its input's channel planes are not contiguous in the graph "
                    + "(a Transpose/Reshape that moves spatial positions is not supported before a convolution)");
        }
        return new PlaneLayout(c * h * w, 1, 1, v.map.clone());
    }

    private static int[] elementMap(Value v) {
        int n = (int) v.elements();
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            m[i] = v.node(i);
        }
        return m;
    }

    // ---------------------------------------------------------------- weight layers

    private Value conv(NodeProto n, String label, String where) {
        Value x = activation(n, 0, where);
        if (n.getInputCount() < 2 || !isConstant(n.getInput(1))) {
            throw new NnfrustException(where + ": the kernel (input 1) must be a constant initializer");
        }
        int[] wd = weightDims(n.getInput(1));
        if (wd.length != 4) {
            throw new NnfrustException(where + ": only 2-D convolutions are supported (kernel rank " + wd.length + ")");
        }
        if (x.shape.length != 4) {
            throw new NnfrustException(where + ": expects an image tensor [N,C,H,W], got " + shapeText(x.shape));
        }
        int groups = (int) intAttr(n, "group", 1);
        int cin = x.shape[1], hin = x.shape[2], win = x.shape[3];
        int cout = wd[0];
        if (groups <= 0 || cin != wd[1] * groups || cout % groups != 0) {
            throw new NnfrustException(where + ": input has " + cin + " channels but kernel " + shapeText(wd)
                    + " with group=" + groups + " expects " + (wd[1] * groups));
        }
        int[] kernel = intsAttr(n, "kernel_shape", new int[] {wd[2], wd[3]});
        if (kernel.length != 2 || kernel[0] != wd[2] || kernel[1] != wd[3]) {
            throw new NnfrustException(where + ": kernel_shape " + Arrays.toString(kernel) + " does not match kernel "
                    + shapeText(wd));
        }
        int[] geo = windowPads(n, x, kernel, where);
        int[] strides = intsAttr(n, "strides", new int[] {1, 1});
        int[] dil = intsAttr(n, "dilations", new int[] {1, 1});
        int oh = WindowGeometry.outputSize(hin, kernel[0], strides[0], dil[0], geo[0], geo[2], false);
        int ow = WindowGeometry.outputSize(win, kernel[1], strides[1], dil[1], geo[1], geo[3], false);
        if (oh <= 0 || ow <= 0) {
            throw new NnfrustException(where + ": output would be empty (input " + hin + "x" + win + " too small)");
        }
        WindowGeometry g = new WindowGeometry(hin, win, oh, ow, kernel[0], kernel[1], strides[0], strides[1],
                dil[0], dil[1], geo[0], geo[1]);
        PlaneLayout in = planes(x, where, true);
        float[] k = weight(n.getInput(1), where);
        long bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty() ? weight(n.getInput(2), where).length : 0;
        NodeSet set = newSet(label, "Conv", cout, oh, ow);
        ConvolutionBlock b = new ConvolutionBlock(label, in, set.offset(), cout, groups, g, k);
        bindings.add(new io.nnfrust.model.WeightBinding(blocks.size(), n.getInput(1), false, 1f,
                bias > 0 ? n.getInput(2) : null));
        addBlockRow(b, set, "Conv", k.length + bias);
        return setValue(n.getOutput(0), new int[] {1, cout, oh, ow}, set, "Conv");
    }

    /** Pads {top, left, bottom, right} from pads/auto_pad plus any pending Pad. */
    private int[] windowPads(NodeProto n, Value x, int[] kernel, String where) {
        int[] strides = intsAttr(n, "strides", new int[] {1, 1});
        int[] dil = intsAttr(n, "dilations", new int[] {1, 1});
        if (strides.length != 2 || dil.length != 2) {
            throw new NnfrustException(where + ": strides/dilations must have 2 values");
        }
        String autoPad = stringAttr(n, "auto_pad", "NOTSET");
        int[] pads = intsAttr(n, "pads", new int[] {0, 0, 0, 0});
        if (pads.length != 4) {
            throw new NnfrustException(where + ": pads must have 4 values for a 2-D window");
        }
        int[] r = {pads[0], pads[1], pads[2], pads[3]};
        switch (autoPad) {
            case "NOTSET" -> {
            }
            case "VALID" -> r = new int[4];
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int d = 0; d < 2; d++) {
                    int in = x.shape[2 + d];
                    int out = (in + strides[d] - 1) / strides[d];
                    int total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - in);
                    int small = total / 2, large = total - small;
                    r[d] = autoPad.equals("SAME_UPPER") ? small : large;
                    r[d + 2] = autoPad.equals("SAME_UPPER") ? large : small;
                }
            }
            default -> throw new NnfrustException(where + ": unknown auto_pad '" + autoPad + "'");
        }
        if (x.pads != null) {
            for (int i = 0; i < 4; i++) {
                r[i] += x.pads[i];
            }
        }
        for (int p : r) {
            if (p < 0) {
                throw new NnfrustException(where + ": negative padding is not supported");
            }
        }
        return r;
    }

    private Value pool(NodeProto n, String label, String where, boolean max) {
        Value x = activation(n, 0, where);
        if (x.shape.length != 4) {
            throw new NnfrustException(where + ": expects an image tensor [N,C,H,W], got " + shapeText(x.shape));
        }
        int[] kernel = intsAttr(n, "kernel_shape", null);
        if (kernel == null || kernel.length != 2) {
            throw new NnfrustException(where + ": needs a 2-D kernel_shape");
        }
        int[] geo = windowPads(n, x, kernel, where);
        int[] strides = intsAttr(n, "strides", new int[] {1, 1});
        int[] dil = intsAttr(n, "dilations", new int[] {1, 1});
        boolean ceil = intAttr(n, "ceil_mode", 0) != 0;
        int c = x.shape[1], hin = x.shape[2], win = x.shape[3];
        int oh = WindowGeometry.outputSize(hin, kernel[0], strides[0], dil[0], geo[0], geo[2], ceil);
        int ow = WindowGeometry.outputSize(win, kernel[1], strides[1], dil[1], geo[1], geo[3], ceil);
        if (oh <= 0 || ow <= 0) {
            throw new NnfrustException(where + ": output would be empty (input " + hin + "x" + win + " too small)");
        }
        WindowGeometry g = new WindowGeometry(hin, win, oh, ow, kernel[0], kernel[1], strides[0], strides[1],
                dil[0], dil[1], geo[0], geo[1]);
        return poolBlock(n, label, x, g, max, where);
    }

    private Value poolBlock(NodeProto n, String label, Value x, WindowGeometry g, boolean max, String where) {
        PlaneLayout in = planes(x, where, true);
        int c = x.shape[1];
        NodeSet set = newSet(label, n.getOpType(), c, g.outHeight, g.outWidth);
        PoolingBlock b = new PoolingBlock(label, in, set.offset(), g,
                options.poolWeight().weight(g.kernelHeight, g.kernelWidth), max);
        addBlockRow(b, set, n.getOpType(), 0);
        if (max) {
            Value src = x;
            while (src.pads != null) { // Pad folded into the pooling: the unpadded tensor holds the nodes
                src = src.parent;
            }
            probes.add(new io.nnfrust.model.StateProbe(io.nnfrust.model.StateProbe.Kind.POOL_INPUT, src.tensor,
                    blocks.size() - 1, src.offset, src.map, (int) src.elements()));
        }
        Value v = setValue(n.getOutput(0), new int[] {1, c, g.outHeight, g.outWidth}, set, n.getOpType());
        v.weightProduced = false;
        return v;
    }

    private Value globalPool(NodeProto n, String label, String where, boolean max) {
        Value x = activation(n, 0, where);
        if (x.shape.length != 4) {
            throw new NnfrustException(where + ": expects an image tensor [N,C,H,W], got " + shapeText(x.shape));
        }
        int h = x.shape[2], w = x.shape[3];
        WindowGeometry g = new WindowGeometry(h, w, 1, 1, h, w, 1, 1, 1, 1, 0, 0);
        return poolBlock(n, label, x, g, max, where);
    }

    private void addBlockRow(EdgeBlock b, NodeSet set, String op, long params) {
        blocks.add(b);
        parameters += params;
        rowOfSet.put(set.index(), rows.size());
        rows.add(new LayerInfo(b.name(), op, set.channels() + "x" + set.height() + "x" + set.width(),
                set.size(), b.edgeCount(), params, b.absWeightSum()));
    }

    private void addParamsToRow(Value v, long extra) {
        parameters += extra;
        Integer r = v.set == null ? null : rowOfSet.get(v.set.index());
        int idx = r == null ? rows.size() - 1 : r;
        rows.set(idx, rows.get(idx).withParams(extra));
    }

    private Value gemm(NodeProto n, String label, String where) {
        float alpha = floatAttr(n, "alpha", 1f);
        float beta = floatAttr(n, "beta", 1f);
        boolean transA = intAttr(n, "transA", 0) != 0;
        boolean transB = intAttr(n, "transB", 0) != 0;
        boolean aConst = isConstant(n.getInput(0)), bConst = isConstant(n.getInput(1));
        if (aConst == bConst) {
            throw new NnfrustException(where + ": exactly one of A and B must be a constant weight matrix");
        }
        long bias = 0;
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && beta != 0f) {
            if (!isConstant(n.getInput(2))) {
                throw new NnfrustException(where + ": the bias C must be a constant");
            }
            bias = weight(n.getInput(2), where).length;
        }
        if (!bConst) {
            // Y = A' X' with constant A: output rows follow A'
            return dense(n, label, where, 1, n.getInput(0), transA, true, alpha, bias);
        }
        return dense(n, label, where, 0, n.getInput(1), transB, false, alpha, bias);
    }

    private Value matMul(NodeProto n, String label, String where) {
        boolean aConst = isConstant(n.getInput(0)), bConst = isConstant(n.getInput(1));
        if (aConst == bConst) {
            throw new NnfrustException(where + ": exactly one of the two inputs must be a constant weight matrix");
        }
        return bConst ? dense(n, label, where, 0, n.getInput(1), false, false, 1f, 0)
                : dense(n, label, where, 1, n.getInput(0), false, true, 1f, 0);
    }

    /**
     * A dense layer. {@code weightLeft}: Y = W' X (weight first, W' = trans ? W^T : W, rows are outputs);
     * otherwise Y = X W' (columns of W' are outputs).
     */
    private Value dense(NodeProto n, String label, String where, int actIndex, String weightName, boolean trans,
                        boolean weightLeft, float alpha, long bias) {
        Value x = activation(n, actIndex, where);
        int[] wd = weightDims(weightName);
        if (wd.length != 2) {
            throw new NnfrustException(where + ": weight '" + weightName + "' must be a matrix, got " + shapeText(wd));
        }
        int rowsW = trans ? wd[1] : wd[0], colsW = trans ? wd[0] : wd[1];
        int in = weightLeft ? colsW : rowsW;
        int out = weightLeft ? rowsW : colsW;
        long have = x.elements();
        if (have != in) {
            throw new NnfrustException(where + ": weight " + shapeText(wd) + " expects " + in + " inputs but receives "
                    + have + " (tensor " + shapeText(x.shape) + "; a different --input-size?)");
        }
        float[] raw = weight(weightName, where);
        // raw is stored [out][in] exactly when (weightLeft && !trans) or (!weightLeft && trans)
        boolean rowMajorOutIn = weightLeft != trans;
        float[] m = rowMajorOutIn && alpha == 1f ? raw : new float[out * in];
        for (int o = 0; o < out && m != raw; o++) {
            for (int k = 0; k < in; k++) {
                // element (r, c) of W' is raw[trans ? c*wd[1]+r : r*wd[1]+c]
                int r = weightLeft ? o : k, c = weightLeft ? k : o;
                float v = trans ? raw[c * wd[1] + r] : raw[r * wd[1] + c];
                m[o * in + k] = alpha * v;
            }
        }
        PlaneLayout layout = planes(x, where, false);
        NodeSet set = newSet(label, n.getOpType(), out, 1, 1);
        DenseBlock b = new DenseBlock(label, layout, set.offset(), out, m);
        bindings.add(new io.nnfrust.model.WeightBinding(blocks.size(), weightName, !rowMajorOutIn, alpha,
                bias > 0 ? n.getInput(2) : null));
        addBlockRow(b, set, n.getOpType(), raw.length + bias);
        int[] shape = weightLeft ? new int[] {out, 1} : new int[] {1, out};
        return setValue(n.getOutput(0), shape, set, n.getOpType());
    }

    // ---------------------------------------------------------------- residual Add

    private Value add(NodeProto n, String label, String where) {
        if (n.getInputCount() != 2) {
            throw new NnfrustException(where + ": expected two inputs");
        }
        boolean c0 = isConstant(n.getInput(0)), c1 = isConstant(n.getInput(1));
        if (c0 || c1) {
            // adding a constant (a bias) acts on nodes and makes none
            int ai = c0 ? 1 : 0;
            Value x = activation(n, ai, where);
            String cname = n.getInput(1 - ai);
            long cn = weights.containsKey(cname) ? OnnxTensors.elementCount(weights.get(cname))
                    : product(consts.get(cname).dims, 0, consts.get(cname).dims.length);
            if (cn > x.elements()) {
                throw new NnfrustException(where + ": constant addend is larger than the activation");
            }
            Value v = alias(x, n.getOutput(0), x.shape, "Add");
            addParamsToRow(x, cn);
            return v;
        }
        Value a = activation(n, 0, where), b = activation(n, 1, where);
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new NnfrustException(where + ": addends have different shapes " + shapeText(a.shape) + " and "
                    + shapeText(b.shape) + " (broadcasting between activations is not supported)");
        }
        List<Value> addends = List.of(a, b);
        Value target = null;
        if (options.add() == AddConvention.MERGE) {
            for (Value v : addends) {
                if (mergeable(v)) {
                    target = v;
                    break;
                }
            }
        }
        int[] shape = a.shape;
        PlaneLayout probe = planes(a, where, false);
        long edges = 0;
        double abs = 0;
        if (target != null) {
            for (Value v : addends) {
                if (v != target) {
                    IdentityBlock ib = new IdentityBlock(label + "<-" + v.tensor, planes(v, where, false),
                            target.offset);
                    blocks.add(ib);
                    edges += ib.edgeCount();
                    abs += ib.absWeightSum();
                }
            }
            rows.add(new LayerInfo(label, "Add", shapeText(shape), 0, edges, 0, abs));
            Value out = alias(target, n.getOutput(0), shape, "Add");
            out.weightProduced = true;
            return out;
        }
        NodeSet set = newSet(label, "Add", probe.channels, probe.height, probe.width);
        for (Value v : addends) {
            IdentityBlock ib = new IdentityBlock(label + "<-" + v.tensor, planes(v, where, false), set.offset());
            blocks.add(ib);
            edges += ib.edgeCount();
            abs += ib.absWeightSum();
        }
        rowOfSet.put(set.index(), rows.size());
        rows.add(new LayerInfo(label, "Add", shapeText(shape), set.size(), edges, 0, abs));
        Value out = setValue(n.getOutput(0), shape, set, "Add");
        out.weightProduced = false;
        return out;
    }

    /** The addend is a whole node set made by a weight layer, reaching this Add through nothing else. */
    private boolean mergeable(Value v) {
        if (v.set == null || v.map != null || v.offset != v.set.offset() || v.elements() != v.set.size()
                || !v.weightProduced || v.pads != null) {
            return false;
        }
        for (Value w = v; w != null; w = w.parent) {
            if (useCount.getOrDefault(w.tensor, 0) != 1) {
                return false;
            }
            if (w.parent != null && w.parent.set != v.set) {
                break;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- views

    private Value nodeWise(NodeProto n, String op, String where) {
        Value x = activation(n, 0, where);
        if (op.equals("BatchNormalization")) {
            long p = 0;
            for (int i = 1; i <= 2 && i < n.getInputCount(); i++) {
                if (isConstant(n.getInput(i))) {
                    p += weight(n.getInput(i), where).length;
                }
            }
            addParamsToRow(x, p);
        }
        Value v = alias(x, n.getOutput(0), x.shape, op);
        if (v.pads == null && (op.equals("Relu") || op.equals("Clip") && clipsAtZero(n))) {
            probes.add(new io.nnfrust.model.StateProbe(io.nnfrust.model.StateProbe.Kind.RELU, v.tensor, -1, v.offset,
                    v.map, (int) v.elements()));
        }
        return v;
    }

    /** True for a Clip whose lower bound is exactly 0 (ReLU6 and the like): it zeroes nodes as a ReLU does. */
    private boolean clipsAtZero(NodeProto n) {
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            float[] min = weights.containsKey(n.getInput(1)) || consts.containsKey(n.getInput(1))
                    ? weight(n.getInput(1), "Clip") : null;
            return min != null && min.length == 1 && min[0] == 0f;
        }
        for (var a : n.getAttributeList()) {
            if (a.getName().equals("min")) {
                return a.getF() == 0f;
            }
        }
        return false;
    }

    private Value flatten(NodeProto n, String where) {
        Value x = activation(n, 0, where);
        int rank = x.shape.length;
        int axis = (int) intAttr(n, "axis", 1);
        if (axis < 0) {
            axis += rank;
        }
        if (axis < 0 || axis > rank) {
            throw new NnfrustException(where + ": axis out of range for " + shapeText(x.shape));
        }
        int[] shape = {(int) product(x.shape, 0, axis), (int) product(x.shape, axis, rank)};
        return view(x, n.getOutput(0), shape, "Flatten");
    }

    private static Value view(Value x, String tensor, int[] shape, String op) {
        Value v = alias(x, tensor, shape, op);
        return v;
    }

    private Value reshape(NodeProto n, String where) {
        Value x = activation(n, 0, where);
        long[] target;
        if (n.getInputCount() > 1) {
            target = constInts(n.getInput(1), where);
        } else {
            int[] s = intsAttr(n, "shape", null);
            if (s == null) {
                throw new NnfrustException(where + ": no target shape");
            }
            target = Arrays.stream(s).asLongStream().toArray();
        }
        boolean allowZero = intAttr(n, "allowzero", 0) != 0;
        int[] shape = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) {
                if (i >= x.shape.length) {
                    throw new NnfrustException(where + ": shape value 0 at position " + i + " has no input dimension");
                }
                t = x.shape[i];
            }
            if (t == -1) {
                if (infer >= 0) {
                    throw new NnfrustException(where + ": more than one -1 in target shape");
                }
                infer = i;
                continue;
            }
            if (t < 0) {
                throw new NnfrustException(where + ": invalid target dimension " + t);
            }
            shape[i] = (int) t;
            known *= t;
        }
        long total = x.elements();
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new NnfrustException(where + ": cannot reshape " + shapeText(x.shape) + " to "
                        + Arrays.toString(target));
            }
            shape[infer] = (int) (total / known);
        } else if (known != total) {
            throw new NnfrustException(where + ": cannot reshape " + shapeText(x.shape) + " (" + total
                    + " elements) to " + Arrays.toString(target));
        }
        return view(x, n.getOutput(0), shape, "Reshape");
    }

    private Value squeeze(NodeProto n, String where, boolean unsqueeze) {
        Value x = activation(n, 0, where);
        int[] axes = axesOf(n, where);
        int[] shape = unsqueeze ? unsqueezeShape(x.shape, axes, where) : squeezeShape(x.shape, axes, where);
        return view(x, n.getOutput(0), shape, n.getOpType());
    }

    private int[] axesOf(NodeProto n, String where) {
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            return Arrays.stream(constInts(n.getInput(1), where)).mapToInt(Math::toIntExact).toArray();
        }
        return intsAttr(n, "axes", null);
    }

    private static int[] unsqueezeShape(int[] in, int[] axes, String where) {
        if (axes == null) {
            throw new NnfrustException(where + ": Unsqueeze needs axes");
        }
        int rank = in.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int a : axes) {
            int ax = a < 0 ? a + rank : a;
            if (ax < 0 || ax >= rank || inserted[ax]) {
                throw new NnfrustException(where + ": invalid axis " + a);
            }
            inserted[ax] = true;
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : in[j++];
        }
        return out;
    }

    private static int[] squeezeShape(int[] in, int[] axes, String where) {
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int i = 0; i < in.length; i++) {
                drop[i] = in[i] == 1;
            }
        } else {
            for (int a : axes) {
                int ax = a < 0 ? a + in.length : a;
                if (ax < 0 || ax >= in.length || in[ax] != 1) {
                    throw new NnfrustException(where + ": cannot squeeze axis " + a + " of " + shapeText(in));
                }
                drop[ax] = true;
            }
        }
        return java.util.stream.IntStream.range(0, in.length).filter(i -> !drop[i]).map(i -> in[i]).toArray();
    }

    private Value transpose(NodeProto n, String where) {
        Value x = activation(n, 0, where);
        int rank = x.shape.length;
        int[] perm = intsAttr(n, "perm", null);
        if (perm == null) {
            perm = new int[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        if (perm.length != rank) {
            throw new NnfrustException(where + ": perm " + Arrays.toString(perm) + " does not match rank " + rank);
        }
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = x.shape[perm[i]];
        }
        long[] inStride = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            inStride[i] = s;
            s *= x.shape[i];
        }
        int total = (int) x.elements();
        int[] map = new int[total];
        int[] idx = new int[rank];
        for (int o = 0; o < total; o++) {
            long inFlat = 0;
            for (int k = 0; k < rank; k++) {
                inFlat += idx[k] * inStride[perm[k]];
            }
            map[o] = x.node((int) inFlat);
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < outShape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        Value v = new Value(n.getOutput(0), outShape, -1, map);
        v.producer = "Transpose";
        return v;
    }

    private Value concat(NodeProto n, String where) {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < n.getInputCount(); i++) {
            in.add(activation(n, i, where));
        }
        int rank = in.get(0).shape.length;
        int axis = (int) intAttr(n, "axis", 1);
        if (axis < 0) {
            axis += rank;
        }
        if (axis < 0 || axis >= rank) {
            throw new NnfrustException(where + ": axis out of range");
        }
        int[] shape = in.get(0).shape.clone();
        shape[axis] = 0;
        for (Value v : in) {
            for (int d = 0; d < rank; d++) {
                if (d != axis && (v.shape.length != rank || v.shape[d] != shape[d])) {
                    throw new NnfrustException(where + ": inputs " + shapeText(in.get(0).shape) + " and "
                            + shapeText(v.shape) + " cannot be concatenated on axis " + axis);
                }
            }
            shape[axis] += v.shape[axis];
        }
        if (in.size() == 1) {
            return alias(in.get(0), n.getOutput(0), shape, "Concat");
        }
        long outer = product(shape, 0, axis), inner = product(shape, axis + 1, rank);
        int[] map = new int[(int) product(shape, 0, rank)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (Value v : in) {
                int chunk = (int) (v.shape[axis] * inner);
                int start = (int) (o * chunk);
                for (int j = 0; j < chunk; j++) {
                    map[pos++] = v.node(start + j);
                }
            }
        }
        Value v = new Value(n.getOutput(0), shape, -1, map);
        v.producer = "Concat";
        return v;
    }

    private Value pad(NodeProto n, String where) {
        Value x = activation(n, 0, where);
        String mode = stringAttr(n, "mode", "constant");
        if (!mode.equals("constant")) {
            throw new NnfrustException(where + ": only constant (zero) padding is supported, got mode '" + mode + "'");
        }
        long[] pads;
        if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            pads = constInts(n.getInput(1), where);
        } else {
            int[] p = intsAttr(n, "pads", null);
            if (p == null) {
                throw new NnfrustException(where + ": no pads given");
            }
            pads = Arrays.stream(p).asLongStream().toArray();
        }
        float value = floatAttr(n, "value", 0f);
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
            float[] cv = weight(n.getInput(2), where);
            value = cv.length == 0 ? 0f : cv[0];
        }
        if (value != 0f) {
            throw new NnfrustException(where + ": only zero padding is supported (constant value " + value + ")");
        }
        int rank = x.shape.length;
        if (rank != 4 || pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw new NnfrustException(where + ": only spatial padding of an [N,C,H,W] tensor is supported, pads "
                    + Arrays.toString(pads));
        }
        Value v = alias(x, n.getOutput(0), x.shape, "Pad");
        int[] p = {(int) pads[2], (int) pads[3], (int) pads[6], (int) pads[7]};
        if (x.pads != null) {
            for (int i = 0; i < 4; i++) {
                p[i] += x.pads[i];
            }
        }
        v.pads = p;
        v.set = null;
        return v;
    }

    // ---------------------------------------------------------------- constant folding (shape plumbing)

    private long[] constInts(String name, String where) {
        Const c = consts.get(name);
        if (c != null && c.ints != null) {
            return c.ints;
        }
        TensorProto t = weights.get(name);
        if (t == null && c != null) {
            t = c.tensor;
        }
        if (t == null) {
            throw new NnfrustException(where + ": '" + name + "' must be a constant known at import time");
        }
        return OnnxTensors.longs(t);
    }

    private int[] constDims(String name) {
        Const c = consts.get(name);
        return c != null ? c.dims : OnnxTensors.dims(weights.get(name));
    }

    private boolean isIntConst(String name) {
        Const c = consts.get(name);
        if (c != null) {
            return c.ints != null;
        }
        TensorProto t = weights.get(name);
        return t != null && (t.getDataType() == TensorProto.DataType.INT64_VALUE
                || t.getDataType() == TensorProto.DataType.INT32_VALUE);
    }

    private boolean tryFoldConstant(NodeProto n, String op, String where) {
        String out = n.getOutputCount() > 0 ? n.getOutput(0) : null;
        switch (op) {
            case "Constant" -> {
                AttributeProto a = attr(n, "value");
                if (a != null) {
                    TensorProto t = a.getT();
                    int type = t.getDataType();
                    if (type == TensorProto.DataType.INT64_VALUE || type == TensorProto.DataType.INT32_VALUE) {
                        consts.put(out, new Const(OnnxTensors.dims(t), OnnxTensors.longs(t), null));
                    } else {
                        consts.put(out, new Const(OnnxTensors.dims(t), null, t.toBuilder().setName(out).build()));
                    }
                } else if ((a = attr(n, "value_ints")) != null) {
                    consts.put(out, new Const(new int[] {a.getIntsCount()},
                            a.getIntsList().stream().mapToLong(Long::longValue).toArray(), null));
                } else if ((a = attr(n, "value_int")) != null) {
                    consts.put(out, new Const(new int[0], new long[] {a.getI()}, null));
                } else {
                    throw new NnfrustException(where + ": unsupported Constant attribute");
                }
                return true;
            }
            case "Shape" -> {
                int[] s;
                Value v = values.get(n.getInput(0));
                if (v != null) {
                    s = v.shape.clone();
                    if (v.pads != null) {
                        s[2] += v.pads[0] + v.pads[2];
                        s[3] += v.pads[1] + v.pads[3];
                    }
                } else {
                    s = constDims(n.getInput(0));
                }
                int rank = s.length;
                int start = (int) intAttr(n, "start", 0), end = (int) intAttr(n, "end", rank);
                start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
                end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
                long[] r = new long[Math.max(0, end - start)];
                for (int i = 0; i < r.length; i++) {
                    r[i] = s[start + i];
                }
                consts.put(out, new Const(new int[] {r.length}, r, null));
                return true;
            }
            default -> {
            }
        }
        boolean allConst = n.getInputCount() > 0;
        for (String in : n.getInputList()) {
            if (!in.isEmpty() && !isIntConst(in)) {
                allConst = false;
            }
        }
        if (!allConst) {
            return false;
        }
        switch (op) {
            case "Identity", "Cast" -> consts.put(out, new Const(constDims(n.getInput(0)),
                    constInts(n.getInput(0), where), null));
            case "Gather" -> {
                long[] data = constInts(n.getInput(0), where);
                int[] ddims = constDims(n.getInput(0));
                long[] idx = constInts(n.getInput(1), where);
                int[] idims = constDims(n.getInput(1));
                if (ddims.length != 1 || intAttr(n, "axis", 0) != 0) {
                    throw new NnfrustException(where + ": Gather on constants supports 1-D data on axis 0 only");
                }
                long[] r = new long[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    long k = idx[i] < 0 ? idx[i] + data.length : idx[i];
                    if (k < 0 || k >= data.length) {
                        throw new NnfrustException(where + ": index " + idx[i] + " out of range");
                    }
                    r[i] = data[(int) k];
                }
                consts.put(out, new Const(idims, r, null));
            }
            case "Unsqueeze", "Squeeze" -> {
                int[] axes = axesOf(n, where);
                int[] d = constDims(n.getInput(0));
                int[] nd = op.equals("Unsqueeze") ? unsqueezeShape(d, axes, where) : squeezeShape(d, axes, where);
                consts.put(out, new Const(nd, constInts(n.getInput(0), where), null));
            }
            case "Concat" -> {
                List<Long> all = new ArrayList<>();
                for (String in : n.getInputList()) {
                    if (constDims(in).length > 1) {
                        throw new NnfrustException(where + ": Concat of constants supports 1-D tensors only");
                    }
                    for (long v : constInts(in, where)) {
                        all.add(v);
                    }
                }
                consts.put(out, new Const(new int[] {all.size()}, all.stream().mapToLong(Long::longValue).toArray(),
                        null));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- helpers

    static long product(int[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    static String shapeText(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return b.toString();
    }
}
