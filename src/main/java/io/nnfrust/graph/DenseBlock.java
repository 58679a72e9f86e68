package io.nnfrust.graph;

/**
 * A dense (fully connected) layer: every input element connects to every output node with weight
 * {@code W[out][in]} (paper SI D.1). Gemm's alpha is folded into W. Cost O(outputs x inputs) for products.
 */
public final class DenseBlock extends EdgeBlock {
    private final int outFeatures;
    private final int inFeatures;
    private final float[] weights;
    private final int[] inNode;

    /** @param weights row-major [outFeatures][inFeatures] */
    public DenseBlock(String name, PlaneLayout input, int outputOffset, int outFeatures, float[] weights) {
        super(name, input, outputOffset);
        this.outFeatures = outFeatures;
        this.inFeatures = input.elementCount();
        if ((long) outFeatures * inFeatures != weights.length) {
            throw new IllegalArgumentException(name + ": weight matrix has " + weights.length + " values, expected "
                    + outFeatures + "x" + inFeatures);
        }
        this.weights = weights;
        this.inNode = new int[inFeatures];
        for (int k = 0; k < inFeatures; k++) {
            inNode[k] = input.nodeOfElement(k);
        }
    }

    @Override
    public String kind() {
        return "Dense";
    }

    public int outFeatures() {
        return outFeatures;
    }

    public int inFeatures() {
        return inFeatures;
    }

    /** The weight matrix, shared (not copied); callers must not modify it. */
    public float[] matrix() {
        return weights;
    }

    public DenseBlock withMatrix(float[] matrix) {
        return new DenseBlock(name, input, outputOffset, outFeatures, matrix);
    }

    @Override
    public int outputCount() {
        return outFeatures;
    }

    @Override
    public long edgeCount() {
        return (long) outFeatures * inFeatures;
    }

    @Override
    public double absWeightSum() {
        double sum = 0;
        for (float w : weights) {
            sum += Math.abs(w);
        }
        return sum;
    }

    @Override
    public long weightParameterCount() {
        return weights.length;
    }

    @Override
    public int outputPartitions() {
        return outFeatures;
    }

    @Override
    public int inputPartitions() {
        return inFeatures;
    }

    @Override
    public boolean transposeParallelSafe() {
        return input.distinctPlanes();
    }

    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        for (int o = from; o < to; o++) {
            final int row = o * inFeatures;
            double s = 0;
            for (int k = 0; k < inFeatures; k++) {
                s += weights[row + k] * x[inNode[k]];
            }
            y[outputOffset + o] += s;
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        for (int o = 0; o < outFeatures; o++) {
            final double xo = x[outputOffset + o];
            if (xo == 0.0) {
                continue;
            }
            final int row = o * inFeatures;
            for (int k = from; k < to; k++) {
                y[inNode[k]] += weights[row + k] * xo;
            }
        }
    }

    /**
     * Four columns per pass over a weight row: each weight and input index is loaded once for four columns, and
     * the four sums are independent chains (the single-vector loop waits on one). Every column's sum is formed
     * in the single-vector order, bit for bit. Cost O(r · outputs · inputs) over the partitions.
     */
    @Override
    public void multiplyMany(double[][] x, double[][] y, int from, int to) {
        int c = 0;
        for (; c + 4 <= x.length; c += 4) {
            final double[] x0 = x[c], x1 = x[c + 1], x2 = x[c + 2], x3 = x[c + 3];
            final double[] y0 = y[c], y1 = y[c + 1], y2 = y[c + 2], y3 = y[c + 3];
            for (int o = from; o < to; o++) {
                final int row = o * inFeatures;
                double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int k = 0; k < inFeatures; k++) {
                    final double w = weights[row + k];
                    final int node = inNode[k];
                    s0 += w * x0[node];
                    s1 += w * x1[node];
                    s2 += w * x2[node];
                    s3 += w * x3[node];
                }
                final int at = outputOffset + o;
                y0[at] += s0;
                y1[at] += s1;
                y2[at] += s2;
                y3[at] += s3;
            }
        }
        for (; c < x.length; c++) {
            multiply(x[c], y[c], from, to);
        }
    }

    /**
     * Four columns per pass over a weight row, as {@link #multiplyMany}; a row whose source value is zero in some
     * of the four columns is skipped for those columns only, as the single-vector loop does. Bit for bit per
     * column; cost O(r · outputs · inputs of the partitions).
     */
    @Override
    public void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        int c = 0;
        for (; c + 4 <= x.length; c += 4) {
            final double[] y0 = y[c], y1 = y[c + 1], y2 = y[c + 2], y3 = y[c + 3];
            for (int o = 0; o < outFeatures; o++) {
                final int at = outputOffset + o, row = o * inFeatures;
                final double a0 = x[c][at], a1 = x[c + 1][at], a2 = x[c + 2][at], a3 = x[c + 3][at];
                if (a0 == 0.0 || a1 == 0.0 || a2 == 0.0 || a3 == 0.0) {
                    transposeRow(row, a0, y0, from, to);
                    transposeRow(row, a1, y1, from, to);
                    transposeRow(row, a2, y2, from, to);
                    transposeRow(row, a3, y3, from, to);
                    continue;
                }
                for (int k = from; k < to; k++) {
                    final double w = weights[row + k];
                    final int node = inNode[k];
                    y0[node] += w * a0;
                    y1[node] += w * a1;
                    y2[node] += w * a2;
                    y3[node] += w * a3;
                }
            }
        }
        for (; c < x.length; c++) {
            multiplyTranspose(x[c], y[c], from, to);
        }
    }

    /** y[inNode[k]] += W[row + k] · xo for k in [from, to), nothing when xo is zero (one row of Aᵀ x). */
    private void transposeRow(int row, double xo, double[] y, int from, int to) {
        if (xo == 0.0) {
            return;
        }
        for (int k = from; k < to; k++) {
            y[inNode[k]] += weights[row + k] * xo;
        }
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        final int row = localOutput * inFeatures;
        final int target = outputOffset + localOutput;
        for (int k = 0; k < inFeatures; k++) {
            visitor.edge(inNode[k], target, weights[row + k]);
        }
    }

    @Override
    public void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor) {
        final int k = inputChannel * input.planeSize() + offsetInPlane;
        final int source = inNode[k];
        for (int o = 0; o < outFeatures; o++) {
            visitor.edge(source, outputOffset + o, weights[o * inFeatures + k]);
        }
    }

    @Override
    public int inputPartitionSize() {
        return 1;
    }

    @Override
    public int inputPartitionNode(int p) {
        return inNode[p];
    }

    @Override
    public EdgeBlock absolute() {
        return withMatrix(absoluteCopy(weights));
    }

    @Override
    public EdgeBlock pattern() {
        return withMatrix(ones(weights.length));
    }
}
