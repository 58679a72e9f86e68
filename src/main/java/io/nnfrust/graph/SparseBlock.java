package io.nnfrust.graph;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * Edges stored explicitly (CSR by output node, CSC by input element): for signed graphs read from files, and as
 * the explicit twin of a matrix-free block (tests). O(edges) memory.
 */
public final class SparseBlock extends EdgeBlock {
    private final int outputs;
    private final int[] rowStart; // by local output
    private final int[] rowSource; // global source node
    private final double[] rowWeight;
    private final int[] colStart; // by input element (channel * planeSize + offset)
    private final int[] colTarget; // global target node
    private final double[] colWeight;
    private final double absSum;

    /**
     * @param sources global source node of each edge, which must be an element of {@code input}
     * @param elementOf input element index (channel * planeSize + offset) of each edge's source
     * @param targets local output index of each edge
     */
    public SparseBlock(
            String name,
            PlaneLayout input,
            int outputOffset,
            int outputs,
            int[] sources,
            int[] elementOf,
            int[] targets,
            double[] weights) {
        super(name, input, outputOffset);
        this.outputs = outputs;
        int m = sources.length;
        int elements = input.elementCount();
        rowStart = new int[outputs + 1];
        colStart = new int[elements + 1];
        for (int e = 0; e < m; e++) {
            rowStart[targets[e] + 1]++;
            colStart[elementOf[e] + 1]++;
        }
        for (int i = 0; i < outputs; i++) {
            rowStart[i + 1] += rowStart[i];
        }
        for (int i = 0; i < elements; i++) {
            colStart[i + 1] += colStart[i];
        }
        rowSource = new int[m];
        rowWeight = new double[m];
        colTarget = new int[m];
        colWeight = new double[m];
        int[] rf = Arrays.copyOf(rowStart, outputs), cf = Arrays.copyOf(colStart, elements);
        double abs = 0;
        for (int e = 0; e < m; e++) {
            int r = rf[targets[e]]++;
            rowSource[r] = sources[e];
            rowWeight[r] = weights[e];
            int c = cf[elementOf[e]]++;
            colTarget[c] = outputOffset + targets[e];
            colWeight[c] = weights[e];
            abs += Math.abs(weights[e]);
        }
        absSum = abs;
    }

    /** The same edges as {@code b} with each weight replaced by {@code f(weight)} (|w| or 1), whose Σ|w| is given. */
    private SparseBlock(SparseBlock b, DoubleUnaryOperator f, double absSum) {
        super(b.name, b.input, b.outputOffset);
        outputs = b.outputs;
        rowStart = b.rowStart;
        rowSource = b.rowSource;
        colStart = b.colStart;
        colTarget = b.colTarget;
        rowWeight = Arrays.stream(b.rowWeight).map(f).toArray();
        colWeight = Arrays.stream(b.colWeight).map(f).toArray();
        this.absSum = absSum;
    }

    @Override
    public EdgeBlock pattern() {
        return new SparseBlock(this, w -> 1.0, rowWeight.length);
    }

    /** The explicit twin of a block: same input layout, outputs and edges (in the block's enumeration order). */
    public static SparseBlock of(EdgeBlock b) {
        long m = b.edgeCount();
        if (m > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("block " + b.name() + " too large to materialise");
        }
        int[] src = new int[(int) m], el = new int[(int) m], dst = new int[(int) m];
        double[] w = new double[(int) m];
        PlaneLayout in = b.input();
        int[] k = {0};
        for (int c = 0; c < in.channels; c++) {
            for (int off = 0; off < in.planeSize(); off++) {
                final int element = c * in.planeSize() + off;
                b.forEachOutEdge(c, off, (s, t, wt) -> {
                    src[k[0]] = s;
                    el[k[0]] = element;
                    dst[k[0]] = t - b.outputOffset();
                    w[k[0]++] = wt;
                });
            }
        }
        return new SparseBlock(b.name(), in, b.outputOffset(), b.outputCount(), src, el, dst, w);
    }

    @Override
    public String kind() {
        return "Sparse";
    }

    @Override
    public int outputCount() {
        return outputs;
    }

    @Override
    public long edgeCount() {
        return rowSource.length;
    }

    @Override
    public double absWeightSum() {
        return absSum;
    }

    @Override
    public long weightParameterCount() {
        return rowSource.length;
    }

    @Override
    public int outputPartitions() {
        return outputs;
    }

    @Override
    public int inputPartitions() {
        return input.channels;
    }

    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        for (int o = from; o < to; o++) {
            double s = 0;
            for (int k = rowStart[o]; k < rowStart[o + 1]; k++) {
                s += rowWeight[k] * x[rowSource[k]];
            }
            y[outputOffset + o] += s;
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        int plane = input.planeSize();
        for (int c = from; c < to; c++) {
            int base = input.base(c);
            for (int off = 0; off < plane; off++) {
                int e = c * plane + off;
                double s = 0;
                for (int k = colStart[e]; k < colStart[e + 1]; k++) {
                    s += colWeight[k] * x[colTarget[k]];
                }
                y[base + off] += s;
            }
        }
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        int t = outputOffset + localOutput;
        for (int k = rowStart[localOutput]; k < rowStart[localOutput + 1]; k++) {
            visitor.edge(rowSource[k], t, rowWeight[k]);
        }
    }

    @Override
    public void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor) {
        int e = inputChannel * input.planeSize() + offsetInPlane;
        int s = input.base(inputChannel) + offsetInPlane;
        for (int k = colStart[e]; k < colStart[e + 1]; k++) {
            visitor.edge(s, colTarget[k], colWeight[k]);
        }
    }

    @Override
    public EdgeBlock absolute() {
        return new SparseBlock(this, Math::abs, absSum);
    }
}
