package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.StateProbe;
import io.nnfrust.model.WeightBinding;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one import, shared by the operator converters: activations ({@link Value}s), constants
 * ({@link ConstTensor}s), the node sets, blocks and table rows built so far, and the helpers every converter
 * needs (inputs, weights, plane layouts, new node sets). Not thread-safe; one per import.
 */
final class ImportContext {
    static final long MAX_NODES = Integer.MAX_VALUE - 8;

    /** One node being converted: the proto, a label for names, and "Op node 'label'" for messages. */
    record Op(NodeProto proto, String label, String where) {
        String input(int i) {
            return i < proto.getInputCount() ? proto.getInput(i) : "";
        }

        boolean hasInput(int i) {
            return !input(i).isEmpty();
        }

        String output() {
            return proto.getOutput(0);
        }
    }

    final ImportOptions options;
    int opset = 13;
    final Map<String, TensorProto> initializers = new HashMap<>();
    final Map<String, ConstTensor> consts = new HashMap<>();
    final Map<String, Value> values = new HashMap<>();
    final Map<String, Integer> useCount = new HashMap<>();
    /** Producer operator of each tensor (for messages that name a construct, e.g. x·sigmoid(x)). */
    final Map<String, NodeProto> producers = new HashMap<>();

    final List<NodeSet> sets = new ArrayList<>();
    final List<EdgeBlock> blocks = new ArrayList<>();
    final List<LayerInfo> rows = new ArrayList<>();
    final List<StateProbe> probes = new ArrayList<>();
    final List<WeightBinding> bindings = new ArrayList<>();
    final Map<Integer, Integer> rowOfSet = new HashMap<>();
    /** Row of the table of each block index. */
    final Map<Integer, Integer> rowOfBlock = new HashMap<>();
    /** Bias parameters counted for each conv/dense block (for BatchNorm folding). */
    final Map<Integer, Long> biasOfBlock = new HashMap<>();

    long nextNode;
    long parameters;
    int foldedNodes;
    int batchNormsFolded;
    int batchNormsOnNodes;
    int copies;

    ImportContext(ImportOptions options) {
        this.options = options;
    }

    // ---------------------------------------------------------------- inputs

    boolean isConstant(String name) {
        return !name.isEmpty() && (consts.containsKey(name) || initializers.containsKey(name));
    }

    /** The constant {@code name}, or null when it is not one. */
    ConstTensor constant(String name) {
        ConstTensor c = consts.get(name);
        if (c == null) {
            TensorProto t = initializers.get(name);
            if (t != null) {
                c = ConstTensor.of(t);
                consts.put(name, c);
            }
        }
        return c;
    }

    ConstTensor requireConstant(Op n, int i, String what) {
        ConstTensor c = n.hasInput(i) ? constant(n.input(i)) : null;
        if (c == null) {
            throw new NnfrustException(
                    n.where() + ": " + what + " (input " + i + (n.hasInput(i) ? ", '" + n.input(i) + "'" : "")
                            + ") must be a constant known at import time (an initializer)");
        }
        return c;
    }

    Value activation(Op n, int i) {
        Value v = values.get(n.input(i));
        if (v == null) {
            if (isConstant(n.input(i))) {
                throw new NnfrustException(n.where() + ": input " + i + " ('" + n.input(i) + "') is a constant where "
                        + n.proto().getOpType() + " needs a tensor computed from the network input");
            }
            throw new NnfrustException(n.where() + ": input " + i + " ('" + n.input(i) + "') is missing");
        }
        return v;
    }

    float[] weight(Op n, int i, String what) {
        return finite(n, n.input(i), what, requireConstant(n, i, what).floats());
    }

    /**
     * Returns {@code v} after checking that every value is finite: a NaN or infinite weight makes every sum over
     * |A| and every frustration NaN, silently.
     */
    static float[] finite(Op n, String tensor, String what, float[] v) {
        int bad = 0, first = -1;
        for (int k = 0; k < v.length; k++) {
            if (!Float.isFinite(v[k])) {
                if (bad++ == 0) {
                    first = k;
                }
            }
        }
        if (bad > 0) {
            throw new NnfrustException(n.where() + ": " + what + " ('" + tensor + "') holds " + bad + " NaN or infinite"
                    + " value" + (bad == 1 ? "" : "s") + " of " + v.length + " (first at flat index " + first + ": "
                    + v[first] + "); the model's weights are corrupt or from a diverged training run: re-export it");
        }
        return v;
    }

    /** Name of the model tensor that holds the values of constant {@code name} unchanged, or null. */
    String sourceTensor(String name) {
        if (initializers.containsKey(name)) {
            return name;
        }
        ConstTensor c = consts.get(name);
        return c != null && c.source != null && !c.source.getName().isEmpty() ? c.source.getName() : null;
    }

    long[] constInts(Op n, int i, String what) {
        return requireConstant(n, i, what).longs();
    }

    // ---------------------------------------------------------------- node sets and rows

    NodeSet newSet(String name, String op, int c, int h, int w) {
        long size = (long) c * h * w;
        if (nextNode + size > MAX_NODES) {
            throw new NnfrustException("graph too large: more than " + MAX_NODES + " nodes at layer '" + name
                    + "'; try a smaller --input-size");
        }
        NodeSet s = new NodeSet(sets.size(), name, op, (int) nextNode, c, h, w);
        sets.add(s);
        nextNode += size;
        return s;
    }

    Value setValue(String tensor, int[] shape, NodeSet set, String producer) {
        Value v = new Value(tensor, shape, set.offset(), null);
        v.set = set;
        v.weightProduced = true;
        v.producer = producer;
        return v;
    }

    void addBlockRow(EdgeBlock b, NodeSet set, String op, long params) {
        rowOfBlock.put(blocks.size(), rows.size());
        blocks.add(b);
        parameters += params;
        rowOfSet.put(set.index(), rows.size());
        rows.add(new LayerInfo(
                b.name(),
                op,
                set.channels() + "x" + set.height() + "x" + set.width(),
                set.size(),
                b.edgeCount(),
                params,
                b.absWeightSum()));
    }

    void addParamsToRow(Value v, long extra) {
        parameters += extra;
        Integer r = v.set == null ? null : rowOfSet.get(v.set.index());
        int idx = r == null ? rows.size() - 1 : r;
        rows.set(idx, rows.get(idx).withParams(extra));
    }

    /** Replaces block {@code index} (same geometry, new weights: BatchNorm folding) and its table row. */
    void replaceBlock(int index, EdgeBlock b) {
        blocks.set(index, b);
        int r = rowOfBlock.get(index);
        LayerInfo old = rows.get(r);
        rows.set(
                r,
                new LayerInfo(
                        old.name(),
                        old.operator(),
                        old.shape(),
                        old.nodes(),
                        b.edgeCount(),
                        old.params(),
                        b.absWeightSum()));
    }

    // ---------------------------------------------------------------- planes

    /**
     * Layout of an activation as [C, H, W] planes: rank 4 for images, anything else as [F, 1, 1]. When a
     * window operator ({@code needImage}) reads a tensor whose channel planes are not runs of consecutive nodes
     * (a spatial Slice, a Transpose that moves rows), the tensor is first copied into a node set of its own,
     * reached by weight-1 edges (docs/conventions.md, "copies").
     */
    PlaneLayout planes(Value v, Op n, boolean needImage) {
        int rank = v.shape.length;
        int c, h, w;
        if (rank == 4 && v.shape[0] != 1) {
            throw new NnfrustException(n.where() + ": expects a batch of one image [1,C,H,W], got " + shapeText(v.shape)
                    + " (a Transpose or Reshape moved the batch axis?)");
        }
        if (rank == 4) {
            c = v.shape[1];
            h = v.shape[2];
            w = v.shape[3];
        } else {
            if (needImage) {
                throw new NnfrustException(
                        n.where() + ": expects an image tensor [N,C,H,W], got " + shapeText(v.shape));
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
            ok = alignedPlane(base[ch], plane);
            for (int i = 1; i < plane && ok; i++) {
                ok = v.map[ch * plane + i] == base[ch] + i;
            }
        }
        if (ok) {
            return new PlaneLayout(c, h, w, base);
        }
        if (!needImage) {
            return new PlaneLayout(c * h * w, 1, 1, v.map.clone());
        }
        NodeSet copy = newSet(n.label() + "/copy", "Copy", c, h, w);
        IdentityBlock ib = new IdentityBlock(
                n.label() + "/copy<-" + v.tensor, new PlaneLayout(c * h * w, 1, 1, v.map.clone()), copy.offset());
        blocks.add(ib);
        rowOfSet.put(copy.index(), rows.size());
        rows.add(new LayerInfo(
                n.label() + "/copy", "Copy", c + "x" + h + "x" + w, copy.size(), ib.edgeCount(), 0, ib.absWeightSum()));
        copies++;
        return PlaneLayout.contiguous(copy.offset(), c, h, w);
    }

    /**
     * Whether nodes {@code base .. base + plane - 1} are one plane of a node set as a block may read it: inside one
     * set, at a multiple of {@code plane} from its start (a crop of rows, e.g. a Slice of H, is contiguous but not
     * aligned, and is copied instead).
     */
    private boolean alignedPlane(int base, int plane) {
        int lo = 0, hi = sets.size() - 1; // the set holding base: the last one starting at or before it
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (sets.get(mid).offset() <= base) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        NodeSet s = sets.get(lo);
        return s.contains(base) && (base - s.offset()) % plane == 0 && base + plane <= s.end();
    }

    static int[] elementMap(Value v) {
        int n = (int) v.elements();
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            m[i] = v.node(i);
        }
        return m;
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
        for (int i = 0; i < Math.min(shape.length, 8); i++) {
            b.append(i == 0 ? "" : "x").append(shape[i]);
        }
        if (shape.length > 8) {
            b.append("x... (rank ").append(shape.length).append(")");
        }
        return shape.length == 0 ? "scalar" : b.toString();
    }
}
