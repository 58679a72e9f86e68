package io.nnfrust.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The signed directed acyclic graph of a network (paper eq. 5, SI D): nodes are tensor elements grouped in
 * {@link NodeSet}s, edges are weight uses grouped in matrix-free {@link EdgeBlock}s. Entry A[i][j] is the weight
 * of edge j -> i. Node sets are numbered in topological order, so every edge goes from a lower-numbered node
 * set to a higher one.
 *
 * <p>Memory is O(nodes + parameters): no per-edge data is stored. Products with A and A^T are O(edges) and run
 * block by block, each block split into partitions that run in parallel; the summation order inside a
 * partition is fixed, so results are bit-identical whatever the number of threads.
 */
public final class SignedGraph {
    private final List<NodeSet> nodeSets;
    private final List<EdgeBlock> blocks;
    private final int nodeCount;
    private final int[] setOffsets;
    /** Per node set: the blocks writing into it. */
    private final List<List<EdgeBlock>> producers;
    /** Per node set: the block inputs reading from it. */
    private final List<List<Consumer>> consumers;

    /** A block reading planes of {@code planeSize} nodes of a node set; {@code channelAt[q]} is the block's input channel of the set's q-th plane, or -1. */
    private record Consumer(EdgeBlock block, int planeSize, int[] channelAt) {}

    public SignedGraph(List<NodeSet> nodeSets, List<EdgeBlock> blocks) {
        this.nodeSets = List.copyOf(nodeSets);
        this.blocks = List.copyOf(blocks);
        int n = 0;
        setOffsets = new int[nodeSets.size()];
        for (int s = 0; s < nodeSets.size(); s++) {
            NodeSet set = nodeSets.get(s);
            if (set.offset() != n || set.index() != s) {
                throw new IllegalArgumentException("node set " + set.name() + " is not contiguous in order");
            }
            setOffsets[s] = n;
            n += set.size();
        }
        nodeCount = n;
        producers = new ArrayList<>();
        consumers = new ArrayList<>();
        for (int s = 0; s < nodeSets.size(); s++) {
            producers.add(new ArrayList<>());
            consumers.add(new ArrayList<>());
        }
        for (EdgeBlock b : blocks) {
            int s = setOf(b.outputOffset());
            NodeSet set = nodeSets.get(s);
            if (b.outputOffset() + b.outputCount() > set.end()) {
                throw new IllegalArgumentException("block " + b.name() + " writes past node set " + set.name());
            }
            producers.get(s).add(b);
            indexConsumer(b);
        }
    }

    private void indexConsumer(EdgeBlock b) {
        PlaneLayout in = b.input();
        int plane = in.planeSize();
        for (int c = 0; c < in.channels; c++) {
            int base = in.base(c);
            int s = setOf(base);
            NodeSet set = nodeSets.get(s);
            int local = base - set.offset();
            if (local % plane != 0 || base + plane > set.end()) {
                throw new IllegalArgumentException(
                        "block " + b.name() + " reads a plane not aligned to node set " + set.name());
            }
            int q = local / plane;
            List<Consumer> list = consumers.get(s);
            Consumer target = null;
            for (Consumer cons : list) {
                if (cons.block == b && cons.planeSize == plane && cons.channelAt[q] < 0) {
                    target = cons;
                    break;
                }
            }
            if (target == null) {
                int[] at = new int[set.size() / plane];
                Arrays.fill(at, -1);
                target = new Consumer(b, plane, at);
                list.add(target);
            }
            target.channelAt[q] = c;
        }
    }

    public int nodeCount() {
        return nodeCount;
    }

    public List<NodeSet> nodeSets() {
        return nodeSets;
    }

    public List<EdgeBlock> blocks() {
        return blocks;
    }

    /** Blocks writing into node set {@code s}. */
    public List<EdgeBlock> producersOf(int s) {
        return Collections.unmodifiableList(producers.get(s));
    }

    /** Index of the node set holding {@code node}. O(log sets). */
    public int setOf(int node) {
        if (node < 0 || node >= nodeCount) {
            throw new IndexOutOfBoundsException("node " + node + " not in [0, " + nodeCount + ")");
        }
        int i = Arrays.binarySearch(setOffsets, node);
        return i >= 0 ? i : -i - 2;
    }

    public long edgeCount() {
        long e = 0;
        for (EdgeBlock b : blocks) {
            e += b.edgeCount();
        }
        return e;
    }

    /** Sum of |A| over all edges, in double. */
    public double absWeightSum() {
        double s = 0;
        for (EdgeBlock b : blocks) {
            s += b.absWeightSum();
        }
        return s;
    }

    /** y += A x over the whole graph (sequential). */
    public void multiply(double[] x, double[] y) {
        multiply(x, y, false);
    }

    /** y += A^T x over the whole graph (sequential). */
    public void multiplyTranspose(double[] x, double[] y) {
        multiplyTranspose(x, y, false);
    }

    /** y += A x; with {@code parallel}, each block's output partitions run on the common fork-join pool. */
    public void multiply(double[] x, double[] y, boolean parallel) {
        checkVectors(x, y);
        for (EdgeBlock b : blocks) {
            run(b.outputPartitions(), parallel, (from, to) -> b.multiply(x, y, from, to));
        }
    }

    /** y += A^T x; with {@code parallel}, input partitions of a block run in parallel where they share no node. */
    public void multiplyTranspose(double[] x, double[] y, boolean parallel) {
        checkVectors(x, y);
        for (EdgeBlock b : blocks) {
            run(
                    b.inputPartitions(),
                    parallel && b.transposeParallelSafe(),
                    (from, to) -> b.multiplyTranspose(x, y, from, to));
        }
    }

    /**
     * Several vectors at once: {@code y[c] += A x[c]} for every column c of the n×r block (x and y given by
     * columns, {@code x[c].length == n}). Block by block, each block's output partitions in parallel as in
     * {@link #multiply(double[], double[], boolean)}; every column is bit for bit the single-vector product of
     * that column, whatever the thread count. Cost O(r · edges); the convolution and dense kernels load each
     * weight once for all r columns.
     */
    public void multiplyMany(double[][] x, double[][] y, boolean parallel) {
        checkColumns(x, y);
        if (x.length == 0) {
            return;
        }
        for (EdgeBlock b : blocks) {
            runMany(
                    b.outputPartitions(),
                    x.length,
                    parallel,
                    true,
                    b.splitsColumns(),
                    (c0, c1, from, to) -> b.multiplyMany(columns(x, c0, c1), columns(y, c0, c1), from, to));
        }
    }

    /**
     * {@code y[c] += Aᵀ x[c]} for every column c; per column bit for bit
     * {@link #multiplyTranspose(double[], double[], boolean)}, whatever the thread count. Cost O(r · edges).
     */
    public void multiplyTransposeMany(double[][] x, double[][] y, boolean parallel) {
        checkColumns(x, y);
        if (x.length == 0) {
            return;
        }
        for (EdgeBlock b : blocks) {
            runMany(
                    b.inputPartitions(),
                    x.length,
                    parallel,
                    b.transposeParallelSafe(),
                    b.splitsColumns(),
                    (c0, c1, from, to) -> b.multiplyTransposeMany(columns(x, c0, c1), columns(y, c0, c1), from, to));
        }
    }

    /** Work on partitions [from, to). */
    public interface RangeTask {
        void run(int from, int to);
    }

    /** Runs {@code task} over [0, partitions), split into chunks on the common pool when {@code parallel}. */
    public static void runPartitions(int partitions, boolean parallel, RangeTask task) {
        run(partitions, parallel, task);
    }

    /** Work on columns [c0, c1) of a block of vectors and partitions [from, to). */
    public interface ColumnsTask {
        void run(int c0, int c1, int from, int to);
    }

    /** Chunks of partitions of a product with several vectors start at multiples of this (the kernel's blocks of four channels). */
    private static final int MANY_GRAIN = 4;

    /**
     * Runs {@code task} over {@code columns} columns × [0, partitions): in parallel, on about twice as many tasks as
     * cores, split first by columns (groups of at least two, so that every task keeps the kernels' column passes
     * and no two tasks copy the same source planes) and then, when {@code partitionsParallel}, by chunks of
     * partitions that start at multiples of four; a block that keeps all columns together ({@link
     * EdgeBlock#splitsColumns} false) is split by partitions only, when they may run in parallel. Columns never interact and a split never changes a partition's
     * result, so the results do not depend on the thread count. Sequential: one call for everything.
     */
    public static void runMany(
            int partitions,
            int columns,
            boolean parallel,
            boolean partitionsParallel,
            boolean splitColumns,
            ColumnsTask task) {
        int tasks = parallel ? 2 * Runtime.getRuntime().availableProcessors() : 1;
        int groups = splitColumns || !partitionsParallel ? Math.max(1, Math.min(columns / 2, tasks)) : 1;
        int units = (partitions + MANY_GRAIN - 1) / MANY_GRAIN;
        int chunks = partitionsParallel ? Math.max(1, Math.min(units, (tasks + groups - 1) / groups)) : 1;
        if (groups * chunks <= 1) {
            task.run(0, columns, 0, partitions);
            return;
        }
        IntStream.range(0, groups * chunks).parallel().forEach(k -> {
            int g = k / chunks, p = k % chunks;
            int c0 = (int) ((long) columns * g / groups), c1 = (int) ((long) columns * (g + 1) / groups);
            int from = Math.min(partitions, MANY_GRAIN * (int) ((long) units * p / chunks));
            int to = Math.min(partitions, MANY_GRAIN * (int) ((long) units * (p + 1) / chunks));
            if (c1 > c0 && to > from) {
                task.run(c0, c1, from, to);
            }
        });
    }

    /** Columns [c0, c1) of {@code v} (the same array when that is all of them). */
    public static double[][] columns(double[][] v, int c0, int c1) {
        return c0 == 0 && c1 == v.length ? v : Arrays.copyOfRange(v, c0, c1);
    }

    private static void run(int partitions, boolean parallel, RangeTask task) {
        int chunks = parallel ? Math.min(partitions, 4 * Runtime.getRuntime().availableProcessors()) : 1;
        if (chunks <= 1) {
            task.run(0, partitions);
            return;
        }
        IntStream.range(0, chunks).parallel().forEach(k -> {
            int from = (int) ((long) partitions * k / chunks);
            int to = (int) ((long) partitions * (k + 1) / chunks);
            task.run(from, to);
        });
    }

    private void checkVectors(double[] x, double[] y) {
        if (x.length != nodeCount || y.length != nodeCount) {
            throw new IllegalArgumentException("vectors must have length " + nodeCount);
        }
    }

    /**
     * Throws IllegalArgumentException unless x and y have the same number of columns, every column has
     * {@link #nodeCount} entries and no output column is also another column (of x or of y). O(r²).
     */
    public void checkColumns(double[][] x, double[][] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " input columns but " + y.length + " output columns");
        }
        for (int c = 0; c < x.length; c++) {
            checkVectors(x[c], y[c]);
        }
        // the kernels may copy columns in and out, so an output column must not alias any other column
        for (int c = 0; c < y.length; c++) {
            for (int d = 0; d < x.length; d++) {
                if (y[c] == x[d] || (d != c && y[c] == y[d])) {
                    throw new IllegalArgumentException("output column " + c + " is also column " + d
                            + (y[c] == x[d] ? " of the input" : " of the output"));
                }
            }
        }
    }

    /** Edges into {@code node} (row {@code node} of A). */
    public void forEachInEdge(int node, EdgeVisitor visitor) {
        int s = setOf(node);
        for (EdgeBlock b : producers.get(s)) {
            int local = node - b.outputOffset();
            if (local >= 0 && local < b.outputCount()) {
                b.forEachInEdge(local, visitor);
            }
        }
    }

    /** Edges out of {@code node} (column {@code node} of A). */
    public void forEachOutEdge(int node, EdgeVisitor visitor) {
        int s = setOf(node);
        int local = node - setOffsets[s];
        for (Consumer c : consumers.get(s)) {
            int ch = c.channelAt[local / c.planeSize];
            if (ch >= 0) {
                c.block.forEachOutEdge(ch, local % c.planeSize, visitor);
            }
        }
    }

    /** The explicit twin: same node sets, every block replaced by its {@link SparseBlock}. Small graphs only. */
    public SignedGraph explicit() {
        List<EdgeBlock> sparse = new ArrayList<>();
        for (EdgeBlock b : blocks) {
            sparse.add(b instanceof SparseBlock ? b : SparseBlock.of(b));
        }
        return new SignedGraph(nodeSets, sparse);
    }

    /** |A|: the same graph with absolute weights. */
    public SignedGraph absolute() {
        List<EdgeBlock> abs = new ArrayList<>();
        for (EdgeBlock b : blocks) {
            abs.add(b.absolute());
        }
        return new SignedGraph(nodeSets, abs);
    }

    /**
     * True when no edge joins two nodes of the same node set, so all nodes of a set may change spin at once
     * (true for every network graph; false for a graph read from an edge list).
     */
    public boolean setsAreIndependent() {
        for (EdgeBlock b : blocks) {
            int out = setOf(b.outputOffset());
            PlaneLayout in = b.input();
            for (int c = 0; c < in.channels; c++) {
                if (setOf(in.base(c)) == out) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A contiguous range of a block's input partitions that all lie in one node set. */
    public record PartitionRange(EdgeBlock block, int from, int to) {}

    /** For each node set, the ranges of input partitions of the blocks that read it (for A^T restricted to a set). */
    public List<List<PartitionRange>> inputRangesBySet() {
        List<List<PartitionRange>> bySet = new ArrayList<>();
        for (int s = 0; s < nodeSets.size(); s++) {
            bySet.add(new ArrayList<>());
        }
        for (EdgeBlock b : blocks) {
            int p = b.inputPartitions();
            int start = 0, cur = p > 0 ? setOf(b.inputPartitionNode(0)) : -1;
            for (int k = 1; k <= p; k++) {
                int s = k < p ? setOf(b.inputPartitionNode(k)) : -1;
                if (s != cur) {
                    bySet.get(cur).add(new PartitionRange(b, start, k));
                    start = k;
                    cur = s;
                }
            }
        }
        return bySet;
    }

    /** Every edge, block by block. */
    public void forEachEdge(EdgeVisitor visitor) {
        for (EdgeBlock b : blocks) {
            b.forEachEdge(visitor);
        }
    }
}
