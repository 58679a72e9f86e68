package io.nnfrust.graph;

import java.util.Arrays;

/**
 * One weight layer of the network as a block of the adjacency matrix A, stored matrix-free: only the layer's
 * parameters and geometry are kept, never per-edge data. Edges run from the block's input nodes (a
 * {@link PlaneLayout}, possibly spread over several node sets) to a contiguous range of output nodes.
 *
 * <p>Work is split into <em>output partitions</em> (rows of A that one task may update alone) and <em>input
 * partitions</em> (for A-transpose); {@link SignedGraph} runs partitions in parallel, each partition sums in a
 * fixed order, so results do not depend on the thread count.
 */
public abstract sealed class EdgeBlock
        permits ConvolutionBlock, DenseBlock, PoolingBlock, IdentityBlock, SparseBlock, PerEdgeConvolutionBlock {
    protected final String name;
    protected final PlaneLayout input;
    protected final int outputOffset;

    protected EdgeBlock(String name, PlaneLayout input, int outputOffset) {
        this.name = name;
        this.input = input;
        this.outputOffset = outputOffset;
    }

    public String name() {
        return name;
    }

    /** Short operator label: Conv, Dense, Pool, Identity. */
    public abstract String kind();

    public PlaneLayout input() {
        return input;
    }

    public int outputOffset() {
        return outputOffset;
    }

    public abstract int outputCount();

    /** Number of edges (weight uses) in this block. */
    public abstract long edgeCount();

    /** Sum of |weight| over all edges of this block, accumulated in double. */
    public abstract double absWeightSum();

    /** Number of learnable parameters this block carries (weights only; biases are not edges). */
    public abstract long weightParameterCount();

    public abstract int outputPartitions();

    public abstract int inputPartitions();

    /** y += A_block x, restricted to output partitions [from, to). */
    public abstract void multiply(double[] x, double[] y, int from, int to);

    /** y += A_block^T x, restricted to input partitions [from, to). */
    public abstract void multiplyTranspose(double[] x, double[] y, int from, int to);

    /**
     * Several vectors at once: {@code y[c] += A_block x[c]} for every column c, over output partitions
     * [from, to). Each column's result is bit for bit that of {@link #multiply}{@code (x[c], y[c], from, to)}
     * (same terms, same order). This default loops over the columns; blocks whose single-vector product pays
     * per-call or per-term overhead (convolutions, dense layers) override it with one pass that applies each
     * weight to all columns. Cost O(r · edges of the partitions) for r columns; no allocation per edge.
     */
    public void multiplyMany(double[][] x, double[][] y, int from, int to) {
        for (int c = 0; c < x.length; c++) {
            multiply(x[c], y[c], from, to);
        }
    }

    /**
     * {@code y[c] += A_block^T x[c]} for every column c, over input partitions [from, to); per column bit for bit
     * {@link #multiplyTranspose}. Cost O(r · edges of the partitions).
     */
    public void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        for (int c = 0; c < x.length; c++) {
            multiplyTranspose(x[c], y[c], from, to);
        }
    }

    /**
     * y += A_block x over the output partitions {@code parts[from..to)} (sorted, distinct): the products of an
     * active subnetwork, which skip partitions without an active node. Runs of consecutive partitions become one
     * {@link #multiply} call; blocks that pay a set-up cost per call override this.
     */
    public void multiplyListed(double[] x, double[] y, int[] parts, int from, int to) {
        forEachRun(parts, from, to, (start, end) -> multiply(x, y, start, end));
    }

    /** y += A_block^T x over the input partitions {@code parts[from..to)} (sorted, distinct). */
    public void multiplyTransposeListed(double[] x, double[] y, int[] parts, int from, int to) {
        forEachRun(parts, from, to, (start, end) -> multiplyTranspose(x, y, start, end));
    }

    /** Calls {@code task} once per run of consecutive partitions in {@code parts[from..to)}. */
    private static void forEachRun(int[] parts, int from, int to, SignedGraph.RangeTask task) {
        for (int i = from; i < to; ) {
            int start = parts[i], end = start + 1;
            i++;
            while (i < to && parts[i] == end) {
                end++;
                i++;
            }
            task.run(start, end);
        }
    }

    /** Edges into output node {@code outputOffset + localOutput}. */
    public abstract void forEachInEdge(int localOutput, EdgeVisitor visitor);

    /** Edges out of the input element at (channel, offset within that channel's plane). */
    public abstract void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor);

    /** Every edge of the block, output node by output node. */
    public void forEachEdge(EdgeVisitor visitor) {
        int n = outputCount();
        for (int o = 0; o < n; o++) {
            forEachInEdge(o, visitor);
        }
    }

    /** First node of input partition {@code p} (partitions never straddle node sets). */
    public int inputPartitionNode(int p) {
        return input.base(p);
    }

    /** Number of consecutive nodes that input partition p covers (a channel plane; 1 for dense inputs). */
    public int inputPartitionSize() {
        return input.planeSize();
    }

    /** A copy of {@code w} with every value replaced by its absolute value. */
    protected static float[] absoluteCopy(float[] w) {
        float[] a = new float[w.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.abs(w[i]);
        }
        return a;
    }

    /** The same block with every weight replaced by its absolute value. */
    public abstract EdgeBlock absolute();

    /**
     * The same block with every weight replaced by 1, zero weights included (its products count edges: the
     * active subnetwork's reachability and edge count).
     */
    public abstract EdgeBlock pattern();

    /** An array of {@code n} ones. */
    protected static float[] ones(int n) {
        float[] a = new float[n];
        Arrays.fill(a, 1f);
        return a;
    }

    /**
     * True when parallel products with several vectors may split the columns among tasks (each task then reads
     * every weight); false for blocks whose kernels gain most from keeping all columns together, which are then
     * split by partitions only.
     */
    public boolean splitsColumns() {
        return true;
    }

    /** True when {@link #multiplyTranspose} may run input partitions in parallel (no two share a node). */
    public boolean transposeParallelSafe() {
        return input.distinctPlanes();
    }
}
