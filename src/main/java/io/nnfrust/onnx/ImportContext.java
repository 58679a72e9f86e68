package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.WindowGeometry;
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
     * The planes a window operator (Conv, pooling) reads: {@code layout} holds whole planes of node sets and the
     * operator reads the window from ({@code rowOffset}, {@code colOffset}) of them, of the tensor's H x W (a crop
     * read as a view; offsets 0 and {@code layout} of the tensor's own H x W when there is no crop).
     */
    record ImagePlanes(PlaneLayout layout, int rowOffset, int colOffset) {
        /** {@code g} (of the tensor's H x W) reading this window of the layout's planes. */
        WindowGeometry window(WindowGeometry g) {
            boolean whole =
                    rowOffset == 0 && colOffset == 0 && layout.height == g.inHeight && layout.width == g.inWidth;
            return whole ? g : g.withInputWindow(rowOffset, colOffset, layout.height, layout.width);
        }
    }

    /**
     * Layout of an activation as [C, H, W] planes: rank 4 as [C, H, W], anything else as [F, 1, 1]; planes that
     * are not aligned runs of consecutive nodes become planes of one element each (the dense layers read any
     * element order).
     */
    PlaneLayout planes(Value v, Op n) {
        int[] chw = chw(v, n, false);
        PlaneLayout aligned = alignedPlanes(v, chw[0], chw[1], chw[2]);
        if (aligned != null) {
            return aligned;
        }
        return new PlaneLayout(chw[0] * chw[1] * chw[2], 1, 1, v.map.clone());
    }

    /**
     * The planes of an image tensor [1, C, H, W] as a window operator ({@code Conv}, pooling) reads them. Planes
     * that are aligned runs of one node set are read in place; planes that are all the same rectangular window of
     * an aligned whole plane of a node set (a spatial crop by {@code Slice}) are read in place too, the window
     * becoming part of the operator's geometry ({@link ImagePlanes#window}); anything else (a Transpose that moves
     * rows and columns, a strided or non-rectangular selection) is first copied into a node set of its own,
     * reached by weight-1 edges (docs/conventions.md, "Views make no nodes" and "Copies").
     */
    ImagePlanes imagePlanes(Value v, Op n) {
        int[] chw = chw(v, n, true);
        int c = chw[0], h = chw[1], w = chw[2];
        PlaneLayout aligned = alignedPlanes(v, c, h, w);
        if (aligned != null) {
            return new ImagePlanes(aligned, 0, 0);
        }
        ImagePlanes crop = cropWindow(v, c, h, w);
        if (crop != null) {
            return crop;
        }
        NodeSet copy = newSet(n.label() + "/copy", "Copy", c, h, w);
        IdentityBlock ib = new IdentityBlock(
                n.label() + "/copy<-" + v.tensor, new PlaneLayout(c * h * w, 1, 1, v.map.clone()), copy.offset());
        blocks.add(ib);
        rowOfSet.put(copy.index(), rows.size());
        rows.add(new LayerInfo(
                n.label() + "/copy", "Copy", c + "x" + h + "x" + w, copy.size(), ib.edgeCount(), 0, ib.absWeightSum()));
        copies++;
        return new ImagePlanes(PlaneLayout.contiguous(copy.offset(), c, h, w), 0, 0);
    }

    /** {C, H, W} of {@code v}: rank 4 (batch 1) as an image, anything else as [F, 1, 1] unless an image is needed. */
    private static int[] chw(Value v, Op n, boolean needImage) {
        int rank = v.shape.length;
        if (rank == 4 && v.shape[0] != 1) {
            throw new NnfrustException(n.where() + ": expects a batch of one image [1,C,H,W], got " + shapeText(v.shape)
                    + " (a Transpose or Reshape moved the batch axis?)");
        }
        if (rank == 4) {
            return new int[] {v.shape[1], v.shape[2], v.shape[3]};
        }
        if (needImage) {
            throw new NnfrustException(n.where() + ": expects an image tensor [N,C,H,W], got " + shapeText(v.shape));
        }
        return new int[] {(int) v.elements(), 1, 1};
    }

    /** The [C, H, W] layout of {@code v} when every channel plane is an aligned run of consecutive nodes, else null. */
    private PlaneLayout alignedPlanes(Value v, int c, int h, int w) {
        if (v.map == null) {
            return PlaneLayout.contiguous(v.offset, c, h, w);
        }
        int plane = h * w;
        int[] base = new int[c];
        for (int ch = 0; ch < c; ch++) {
            base[ch] = v.map[ch * plane];
            if (!alignedPlane(base[ch], plane)) {
                return null;
            }
            for (int i = 1; i < plane; i++) {
                if (v.map[ch * plane + i] != base[ch] + i) {
                    return null;
                }
            }
        }
        return new PlaneLayout(c, h, w, base);
    }

    /**
     * A crop read as a view: when every channel plane (h x w) of {@code v} is the window from the same row and
     * column of a whole plane of a node set, all of these planes of the same size, the layout of those whole planes
     * and the window's corner; null otherwise. O(elements of v).
     */
    private ImagePlanes cropWindow(Value v, int c, int h, int w) {
        int plane = h * w;
        int[] base = new int[c];
        int fullH = 0, fullW = 0, top = 0, left = 0;
        for (int ch = 0; ch < c; ch++) {
            int first = v.map[ch * plane];
            NodeSet s = setHolding(first);
            if (s == null) {
                return null;
            }
            int setPlane = s.height() * s.width();
            int inPlane = (first - s.offset()) % setPlane;
            int row = inPlane / s.width(), col = inPlane % s.width();
            if (ch == 0) {
                fullH = s.height();
                fullW = s.width();
                top = row;
                left = col;
                if (top + h > fullH || left + w > fullW) {
                    return null;
                }
            } else if (s.height() != fullH || s.width() != fullW || row != top || col != left) {
                return null;
            }
            for (int r = 0; r < h; r++) {
                for (int q = 0; q < w; q++) {
                    if (v.map[ch * plane + r * w + q] != first + r * fullW + q) {
                        return null;
                    }
                }
            }
            base[ch] = first - inPlane;
        }
        return new ImagePlanes(new PlaneLayout(c, fullH, fullW, base), top, left);
    }

    /** The node set holding {@code node} (null when none does). O(log sets). */
    private NodeSet setHolding(int node) {
        if (sets.isEmpty()) {
            return null;
        }
        int lo = 0, hi = sets.size() - 1; // the last set starting at or before node
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (sets.get(mid).offset() <= node) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        NodeSet s = sets.get(lo);
        return s.contains(node) ? s : null;
    }

    /**
     * Whether nodes {@code base .. base + plane - 1} are one plane of a node set as a block may read it: inside one
     * set, at a multiple of {@code plane} from its start (a crop of rows, e.g. a Slice of H, is contiguous but not
     * aligned: {@link #cropWindow} reads it as a window of the whole planes instead).
     */
    private boolean alignedPlane(int base, int plane) {
        NodeSet s = setHolding(base);
        return s != null && (base - s.offset()) % plane == 0 && base + plane <= s.end();
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
