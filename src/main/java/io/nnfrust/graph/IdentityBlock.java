package io.nnfrust.graph;

/**
 * Weight-1 edges from each element of an addend to the matching node of a residual sum (paper SI D.1:
 * z_l = sigma(W z_{l-1} + b + sum_k z_k)). The output is a contiguous range in C-order of the input's shape.
 */
public final class IdentityBlock extends EdgeBlock {
    private final double weight;

    public IdentityBlock(String name, PlaneLayout input, int outputOffset, double weight) {
        super(name, input, outputOffset);
        this.weight = weight;
    }

    public IdentityBlock(String name, PlaneLayout input, int outputOffset) {
        this(name, input, outputOffset, 1.0);
    }

    @Override
    public String kind() {
        return "Residual";
    }

    @Override
    public int outputCount() {
        return input.elementCount();
    }

    @Override
    public long edgeCount() {
        return input.elementCount();
    }

    @Override
    public double absWeightSum() {
        return Math.abs(weight) * input.elementCount();
    }

    @Override
    public long weightParameterCount() {
        return 0;
    }

    @Override
    public int outputPartitions() {
        return input.channels;
    }

    @Override
    public int inputPartitions() {
        return input.channels;
    }

    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        final int plane = input.planeSize();
        for (int c = from; c < to; c++) {
            final int in = input.base(c), out = outputOffset + c * plane;
            for (int k = 0; k < plane; k++) {
                y[out + k] += weight * x[in + k];
            }
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        final int plane = input.planeSize();
        for (int c = from; c < to; c++) {
            final int in = input.base(c), out = outputOffset + c * plane;
            for (int k = 0; k < plane; k++) {
                y[in + k] += weight * x[out + k];
            }
        }
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        visitor.edge(input.nodeOfElement(localOutput), outputOffset + localOutput, weight);
    }

    @Override
    public void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor) {
        visitor.edge(
                input.base(inputChannel) + offsetInPlane,
                outputOffset + inputChannel * input.planeSize() + offsetInPlane,
                weight);
    }

    @Override
    public EdgeBlock absolute() {
        return new IdentityBlock(name, input, outputOffset, Math.abs(weight));
    }

    @Override
    public EdgeBlock pattern() {
        return new IdentityBlock(name, input, outputOffset, 1.0);
    }
}
