package io.nnfrust.graph;

/**
 * A max or average pooling layer (paper SI D.1): each channel's window positions are edges of one fixed,
 * non-trainable weight (by default 0.01/p for a p x p window; see docs/conventions.md for other windows).
 * Window taps outside the input (padding, ceil-mode overhang) are not edges. Max and average pooling give the
 * same block; they differ only in the active subnetwork of an input. The input may be a window (crop) of larger
 * stored planes, as for {@link ConvolutionBlock}.
 */
public final class PoolingBlock extends EdgeBlock {
    private final WindowGeometry geometry;
    private final double weight;
    private final boolean max;

    public PoolingBlock(
            String name, PlaneLayout input, int outputOffset, WindowGeometry geometry, double weight, boolean max) {
        super(name, input, outputOffset);
        if (input.height != geometry.planeHeight || input.width != geometry.planeWidth) {
            throw new IllegalArgumentException(name + ": input plane does not match pooling geometry");
        }
        this.geometry = geometry;
        this.weight = weight;
        this.max = max;
    }

    @Override
    public String kind() {
        return max ? "MaxPool" : "AvgPool";
    }

    public boolean isMax() {
        return max;
    }

    public double weight() {
        return weight;
    }

    public WindowGeometry geometry() {
        return geometry;
    }

    @Override
    public int outputCount() {
        return input.channels * geometry.outHeight * geometry.outWidth;
    }

    @Override
    public long edgeCount() {
        return (long) input.channels * geometry.validTapCount();
    }

    @Override
    public double absWeightSum() {
        return Math.abs(weight) * edgeCount();
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
        final WindowGeometry g = geometry;
        final int outPlane = g.outHeight * g.outWidth;
        for (int c = from; c < to; c++) {
            final int outBase = outputOffset + c * outPlane;
            final int inBase = input.base(c);
            for (int i = 0; i < g.kernelHeight; i++) {
                for (int j = 0; j < g.kernelWidth; j++) {
                    final int c0 = g.colFirst(j), c1 = g.colLast(j);
                    for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                        ConvolutionBlock.axpyStrided(
                                weight,
                                x,
                                inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j)),
                                g.strideWidth,
                                y,
                                outBase + oh * g.outWidth,
                                c0,
                                c1);
                    }
                }
            }
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        final WindowGeometry g = geometry;
        final int outPlane = g.outHeight * g.outWidth;
        for (int c = from; c < to; c++) {
            final int outBase = outputOffset + c * outPlane;
            final int inBase = input.base(c);
            for (int i = 0; i < g.kernelHeight; i++) {
                for (int j = 0; j < g.kernelWidth; j++) {
                    final int c0 = g.colFirst(j), c1 = g.colLast(j);
                    for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                        ConvolutionBlock.scatterStrided(
                                weight,
                                x,
                                outBase + oh * g.outWidth,
                                y,
                                inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j)),
                                g.strideWidth,
                                c0,
                                c1);
                    }
                }
            }
        }
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        final WindowGeometry g = geometry;
        final int outPlane = g.outHeight * g.outWidth;
        final int c = localOutput / outPlane;
        final int rem = localOutput % outPlane;
        final int oh = rem / g.outWidth, ow = rem % g.outWidth;
        final int target = outputOffset + localOutput;
        for (int i = 0; i < g.kernelHeight; i++) {
            final int ih = g.inRow(oh, i);
            if (ih < 0 || ih >= g.inHeight) {
                continue;
            }
            for (int j = 0; j < g.kernelWidth; j++) {
                final int iw = g.inCol(ow, j);
                if (iw >= 0 && iw < g.inWidth) {
                    visitor.edge(input.base(c) + g.inputOffset(ih, iw), target, weight);
                }
            }
        }
    }

    @Override
    public void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor) {
        final WindowGeometry g = geometry;
        final int ih = g.windowRow(offsetInPlane), iw = g.windowCol(offsetInPlane);
        if (ih < 0) {
            return; // outside the input window (a crop): no edge
        }
        final int source = input.base(inputChannel) + offsetInPlane;
        final int outBase = outputOffset + inputChannel * g.outHeight * g.outWidth;
        for (int i = 0; i < g.kernelHeight; i++) {
            final int oh = g.outRow(ih, i);
            if (oh < 0) {
                continue;
            }
            for (int j = 0; j < g.kernelWidth; j++) {
                final int ow = g.outCol(iw, j);
                if (ow >= 0) {
                    visitor.edge(source, outBase + oh * g.outWidth + ow, weight);
                }
            }
        }
    }

    @Override
    public EdgeBlock absolute() {
        return new PoolingBlock(name, input, outputOffset, geometry, Math.abs(weight), max);
    }

    @Override
    public EdgeBlock pattern() {
        return new PoolingBlock(name, input, outputOffset, geometry, 1.0, max);
    }
}
