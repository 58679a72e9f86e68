package io.nnfrust.frustration;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The spin-glass view of a signed graph A (paper eq. 1-3): spins s in {+1,-1}^n, local fields
 * h = A_u s with A_u = A + A^T, row sums r_i = s_i h_i of S A_u S, and the frustration
 * e(s) = sum(|A| - SAS) / (2 sum|A|) = (frustrated weight) / sum|A|. All sums in double.
 */
public final class SpinGlass {
    private final SignedGraph graph;
    private final double absSum;
    private final boolean independentSets;
    private List<List<SignedGraph.PartitionRange>> rangesBySet;
    private double[] strengths;
    private final double[] mask;
    private final int[] activeNodes;

    public SpinGlass(SignedGraph graph) {
        this(graph, null);
    }

    /**
     * The spin glass of the subgraph of {@code graph} induced by the nodes with {@code mask[i] = 1} (the others
     * have {@code mask[i] = 0}): the active subnetwork A_act = M A M of an input, M = diag(mask), without copying
     * the graph. Spins of masked-out nodes are 0, so they contribute to no field, row sum or sum, and a flip
     * (s_i = -s_i) leaves them 0: every solver runs on A_act unchanged. Σ|A_act| = maskᵀ |A| mask.
     */
    public SpinGlass(SignedGraph graph, double[] mask) {
        if (graph.nodeCount() == 0 || graph.edgeCount() == 0) {
            throw new NnfrustException("the graph has no edges; frustration is undefined");
        }
        this.graph = graph;
        if (mask == null) {
            this.mask = null;
            this.activeNodes = null;
            this.absSum = graph.absWeightSum();
        } else {
            if (mask.length != graph.nodeCount()) {
                throw new IllegalArgumentException("mask length " + mask.length + " != " + graph.nodeCount());
            }
            int count = 0;
            for (double m : mask) {
                if (m != 0 && m != 1) {
                    throw new IllegalArgumentException("mask values must be 0 or 1");
                }
                count += (int) m;
            }
            this.mask = mask.clone();
            this.activeNodes = new int[count];
            for (int i = 0, k = 0; i < mask.length; i++) {
                if (mask[i] == 1) {
                    activeNodes[k++] = i;
                }
            }
            double[] y = new double[mask.length];
            graph.absolute().multiply(this.mask, y, true);
            double sum = 0;
            for (int i = 0; i < y.length; i++) {
                sum += this.mask[i] * y[i];
            }
            this.absSum = sum;
        }
        if (!(absSum > 0) || !Double.isFinite(absSum)) {
            throw new NnfrustException("the graph's total |weight| is " + absSum + "; frustration is undefined");
        }
        this.independentSets = graph.setsAreIndependent();
    }

    public SignedGraph graph() {
        return graph;
    }

    /** True for the glass of a node-induced subgraph (an active subnetwork). */
    public boolean isMasked() {
        return mask != null;
    }

    /** The node mask of a subgraph glass (1: node in it), or null for the whole graph. */
    public double[] mask() {
        return mask == null ? null : mask.clone();
    }

    /**
     * Initial spins of a restart: +1 on every node (0 on masked-out ones), then {@code flips} single-spin flips of
     * uniformly random nodes (of the subgraph's nodes for a masked glass; repeats allowed).
     */
    public double[] initialSpins(long flips, SplittableRandom random) {
        if (mask == null) {
            return initialSpins(graph.nodeCount(), flips, random);
        }
        double[] s = mask.clone();
        for (long k = 0; k < flips && activeNodes.length > 0; k++) {
            int i = activeNodes[random.nextInt(activeNodes.length)];
            s[i] = -s[i];
        }
        return s;
    }

    public int nodeCount() {
        return graph.nodeCount();
    }

    /** sum |A| over edges. */
    public double absWeightSum() {
        return absSum;
    }

    /** True when no edge joins two nodes of one node set (every network graph). */
    public boolean independentSets() {
        return independentSets;
    }

    /**
     * h = A s + A^T s (overwrites h). For a masked glass only the partitions (channel planes, mostly) that hold an
     * active node are computed; h is 0 on the others, where it is never used (a masked-out node's row sum
     * s_i h_i is 0 whatever h_i is).
     */
    public void fields(double[] s, double[] h, boolean parallel) {
        Arrays.fill(h, 0);
        if (mask == null) {
            graph.multiply(s, h, parallel);
            graph.multiplyTranspose(s, h, parallel);
            return;
        }
        for (EdgeBlock b : graph.blocks()) {
            multiplyActive(b, s, h, parallel);
        }
        for (EdgeBlock b : graph.blocks()) {
            Active a = active(b);
            runListed(
                    a.in,
                    0,
                    b.inputPartitions(),
                    parallel && b.transposeParallelSafe(),
                    (parts, from, to) -> b.multiplyTransposeListed(s, h, parts, from, to));
        }
    }

    /** h restricted to node set {@code set}: zeroes that range of h and fills it; other entries untouched. */
    public void fieldsOfSet(int set, double[] s, double[] h, boolean parallel) {
        if (rangesBySet == null) {
            rangesBySet = graph.inputRangesBySet();
        }
        NodeSet ns = graph.nodeSets().get(set);
        Arrays.fill(h, ns.offset(), ns.end(), 0);
        for (EdgeBlock b : graph.producersOf(set)) {
            multiplyActive(b, s, h, parallel);
        }
        for (SignedGraph.PartitionRange r : rangesBySet.get(set)) {
            EdgeBlock b = r.block();
            if (mask == null) {
                SignedGraph.runPartitions(
                        r.to() - r.from(),
                        parallel && b.transposeParallelSafe(),
                        (from, to) -> b.multiplyTranspose(s, h, r.from() + from, r.from() + to));
            } else {
                runListed(
                        active(b).in,
                        r.from(),
                        r.to(),
                        parallel && b.transposeParallelSafe(),
                        (parts, from, to) -> b.multiplyTransposeListed(s, h, parts, from, to));
            }
        }
    }

    /**
     * The fields of several spin vectors at once: {@code h[c] = A s[c] + Aᵀ s[c]} for every column c (overwrites
     * h), each column bit for bit {@link #fields}{@code (s[c], h[c], parallel)}. An unmasked glass runs one
     * {@link SignedGraph#multiplyMany} and one {@link SignedGraph#multiplyTransposeMany} for all columns; a masked
     * one computes the columns one by one. Cost O(r · edges).
     */
    public void fieldsMany(double[][] s, double[][] h, boolean parallel) {
        if (mask != null) {
            for (int c = 0; c < s.length; c++) {
                fields(s[c], h[c], parallel);
            }
            return;
        }
        for (double[] column : h) {
            Arrays.fill(column, 0);
        }
        graph.multiplyMany(s, h, parallel);
        graph.multiplyTransposeMany(s, h, parallel);
    }

    /**
     * {@link #fieldsOfSet} of several spin vectors at once: for every column c, {@code h[c]} restricted to node set
     * {@code set} (that range zeroed and filled, other entries untouched), bit for bit the single-vector result.
     * Unmasked, each block that touches the set runs once for all r columns (each weight loaded once); masked, the
     * columns go one by one. Cost O(r · edges into and out of the set).
     */
    public void fieldsOfSetMany(int set, double[][] s, double[][] h, boolean parallel) {
        graph.checkColumns(s, h);
        if (mask != null || s.length == 1) {
            for (int c = 0; c < s.length; c++) {
                fieldsOfSet(set, s[c], h[c], parallel);
            }
            return;
        }
        if (rangesBySet == null) {
            rangesBySet = graph.inputRangesBySet();
        }
        NodeSet ns = graph.nodeSets().get(set);
        for (double[] column : h) {
            Arrays.fill(column, ns.offset(), ns.end(), 0);
        }
        for (EdgeBlock b : graph.producersOf(set)) {
            SignedGraph.runMany(
                    b.outputPartitions(),
                    s.length,
                    parallel,
                    true,
                    b.splitsColumns(),
                    (c0, c1, from, to) ->
                            b.multiplyMany(SignedGraph.columns(s, c0, c1), SignedGraph.columns(h, c0, c1), from, to));
        }
        for (SignedGraph.PartitionRange r : rangesBySet.get(set)) {
            EdgeBlock b = r.block();
            SignedGraph.runMany(
                    r.to() - r.from(),
                    s.length,
                    parallel,
                    b.transposeParallelSafe(),
                    b.splitsColumns(),
                    (c0, c1, from, to) -> b.multiplyTransposeMany(
                            SignedGraph.columns(s, c0, c1),
                            SignedGraph.columns(h, c0, c1),
                            r.from() + from,
                            r.from() + to));
        }
    }

    /** y += A s over the block's output partitions (only those with an active node for a masked glass). */
    private void multiplyActive(EdgeBlock b, double[] s, double[] y, boolean parallel) {
        if (mask == null) {
            SignedGraph.runPartitions(b.outputPartitions(), parallel, (from, to) -> b.multiply(s, y, from, to));
        } else {
            runListed(
                    active(b).out,
                    0,
                    b.outputPartitions(),
                    parallel,
                    (parts, from, to) -> b.multiplyListed(s, y, parts, from, to));
        }
    }

    /** The output and input partitions of one block that hold at least one active node (sorted). */
    private record Active(int[] out, int[] in) {}

    private final Map<EdgeBlock, Active> activeByBlock = new IdentityHashMap<>();

    private synchronized Active active(EdgeBlock b) {
        Active a = activeByBlock.get(b);
        if (a == null) {
            int outs = b.outputPartitions(), size = outs == 0 ? 0 : b.outputCount() / outs;
            IntStream.Builder out = IntStream.builder();
            for (int p = 0; p < outs; p++) {
                if (anyActive(b.outputOffset() + p * size, size)) {
                    out.add(p);
                }
            }
            IntStream.Builder in = IntStream.builder();
            for (int p = 0; p < b.inputPartitions(); p++) {
                if (anyActive(b.inputPartitionNode(p), b.inputPartitionSize())) {
                    in.add(p);
                }
            }
            a = new Active(out.build().toArray(), in.build().toArray());
            activeByBlock.put(b, a);
        }
        return a;
    }

    private boolean anyActive(int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (mask[i] == 1) {
                return true;
            }
        }
        return false;
    }

    /** Work on the listed partitions parts[from..to). */
    private interface ListTask {
        void run(int[] parts, int from, int to);
    }

    /**
     * Runs {@code task} over the listed partitions that lie in [lo, hi), the list cut into chunks for the pool;
     * only the work split, never a result, depends on the threads.
     */
    private static void runListed(int[] parts, int lo, int hi, boolean parallel, ListTask task) {
        int a = lowerBound(parts, lo), b = lowerBound(parts, hi);
        SignedGraph.runPartitions(b - a, parallel, (from, to) -> task.run(parts, a + from, a + to));
    }

    private static int lowerBound(int[] sorted, int key) {
        int i = Arrays.binarySearch(sorted, key);
        return i >= 0 ? i : -i - 1;
    }

    /** y += A s, for a masked glass only on partitions with an active node (exact wherever s_i != 0 may be). */
    void multiply(double[] s, double[] y, boolean parallel) {
        for (EdgeBlock b : graph.blocks()) {
            multiplyActive(b, s, y, parallel);
        }
    }

    /** Frustrated weight (sum|A| - s^T A s) / 2, from scratch over all edges. */
    public double frustratedWeight(double[] s, boolean parallel) {
        double[] y = new double[s.length];
        multiply(s, y, parallel);
        double sas = 0;
        for (int i = 0; i < s.length; i++) {
            sas += s[i] * y[i];
        }
        return (absSum - sas) / 2;
    }

    /** e(s), from scratch over all edges. */
    public double epsilon(double[] s, boolean parallel) {
        return frustratedWeight(s, parallel) / absSum;
    }

    /** e(s) from the sum T of the row sums of S A_u S: e = (1 - T / (2 sum|A|)) / 2. */
    public double epsilonFromRowSumTotal(double total) {
        return 0.5 * (1 - total / (2 * absSum));
    }

    /** d_i = sum_j |A_u|_ij, the total |weight| at each node (computed once). */
    public synchronized double[] strengths() {
        if (strengths == null) {
            SignedGraph abs = graph.absolute();
            double[] one = new double[graph.nodeCount()];
            Arrays.fill(one, 1);
            double[] d = new double[one.length];
            abs.multiply(one, d, true);
            abs.multiplyTranspose(one, d, true);
            strengths = d;
        }
        return strengths;
    }

    /** Number of nodes whose row sum r_i = s_i h_i is negative beyond rounding (1e-9 of the node's strength). */
    public int negativeRowSums(double[] s, boolean parallel) {
        return check(s, parallel).negativeRowSums();
    }

    /** e(s) and the local-minimum test of a final state, both from one from-scratch computation of the fields. */
    public record Check(double epsilon, int negativeRowSums) {}

    /**
     * From scratch over all edges: h = A_u s, e(s) = (1 - s.h / (2 sum|A|)) / 2 (since s.h = 2 s^T A s), and the
     * number of negative row sums s_i h_i (beyond 1e-9 of the node's strength).
     */
    public Check check(double[] s, boolean parallel) {
        double[] h = new double[s.length];
        fields(s, h, parallel);
        int negative = 0;
        double sh = 0;
        for (int i = 0; i < s.length; i++) {
            double r = s[i] * h[i];
            sh += r;
            if (r < 0) {
                negative++;
            }
        }
        if (negative > 0) {
            // judge the negative ones against rounding: the node strengths are needed only now
            double[] d = strengths();
            negative = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] * h[i] < -1e-9 * d[i]) {
                    negative++;
                }
            }
        }
        return new Check(epsilonFromRowSumTotal(sh), negative);
    }

    /**
     * The result of a restart that ends in spins {@code s}: e(s) and the local-minimum test recomputed from scratch
     * ({@link #check}), next to the incrementally tracked row-sum total.
     */
    RestartResult finish(
            double[] s, double trackedTotal, long flips, long steps, long startNanos, Trace trace, boolean parallel) {
        Check check = check(s, parallel);
        return new RestartResult(
                check.epsilon(),
                epsilonFromRowSumTotal(trackedTotal),
                flips,
                steps,
                (System.nanoTime() - startNanos) / 1e9,
                check.negativeRowSums(),
                s,
                trace.toArray());
    }

    /** All spins +1, then {@code flips} single-spin flips of uniformly random nodes (repeats allowed). */
    public static double[] initialSpins(int n, long flips, SplittableRandom random) {
        double[] s = new double[n];
        Arrays.fill(s, 1.0);
        for (long k = 0; k < flips; k++) {
            int i = random.nextInt(n);
            s[i] = -s[i];
        }
        return s;
    }
}
