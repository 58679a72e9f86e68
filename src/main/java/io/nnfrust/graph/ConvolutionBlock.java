package io.nnfrust.graph;

/**
 * A (grouped) 2-D convolution as a generalised Toeplitz block of A (paper SI D.1). Weight
 * {@code w[co][ci'][i][j]} connects input element (g*Cin/G + ci', oh*s + i*d - pad, ...) to output element
 * (co, oh, ow) for every output position where the tap reads a real input element; taps on zero padding are
 * not edges. Stores only the kernel (float) and the geometry. The input may be a window (crop) of larger stored
 * planes ({@link WindowGeometry#withInputWindow}): the layout then holds the whole planes and input element
 * (ci, r, c) is node {@code input.base(ci) + geometry.inputOffset(r, c)}; nodes of a plane outside the window have
 * no edge in this block.
 *
 * <p>Cost: {@link #multiply} and {@link #multiplyTranspose} are O(edges) with a unit-stride inner loop over
 * output columns; {@link #edgeCount} and {@link #absWeightSum} are O(parameters).
 */
public final class ConvolutionBlock extends EdgeBlock {
    private final int outChannels;
    private final int groups;
    private final WindowGeometry geometry;
    private final float[] weights;
    private final int inPerGroup;
    private final int outPerGroup;
    private final int taps;
    /** The fast products (null for geometries it does not cover, which use the row-wise reference). */
    private final ConvolutionKernel fast;

    /**
     * @param weights kernel in ONNX order [outChannels][inChannels/groups][kh][kw]
     */
    public ConvolutionBlock(
            String name,
            PlaneLayout input,
            int outputOffset,
            int outChannels,
            int groups,
            WindowGeometry geometry,
            float[] weights) {
        super(name, input, outputOffset);
        if (groups <= 0 || input.channels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(
                    name + ": channels " + input.channels + "->" + outChannels + " not divisible by groups " + groups);
        }
        if (input.height != geometry.planeHeight || input.width != geometry.planeWidth) {
            throw new IllegalArgumentException(name + ": input plane " + input.height + "x" + input.width
                    + " does not match geometry " + geometry.planeHeight + "x" + geometry.planeWidth);
        }
        this.outChannels = outChannels;
        this.groups = groups;
        this.geometry = geometry;
        this.inPerGroup = input.channels / groups;
        this.outPerGroup = outChannels / groups;
        this.taps = geometry.kernelHeight * geometry.kernelWidth;
        long expected = (long) outChannels * inPerGroup * taps;
        if (weights.length != expected) {
            throw new IllegalArgumentException(
                    name + ": kernel has " + weights.length + " values, expected " + expected);
        }
        this.weights = weights;
        this.fast = ConvolutionKernel.supports(geometry)
                ? new ConvolutionKernel(input, outputOffset, outChannels, groups, geometry, weights)
                : null;
    }

    @Override
    public String kind() {
        return "Conv";
    }

    public int groups() {
        return groups;
    }

    public int outChannels() {
        return outChannels;
    }

    public WindowGeometry geometry() {
        return geometry;
    }

    /** The kernel, shared (not copied); callers must not modify it. */
    public float[] kernel() {
        return weights;
    }

    /** A block of the same geometry with another kernel (null models). */
    public ConvolutionBlock withKernel(float[] kernel) {
        return new ConvolutionBlock(name, input, outputOffset, outChannels, groups, geometry, kernel);
    }

    @Override
    public int outputCount() {
        return outChannels * geometry.outHeight * geometry.outWidth;
    }

    @Override
    public long edgeCount() {
        return (long) outChannels * inPerGroup * geometry.validTapCount();
    }

    @Override
    public double absWeightSum() {
        long[] positions = new long[taps];
        for (int i = 0; i < geometry.kernelHeight; i++) {
            for (int j = 0; j < geometry.kernelWidth; j++) {
                positions[i * geometry.kernelWidth + j] = geometry.validPositions(i, j);
            }
        }
        double sum = 0;
        for (int k = 0; k < weights.length; k++) {
            sum += Math.abs((double) weights[k]) * positions[k % taps];
        }
        return sum;
    }

    @Override
    public long weightParameterCount() {
        return weights.length;
    }

    @Override
    public int outputPartitions() {
        return outChannels;
    }

    @Override
    public int inputPartitions() {
        return input.channels;
    }

    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        if (fast != null) {
            fast.multiply(x, y, from, to);
        } else {
            multiplyReference(x, y, from, to);
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        if (fast != null) {
            fast.multiplyTranspose(x, y, from, to);
        } else {
            multiplyTransposeReference(x, y, from, to);
        }
    }

    @Override
    public void multiplyMany(double[][] x, double[][] y, int from, int to) {
        if (fast != null) {
            fast.multiplyMany(x, y, from, to);
        } else {
            super.multiplyMany(x, y, from, to);
        }
    }

    @Override
    public void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        if (fast != null) {
            fast.multiplyTransposeMany(x, y, from, to);
        } else {
            super.multiplyTransposeMany(x, y, from, to);
        }
    }

    @Override
    public void multiplyListed(double[] x, double[] y, int[] parts, int from, int to) {
        if (fast != null) {
            fast.multiply(x, y, parts, from, to);
        } else {
            super.multiplyListed(x, y, parts, from, to);
        }
    }

    @Override
    public void multiplyTransposeListed(double[] x, double[] y, int[] parts, int from, int to) {
        if (fast != null) {
            fast.multiplyTranspose(x, y, parts, from, to);
        } else {
            super.multiplyTransposeListed(x, y, parts, from, to);
        }
    }

    /**
     * The row-wise reference of {@link #multiply}: tap by tap, one output row at a time. Kept as the
     * independent second code path that {@link ConvolutionKernel} is tested against (bit for bit).
     */
    void multiplyReference(double[] x, double[] y, int from, int to) {
        final WindowGeometry g = geometry;
        final int kh = g.kernelHeight, kw = g.kernelWidth, outPlane = g.outHeight * g.outWidth;
        final int outW = g.outWidth, sw = g.strideWidth;
        for (int co = from; co < to; co++) {
            final int group = co / outPerGroup;
            final int outBase = outputOffset + co * outPlane;
            for (int cil = 0; cil < inPerGroup; cil++) {
                final int inBase = input.base(group * inPerGroup + cil);
                final int wBase = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < kh; i++) {
                    final int r0 = g.rowFirst(i), r1 = g.rowLast(i);
                    for (int j = 0; j < kw; j++) {
                        final double w = weights[wBase + i * kw + j];
                        if (w == 0.0) {
                            continue;
                        }
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = r0; oh <= r1; oh++) {
                            final int yRow = outBase + oh * outW;
                            final int xRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            axpyStrided(w, x, xRow, sw, y, yRow, c0, c1);
                        }
                    }
                }
            }
        }
    }

    /** The row-wise reference of {@link #multiplyTranspose}. */
    void multiplyTransposeReference(double[] x, double[] y, int from, int to) {
        final WindowGeometry g = geometry;
        final int kh = g.kernelHeight, kw = g.kernelWidth, outPlane = g.outHeight * g.outWidth;
        final int outW = g.outWidth, sw = g.strideWidth;
        for (int ci = from; ci < to; ci++) {
            final int group = ci / inPerGroup;
            final int cil = ci % inPerGroup;
            final int inBase = input.base(ci);
            for (int col = 0; col < outPerGroup; col++) {
                final int co = group * outPerGroup + col;
                final int outBase = outputOffset + co * outPlane;
                final int wBase = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < kh; i++) {
                    final int r0 = g.rowFirst(i), r1 = g.rowLast(i);
                    for (int j = 0; j < kw; j++) {
                        final double w = weights[wBase + i * kw + j];
                        if (w == 0.0) {
                            continue;
                        }
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = r0; oh <= r1; oh++) {
                            final int xRow = outBase + oh * outW;
                            final int yRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            scatterStrided(w, x, xRow, y, yRow, sw, c0, c1);
                        }
                    }
                }
            }
        }
    }

    /** y[yRow + o] += w * x[xRow + o*stride] for o in [c0, c1]. */
    static void axpyStrided(double w, double[] x, int xRow, int stride, double[] y, int yRow, int c0, int c1) {
        if (stride == 1) {
            for (int o = c0; o <= c1; o++) {
                y[yRow + o] += w * x[xRow + o];
            }
        } else {
            for (int o = c0; o <= c1; o++) {
                y[yRow + o] += w * x[xRow + o * stride];
            }
        }
    }

    /** y[yRow + o*stride] += w * x[xRow + o] for o in [c0, c1]. */
    static void scatterStrided(double w, double[] x, int xRow, double[] y, int yRow, int stride, int c0, int c1) {
        if (stride == 1) {
            for (int o = c0; o <= c1; o++) {
                y[yRow + o] += w * x[xRow + o];
            }
        } else {
            for (int o = c0; o <= c1; o++) {
                y[yRow + o * stride] += w * x[xRow + o];
            }
        }
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        final WindowGeometry g = geometry;
        final int outPlane = g.outHeight * g.outWidth;
        final int co = localOutput / outPlane;
        final int rem = localOutput % outPlane;
        final int oh = rem / g.outWidth, ow = rem % g.outWidth;
        final int group = co / outPerGroup;
        final int target = outputOffset + localOutput;
        final WindowGeometry.TapTable rows = g.inputRowsOfOutputRow(), cols = g.inputColsOfOutputCol();
        final int r0 = oh * rows.stride, r1 = r0 + rows.count[oh];
        final int c0 = ow * cols.stride, c1 = c0 + cols.count[ow];
        final int kw = g.kernelWidth;
        for (int cil = 0; cil < inPerGroup; cil++) {
            final int base = input.base(group * inPerGroup + cil);
            final int wBase = (co * inPerGroup + cil) * taps;
            for (int a = r0; a < r1; a++) {
                final int rowBase = base + g.inputOffset(rows.position[a], 0);
                final int wRow = wBase + rows.tap[a] * kw;
                for (int b = c0; b < c1; b++) {
                    visitor.edge(rowBase + cols.position[b], target, weights[wRow + cols.tap[b]]);
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
        final int group = inputChannel / inPerGroup;
        final int cil = inputChannel % inPerGroup;
        final int source = input.base(inputChannel) + offsetInPlane;
        final int outPlane = g.outHeight * g.outWidth;
        final WindowGeometry.TapTable rows = g.outputRowsOfInputRow(), cols = g.outputColsOfInputCol();
        final int r0 = ih * rows.stride, r1 = r0 + rows.count[ih];
        final int c0 = iw * cols.stride, c1 = c0 + cols.count[iw];
        final int kw = g.kernelWidth, outW = g.outWidth;
        for (int col = 0; col < outPerGroup; col++) {
            final int co = group * outPerGroup + col;
            final int wBase = (co * inPerGroup + cil) * taps;
            final int outBase = outputOffset + co * outPlane;
            for (int a = r0; a < r1; a++) {
                final int rowBase = outBase + rows.position[a] * outW;
                final int wRow = wBase + rows.tap[a] * kw;
                for (int b = c0; b < c1; b++) {
                    visitor.edge(source, rowBase + cols.position[b], weights[wRow + cols.tap[b]]);
                }
            }
        }
    }

    @Override
    public EdgeBlock absolute() {
        return withKernel(absoluteCopy(weights));
    }

    @Override
    public EdgeBlock pattern() {
        return withKernel(ones(weights.length));
    }
}
