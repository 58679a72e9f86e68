package io.nnfrust.active;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.Network;
import io.nnfrust.model.StateProbe;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The active subnetwork A_act(x) of one input (paper eq. 8 and SI D.3), as masks over the matrix-free graph:
 * <ol>
 *   <li>every node a ReLU sets to zero is dropped with all its edges (also a Clip whose lower bound is 0);</li>
 *   <li>in a max-pooling block only the edges from the maxima of each window are kept (all of them on a tie);
 *   those blocks become small explicit {@link SparseBlock}s, every other block is shared with the network;</li>
 *   <li>of the output (logit) nodes only the predicted class's is kept;</li>
 *   <li>dead ends — nodes that no longer reach that output node — are dropped with their edges.</li>
 * </ol>
 * Steps 1, 3 and 4 are a 0/1 node mask m; the edges of A_act are the edges of {@link #graph()} whose two ends
 * have m = 1. One backward pass over the node sets in reverse topological order finds the nodes that reach the
 * output (an edge into a reached node from a node that survives steps 1 and 3 is in A_act, and its source is
 * reached), counting the edges and Σ|A_act| on the way, with transposed products of the 1-pattern and of |A|
 * (O(edges) multiply-adds on the block kernels, which skip all-zero planes; sums independent of the threads).
 *
 * <p>Convention (docs/conventions.md): a max-pooling node whose whole window is switched off keeps no in-edges but
 * is itself kept when it reaches the output (it is not set to zero by a ReLU).
 */
public final class ActiveSubnetwork {

    private final SignedGraph graph;
    private final double[] mask;
    private final int activeNodes;
    private final long edges;
    private final double absWeight;
    private final int predictedClass, outputNode;

    private ActiveSubnetwork(
            SignedGraph graph,
            double[] mask,
            int activeNodes,
            long edges,
            double absWeight,
            int predictedClass,
            int outputNode) {
        this.graph = graph;
        this.mask = mask;
        this.activeNodes = activeNodes;
        this.edges = edges;
        this.absWeight = absWeight;
        this.predictedClass = predictedClass;
        this.outputNode = outputNode;
    }

    /**
     * A_act for image {@code image} of a batch whose probe tensors are in {@code tensors} (name to values, the
     * batch's images one after another).
     *
     * @param predictedClass the class whose output node is kept (the argmax of the logits)
     */
    public static ActiveSubnetwork of(Network net, Map<String, float[]> tensors, int image, int predictedClass) {
        SignedGraph g = net.graph();
        int n = g.nodeCount();
        if (predictedClass < 0 || predictedClass >= net.outputNodes().length) {
            throw new IllegalArgumentException(
                    "class " + predictedClass + " outside the " + net.outputNodes().length + " outputs");
        }
        boolean[] off = new boolean[n];
        List<EdgeBlock> blocks = new ArrayList<>(g.blocks());
        for (StateProbe p : net.probes()) {
            float[] v = tensors.get(p.tensor());
            if (v == null) {
                throw new NnfrustException("inference did not return tensor '" + p.tensor() + "'");
            }
            int base = image * p.elements();
            if (v.length < base + p.elements()) {
                throw new NnfrustException("tensor '" + p.tensor() + "' is shorter than the batch");
            }
            if (p.kind() == StateProbe.Kind.RELU) {
                for (int e = 0; e < p.elements(); e++) {
                    if (v[base + e] <= 0f) {
                        off[p.node(e)] = true;
                    }
                }
            } else {
                PoolingBlock b = (PoolingBlock) g.blocks().get(p.block());
                blocks.set(p.block(), maxima(b, v, base));
            }
        }
        int out = net.outputNodes()[predictedClass];
        for (int o : net.outputNodes()) {
            if (o != out) {
                off[o] = true;
            }
        }
        SignedGraph act = new SignedGraph(g.nodeSets(), blocks);
        return reach(act, off, out, predictedClass);
    }

    /** The tensors inference must return besides the logits for {@link #of}: ReLU outputs and max-pool inputs. */
    public static List<String> tensorsNeeded(Network net) {
        LinkedHashSet<String> t = new LinkedHashSet<>();
        for (StateProbe p : net.probes()) {
            t.add(p.tensor());
        }
        return List.copyOf(t);
    }

    /**
     * The pooling block restricted to the edges from each window's maxima (ties: all of them). {@code values} is the
     * pooling's input tensor [C, H, W] (from {@code base}); when the block reads it as a window of larger planes (a
     * crop read as a view), tensor element (c, r, q) is element {@code inputOffset(r, q)} of plane c of the block's
     * input.
     */
    static SparseBlock maxima(PoolingBlock b, float[] values, int base) {
        int outputs = b.outputCount();
        float[] best = new float[outputs];
        Arrays.fill(best, Float.NEGATIVE_INFINITY);
        WindowGeometry g = b.geometry();
        int plane = b.input().planeSize(), channels = b.input().channels;
        int rows = g.inHeight, cols = g.inWidth;
        int offset = b.outputOffset();
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < cols; q++) {
                    float z = values[base + (c * rows + r) * cols + q];
                    b.forEachOutEdge(c, g.inputOffset(r, q), (src, dst, wt) -> {
                        if (z > best[dst - offset]) {
                            best[dst - offset] = z;
                        }
                    });
                }
            }
        }
        IntList src = new IntList(), elem = new IntList(), tgt = new IntList();
        for (int c = 0; c < channels; c++) {
            for (int r = 0; r < rows; r++) {
                for (int q = 0; q < cols; q++) {
                    final int k = g.inputOffset(r, q), element = c * plane + k;
                    float z = values[base + (c * rows + r) * cols + q];
                    b.forEachOutEdge(c, k, (s, dst, wt) -> {
                        if (z == best[dst - offset]) {
                            src.add(s);
                            elem.add(element);
                            tgt.add(dst - offset);
                        }
                    });
                }
            }
        }
        double[] w = new double[src.size];
        Arrays.fill(w, b.weight());
        return new SparseBlock(b.name(), b.input(), offset, outputs, src.toArray(), elem.toArray(), tgt.toArray(), w);
    }

    /** |A| and the 1-pattern of the network's blocks, made once per block (blocks are immutable). */
    private static final Map<EdgeBlock, EdgeBlock[]> DERIVED = Collections.synchronizedMap(new WeakHashMap<>());

    private static EdgeBlock[] derived(EdgeBlock b) {
        if (b instanceof SparseBlock) {
            return new EdgeBlock[] {b.pattern(), b.absolute()}; // this image's max-pooling edges
        }
        return DERIVED.computeIfAbsent(b, k -> new EdgeBlock[] {k.pattern(), k.absolute()});
    }

    /**
     * The backward pass, as transposed products: node sets in reverse topological order; when set s is reached,
     * every edge out of it ends in a later set, already final, so count[v] = (Pᵀ r)_v (P the 1-pattern, r the
     * reached indicator) is the number of edges from v to reached nodes, zero weights included, and
     * (|A|ᵀ r)_v their Σ|w|. v is reached iff it survives steps 1 and 3 and count[v] > 0; its edges and Σ|w| are
     * A_act's. The products run on the zero-skipping kernels, and their sums do not depend on the thread count.
     */
    private static ActiveSubnetwork reach(SignedGraph g, boolean[] off, int out, int predictedClass) {
        checkTopologicalOrder(g);
        int n = g.nodeCount();
        double[] reached = new double[n], count = new double[n], absTo = new double[n];
        reached[out] = 1;
        List<NodeSet> sets = g.nodeSets();
        long edges = 0;
        double abs = 0;
        for (int s = sets.size() - 1; s >= 0; s--) {
            NodeSet set = sets.get(s);
            for (int v = set.offset(); v < set.end(); v++) {
                if (!off[v] && count[v] > 0) {
                    reached[v] = 1;
                    edges += (long) count[v];
                    abs += absTo[v];
                }
            }
            for (EdgeBlock b : g.producersOf(s)) {
                EdgeBlock[] d = derived(b);
                SignedGraph.runPartitions(b.inputPartitions(), b.transposeParallelSafe(), (from, to) -> {
                    d[0].multiplyTranspose(reached, count, from, to);
                    d[1].multiplyTranspose(reached, absTo, from, to);
                });
            }
        }
        int active = 0;
        for (int v = 0; v < n; v++) {
            if (reached[v] == 1) {
                active++;
            }
        }
        return new ActiveSubnetwork(g, reached, active, edges, abs, predictedClass, out);
    }

    /** The backward pass needs every edge to run from an earlier node set to a later one. */
    private static void checkTopologicalOrder(SignedGraph g) {
        for (EdgeBlock b : g.blocks()) {
            int target = g.setOf(b.outputOffset());
            for (int c = 0; c < b.input().channels; c++) {
                if (g.setOf(b.input().base(c)) >= target) {
                    throw new NnfrustException("block " + b.name() + " reads a node set that is not earlier than its"
                            + " output; the active subnetwork needs a feed-forward graph");
                }
            }
        }
    }

    /** The graph whose edges between nodes of mask 1 form A_act (max-pooling blocks already restricted). */
    public SignedGraph graph() {
        return graph;
    }

    /** 1 for the nodes of A_act, 0 for dropped ones. */
    public double[] mask() {
        return mask;
    }

    public int activeNodes() {
        return activeNodes;
    }

    /** Number of edges of A_act. */
    public long edgeCount() {
        return edges;
    }

    /** Σ|A_act|, summed in the backward pass. */
    public double absWeightSum() {
        return absWeight;
    }

    public int predictedClass() {
        return predictedClass;
    }

    public int outputNode() {
        return outputNode;
    }

    /** Growable int array. */
    private static final class IntList {
        int[] a = new int[1024];
        int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, 2 * size);
            }
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
