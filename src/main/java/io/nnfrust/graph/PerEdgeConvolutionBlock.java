package io.nnfrust.graph;

import java.nio.FloatBuffer;

/**
 * The edges of a convolution, each with its own weight (no weight sharing): the N2 null model. Edges keep the
 * positions of the convolution they come from; weights are stored one float per edge in the canonical order of
 * {@link #canonicalOrder}: kernel entry (co, ci', i, j) in kernel order, then output row, then output column
 * over the positions where that tap reads a real input element. The weights may live in a larger shared array,
 * from {@code base}, on the heap or off-heap ({@link EdgeWeights}); {@link #absolute} and {@link #pattern} are
 * views of the same store, not copies.
 */
public final class PerEdgeConvolutionBlock extends EdgeBlock {
    private final int outChannels, inPerGroup, outPerGroup, taps;
    private final WindowGeometry g;
    private final EdgeWeights store;
    private final int base;
    /** SIGNED, ABS (|w|) or ONES (every weight 1): the views {@link #absolute} and {@link #pattern}. */
    private final int mode;

    private static final int SIGNED = 0, ABS = 1, ONES = 2;
    private final int[] tapStart; // per kernel entry: first edge, relative to base
    private final long edges;

    public PerEdgeConvolutionBlock(ConvolutionBlock shape, float[] weights, long base) {
        this(shape, EdgeWeights.heap(weights), base);
    }

    /** The edges of {@code shape} with the weights of {@code store} from {@code base} on, in canonical order. */
    public PerEdgeConvolutionBlock(ConvolutionBlock shape, EdgeWeights store, long base) {
        super(shape.name(), shape.input(), shape.outputOffset());
        this.g = shape.geometry();
        this.outChannels = shape.outChannels();
        this.inPerGroup = shape.input().channels / shape.groups();
        this.outPerGroup = outChannels / shape.groups();
        this.taps = g.kernelHeight * g.kernelWidth;
        int entries = outChannels * inPerGroup * taps;
        this.tapStart = new int[entries + 1];
        long k = 0;
        for (int e = 0; e < entries; e++) {
            tapStart[e] = Math.toIntExact(k);
            int t = e % taps;
            k += g.validPositions(t / g.kernelWidth, t % g.kernelWidth);
        }
        tapStart[entries] = Math.toIntExact(k);
        this.edges = k;
        if (base < 0 || base + edges > store.size()) {
            throw new IllegalArgumentException(name + ": weight array too short for " + edges + " edges");
        }
        this.store = store;
        this.base = (int) base;
        this.mode = SIGNED;
    }

    /** The store of the weights (to {@link EdgeWeights#release} an off-heap N2 network when done with it). */
    public EdgeWeights store() {
        return store;
    }

    private float weight(FloatBuffer w, int k) {
        return mode == SIGNED ? w.get(k) : mode == ABS ? Math.abs(w.get(k)) : 1f;
    }

    /** Number of edges of each kernel entry of {@code c}, in kernel order (the canonical grouping). */
    public static long canonicalEdges(ConvolutionBlock c, int entry) {
        WindowGeometry g = c.geometry();
        int taps = g.kernelHeight * g.kernelWidth;
        int t = entry % taps;
        return g.validPositions(t / g.kernelWidth, t % g.kernelWidth);
    }

    /** Writes the weights of {@code c}'s edges in canonical order into {@code out} from {@code at}. */
    public static void canonicalOrder(ConvolutionBlock c, float[] out, long at) {
        float[] k = c.kernel();
        int p = Math.toIntExact(at);
        for (int e = 0; e < k.length; e++) {
            long n = canonicalEdges(c, e);
            for (long r = 0; r < n; r++) {
                out[p++] = k[e];
            }
        }
    }

    /** The weight of the edge with canonical index {@code k} within this block, {@code 0 <= k < edgeCount()}. */
    public float canonicalWeight(long k) {
        if (k < 0 || k >= edges) {
            throw new IndexOutOfBoundsException(k + " outside [0, " + edges + ")");
        }
        return weight(store.buffer(), (int) (base + k));
    }

    private int index(int entry, int i, int j, int oh, int ow) {
        int nc = g.colLast(j) - g.colFirst(j) + 1;
        return (int) (base + tapStart[entry] + (long) (oh - g.rowFirst(i)) * nc + (ow - g.colFirst(j)));
    }

    @Override
    public String kind() {
        return "ConvN2";
    }

    @Override
    public int outputCount() {
        return outChannels * g.outHeight * g.outWidth;
    }

    @Override
    public long edgeCount() {
        return edges;
    }

    @Override
    public double absWeightSum() {
        final FloatBuffer w = store.buffer();
        double s = 0;
        for (int k = base; k < base + edges; k++) {
            s += Math.abs(weight(w, k));
        }
        return s;
    }

    @Override
    public long weightParameterCount() {
        return edges;
    }

    @Override
    public int outputPartitions() {
        return outChannels;
    }

    @Override
    public int inputPartitions() {
        return input.channels;
    }

    /** y += A x over output channels [from, to): {@link #multiplyMany} with one column. */
    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        multiplyMany(new double[][] {x}, new double[][] {y}, from, to);
    }

    /** y += Aᵀ x over input channels [from, to): {@link #multiplyTransposeMany} with one column. */
    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        multiplyTransposeMany(new double[][] {x}, new double[][] {y}, from, to);
    }

    /**
     * y[c] += A x[c] over output channels [from, to) for the r columns. Per kernel entry the weights of all its rows
     * are read from the store once into doubles ({@link #rowWeights}). One column is updated in place, each output
     * row one multiply-add pass (SIMD where the stride is 1). Several columns are interleaved: the input planes
     * the range reads are copied once per call into node-major order (the r values of one node side by side), each
     * output plane is accumulated node-major and copied back when its channel is done, and every weight is applied
     * to the r contiguous values of its source node as SIMD lanes ({@link #rows}). Either way each element
     * receives its terms in the order (input channel, tap, row), multiply then add, never fused: bit for bit per
     * column, for every r and split. Cost O(r · edges) multiply-adds, O(edges) weight reads, O(r · (input + output
     * elements)) copies when r > 1; the scratch is per thread and reused.
     */
    @Override
    public void multiplyMany(double[][] x, double[][] y, int from, int to) {
        final int r = x.length;
        final boolean direct = r == 1;
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final int inPlane = input.planeSize();
        final FloatBuffer w = store.buffer();
        final int firstIn = from / outPerGroup * inPerGroup;
        final int inCount = ((to - 1) / outPerGroup + 1) * inPerGroup - firstIn;
        final Scratch scratch = SCRATCH.get();
        final double[] row = scratch.row(outPlane);
        final boolean vector = ConvolutionKernel.useVector;
        final double[] xs = direct ? x[0] : scratch.first((long) inCount * inPlane * r);
        final double[] ys = direct ? y[0] : scratch.second((long) outPlane * r);
        if (!direct) {
            for (int ci = 0; ci < inCount; ci++) {
                interleave(x, input.base(firstIn + ci), inPlane, xs, ci * inPlane * r);
            }
        }
        for (int co = from; co < to; co++) {
            final int group = co / outPerGroup;
            final int outBase = outputOffset + co * outPlane;
            final int yBase = direct ? outBase : 0;
            if (!direct) {
                interleave(y, outBase, outPlane, ys, 0);
            }
            for (int cil = 0; cil < inPerGroup; cil++) {
                final int ci = group * inPerGroup + cil;
                final int xBase = direct ? input.base(ci) : (ci - firstIn) * inPlane * r;
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), n = g.colLast(j) - c0 + 1;
                        final int oh0 = g.rowFirst(i), oh1 = g.rowLast(i);
                        if (n <= 0 || oh1 < oh0) {
                            continue;
                        }
                        rowWeights(w, index(entry0 + i * kw + j, i, j, oh0, c0), n * (oh1 - oh0 + 1), row);
                        for (int oh = oh0; oh <= oh1; oh++) {
                            final int yAt = yBase + (oh * g.outWidth + c0) * r;
                            final int xAt = xBase + (g.inputOffset(g.inRow(oh, i), g.inCol(0, j)) + c0 * sw) * r;
                            rows(vector, ys, yAt, r, row, (oh - oh0) * n, n, xs, xAt, sw * r, r);
                        }
                    }
                }
            }
            if (!direct) {
                deinterleave(ys, 0, y, outBase, outPlane);
            }
        }
    }

    /**
     * y[c] += Aᵀ x[c] over input channels [from, to), as {@link #multiplyMany} (the output planes interleaved once
     * per call, each input plane accumulated node-major): terms in the order (output channel, tap, row).
     */
    @Override
    public void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        final int r = x.length;
        final boolean direct = r == 1;
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final int inPlane = input.planeSize();
        final FloatBuffer w = store.buffer();
        final int firstOut = from / inPerGroup * outPerGroup;
        final int outCount = ((to - 1) / inPerGroup + 1) * outPerGroup - firstOut;
        final Scratch scratch = SCRATCH.get();
        final double[] row = scratch.row(outPlane);
        final boolean vector = ConvolutionKernel.useVector;
        final double[] xs = direct ? x[0] : scratch.first((long) outCount * outPlane * r);
        final double[] ys = direct ? y[0] : scratch.second((long) inPlane * r);
        if (!direct) {
            for (int co = 0; co < outCount; co++) {
                interleave(x, outputOffset + (firstOut + co) * outPlane, outPlane, xs, co * outPlane * r);
            }
        }
        for (int ci = from; ci < to; ci++) {
            final int group = ci / inPerGroup, cil = ci % inPerGroup;
            final int inBase = input.base(ci);
            final int yBase = direct ? inBase : 0;
            if (!direct) {
                interleave(y, inBase, inPlane, ys, 0);
            }
            for (int col = 0; col < outPerGroup; col++) {
                final int co = group * outPerGroup + col;
                final int xBase = direct ? outputOffset + co * outPlane : (co - firstOut) * outPlane * r;
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), n = g.colLast(j) - c0 + 1;
                        final int oh0 = g.rowFirst(i), oh1 = g.rowLast(i);
                        if (n <= 0 || oh1 < oh0) {
                            continue;
                        }
                        rowWeights(w, index(entry0 + i * kw + j, i, j, oh0, c0), n * (oh1 - oh0 + 1), row);
                        for (int oh = oh0; oh <= oh1; oh++) {
                            final int xAt = xBase + (oh * g.outWidth + c0) * r;
                            final int yAt = yBase + (g.inputOffset(g.inRow(oh, i), g.inCol(0, j)) + c0 * sw) * r;
                            rows(vector, ys, yAt, sw * r, row, (oh - oh0) * n, n, xs, xAt, r, r);
                        }
                    }
                }
            }
            if (!direct) {
                deinterleave(ys, 0, y, inBase, inPlane);
            }
        }
    }

    /** {@code to[at + p·r + c] = columns[c][base + p]} for p in [0, count), c in [0, r). */
    private static void interleave(double[][] columns, int base, int count, double[] to, int at) {
        final int r = columns.length;
        for (int c = 0; c < r; c++) {
            final double[] column = columns[c];
            for (int p = 0, k = at + c; p < count; p++, k += r) {
                to[k] = column[base + p];
            }
        }
    }

    /** {@code columns[c][base + p] = from[at + p·r + c]}: the inverse of {@link #interleave}. */
    private static void deinterleave(double[] from, int at, double[][] columns, int base, int count) {
        final int r = columns.length;
        for (int c = 0; c < r; c++) {
            final double[] column = columns[c];
            for (int p = 0, k = at + c; p < count; p++, k += r) {
                column[base + p] = from[k];
            }
        }
    }

    /** {@code row[t] = weight(k + t)} for t in [0, n), in this view's mode. */
    private void rowWeights(FloatBuffer w, int k, int n, double[] row) {
        if (mode == SIGNED) {
            for (int t = 0; t < n; t++) {
                row[t] = w.get(k + t);
            }
        } else if (mode == ABS) {
            for (int t = 0; t < n; t++) {
                row[t] = Math.abs(w.get(k + t));
            }
        } else {
            java.util.Arrays.fill(row, 0, n, 1.0);
        }
    }

    /**
     * {@code y[yAt + t·yStep + c] = y[yAt + t·yStep + c] + w[wAt + t] · x[xAt + t·xStep + c]} for t in [0, n), c
     * in [0, r): one row of edges applied to r interleaved columns, as SIMD lanes ({@link VectorPasses#rows}, or
     * {@link VectorPasses#line} along the row for one column with unit strides) when {@code vector}, with the same
     * arithmetic (multiply, then add) element by element otherwise.
     */
    static void rows(
            boolean vector,
            double[] y,
            int yAt,
            int yStep,
            double[] w,
            int wAt,
            int n,
            double[] x,
            int xAt,
            int xStep,
            int r) {
        if (r == 1) { // one column: a pass along the row, SIMD where both strides are 1
            if (vector && yStep == 1 && xStep == 1) {
                VectorPasses.line(y, yAt, w, wAt, n, x, xAt);
            } else {
                for (int t = 0; t < n; t++) {
                    y[yAt + t * yStep] = y[yAt + t * yStep] + w[wAt + t] * x[xAt + t * xStep];
                }
            }
            return;
        }
        if (vector) {
            VectorPasses.rows(y, yAt, yStep, w, wAt, n, x, xAt, xStep, r);
            return;
        }
        for (int t = 0; t < n; t++) {
            final double wt = w[wAt + t];
            final int yo = yAt + t * yStep, xo = xAt + t * xStep;
            for (int c = 0; c < r; c++) {
                y[yo + c] = y[yo + c] + wt * x[xo + c];
            }
        }
    }

    /**
     * Growable scratch per thread (no allocation per call once grown): the weights of one kernel entry, and the
     * interleaved source and target planes of products with several columns.
     */
    private static final class Scratch {
        private double[] first = new double[0], second = new double[0], row = new double[0];

        double[] row(int size) {
            return row = atLeast(row, size);
        }

        double[] first(long size) {
            return first = atLeast(first, size);
        }

        double[] second(long size) {
            return second = atLeast(second, size);
        }

        private static double[] atLeast(double[] a, long size) {
            return a.length >= size ? a : new double[Math.toIntExact(size)];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** All columns stay together: each per-edge weight is then read once per product, not once per task. */
    @Override
    public boolean splitsColumns() {
        return false;
    }

    @Override
    public void forEachInEdge(int localOutput, EdgeVisitor visitor) {
        final int outPlane = g.outHeight * g.outWidth;
        final int co = localOutput / outPlane, rem = localOutput % outPlane;
        final int oh = rem / g.outWidth, ow = rem % g.outWidth;
        final int group = co / outPerGroup;
        final int target = outputOffset + localOutput;
        final FloatBuffer w = store.buffer();
        for (int cil = 0; cil < inPerGroup; cil++) {
            final int ci = group * inPerGroup + cil;
            final int entry0 = (co * inPerGroup + cil) * taps;
            for (int i = 0; i < g.kernelHeight; i++) {
                final int ih = g.inRow(oh, i);
                if (ih < 0 || ih >= g.inHeight) {
                    continue;
                }
                for (int j = 0; j < g.kernelWidth; j++) {
                    final int iw = g.inCol(ow, j);
                    if (iw >= 0 && iw < g.inWidth) {
                        visitor.edge(
                                input.base(ci) + g.inputOffset(ih, iw),
                                target,
                                weight(w, index(entry0 + i * g.kernelWidth + j, i, j, oh, ow)));
                    }
                }
            }
        }
    }

    @Override
    public void forEachOutEdge(int inputChannel, int offsetInPlane, EdgeVisitor visitor) {
        final int ih = g.windowRow(offsetInPlane), iw = g.windowCol(offsetInPlane);
        if (ih < 0) {
            return; // outside the input window (a crop): no edge
        }
        final int group = inputChannel / inPerGroup, cil = inputChannel % inPerGroup;
        final int source = input.base(inputChannel) + offsetInPlane;
        final int outPlane = g.outHeight * g.outWidth;
        final FloatBuffer w = store.buffer();
        for (int col = 0; col < outPerGroup; col++) {
            final int co = group * outPerGroup + col;
            final int entry0 = (co * inPerGroup + cil) * taps;
            for (int i = 0; i < g.kernelHeight; i++) {
                final int oh = g.outRow(ih, i);
                if (oh < 0) {
                    continue;
                }
                for (int j = 0; j < g.kernelWidth; j++) {
                    final int ow = g.outCol(iw, j);
                    if (ow >= 0) {
                        visitor.edge(
                                source,
                                outputOffset + co * outPlane + oh * g.outWidth + ow,
                                weight(w, index(entry0 + i * g.kernelWidth + j, i, j, oh, ow)));
                    }
                }
            }
        }
    }

    @Override
    public EdgeBlock absolute() {
        return new PerEdgeConvolutionBlock(this, mode == ONES ? ONES : ABS);
    }

    @Override
    public EdgeBlock pattern() {
        return new PerEdgeConvolutionBlock(this, ONES);
    }

    /** A view of the same store: |w| or all ones. */
    private PerEdgeConvolutionBlock(PerEdgeConvolutionBlock b, int mode) {
        super(b.name, b.input, b.outputOffset);
        g = b.g;
        outChannels = b.outChannels;
        inPerGroup = b.inPerGroup;
        outPerGroup = b.outPerGroup;
        taps = b.taps;
        tapStart = b.tapStart;
        edges = b.edges;
        store = b.store;
        base = b.base;
        this.mode = mode;
    }
}
