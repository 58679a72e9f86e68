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
