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

    @Override
    public void multiply(double[] x, double[] y, int from, int to) {
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final FloatBuffer w = store.buffer();
        for (int co = from; co < to; co++) {
            final int group = co / outPerGroup;
            final int outBase = outputOffset + co * outPlane;
            for (int cil = 0; cil < inPerGroup; cil++) {
                final int inBase = input.base(group * inPerGroup + cil);
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                            final int yRow = outBase + oh * g.outWidth;
                            final int xRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            final int k0 = index(entry0 + i * kw + j, i, j, oh, c0) - c0;
                            for (int ow = c0; ow <= c1; ow++) {
                                y[yRow + ow] += weight(w, k0 + ow) * x[xRow + ow * sw];
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void multiplyTranspose(double[] x, double[] y, int from, int to) {
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final FloatBuffer w = store.buffer();
        for (int ci = from; ci < to; ci++) {
            final int group = ci / inPerGroup, cil = ci % inPerGroup;
            final int inBase = input.base(ci);
            for (int col = 0; col < outPerGroup; col++) {
                final int co = group * outPerGroup + col;
                final int outBase = outputOffset + co * outPlane;
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                            final int xRow = outBase + oh * g.outWidth;
                            final int yRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            final int k0 = index(entry0 + i * kw + j, i, j, oh, c0) - c0;
                            for (int ow = c0; ow <= c1; ow++) {
                                y[yRow + ow * sw] += weight(w, k0 + ow) * x[xRow + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Every output row of every kernel entry is applied to all r columns before the next: each per-edge weight
     * (streamed from the store, possibly off-heap) is read from memory once for r columns instead of r times. Each
     * element's updates come in the single-vector order, bit for bit. Cost O(r · edges) multiply-adds, O(edges)
     * weight reads.
     */
    @Override
    public void multiplyMany(double[][] x, double[][] y, int from, int to) {
        if (x.length == 1) {
            multiply(x[0], y[0], from, to);
            return;
        }
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final FloatBuffer w = store.buffer();
        for (int co = from; co < to; co++) {
            final int group = co / outPerGroup;
            final int outBase = outputOffset + co * outPlane;
            for (int cil = 0; cil < inPerGroup; cil++) {
                final int inBase = input.base(group * inPerGroup + cil);
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                            final int yRow = outBase + oh * g.outWidth;
                            final int xRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            final int k0 = index(entry0 + i * kw + j, i, j, oh, c0) - c0;
                            for (int c = 0; c < x.length; c++) {
                                final double[] xc = x[c], yc = y[c];
                                for (int ow = c0; ow <= c1; ow++) {
                                    yc[yRow + ow] += weight(w, k0 + ow) * xc[xRow + ow * sw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** As {@link #multiplyMany}, for Aᵀ: each weight read once for all r columns; bit for bit per column. */
    @Override
    public void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        if (x.length == 1) {
            multiplyTranspose(x[0], y[0], from, to);
            return;
        }
        final int outPlane = g.outHeight * g.outWidth, kw = g.kernelWidth, sw = g.strideWidth;
        final FloatBuffer w = store.buffer();
        for (int ci = from; ci < to; ci++) {
            final int group = ci / inPerGroup, cil = ci % inPerGroup;
            final int inBase = input.base(ci);
            for (int col = 0; col < outPerGroup; col++) {
                final int co = group * outPerGroup + col;
                final int outBase = outputOffset + co * outPlane;
                final int entry0 = (co * inPerGroup + cil) * taps;
                for (int i = 0; i < g.kernelHeight; i++) {
                    for (int j = 0; j < kw; j++) {
                        final int c0 = g.colFirst(j), c1 = g.colLast(j);
                        for (int oh = g.rowFirst(i); oh <= g.rowLast(i); oh++) {
                            final int xRow = outBase + oh * g.outWidth;
                            final int yRow = inBase + g.inputOffset(g.inRow(oh, i), g.inCol(0, j));
                            final int k0 = index(entry0 + i * kw + j, i, j, oh, c0) - c0;
                            for (int c = 0; c < x.length; c++) {
                                final double[] xc = x[c], yc = y[c];
                                for (int ow = c0; ow <= c1; ow++) {
                                    yc[yRow + ow * sw] += weight(w, k0 + ow) * xc[xRow + ow];
                                }
                            }
                        }
                    }
                }
            }
        }
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
