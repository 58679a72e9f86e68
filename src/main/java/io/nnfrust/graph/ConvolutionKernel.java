package io.nnfrust.graph;

/**
 * The fast A·x and Aᵀ·x of a {@link ConvolutionBlock}: every (input channel, tap) pair of one output channel
 * becomes a <em>term</em> (weight, offset), and the terms are applied in flat, unit-stride passes over a whole
 * plane, eight (or four) terms per pass:
 * {@code y[k] = y[k] + w0*x[o0+k] + w1*x[o1+k] + ... + w7*x[o7+k]}, as SIMD code through the JDK Vector API
 * ({@link VectorPasses}; scalar passes with the same bits when the module is absent), so y is read and written
 * once per eight terms instead of once per term and output row.
 *
 * <p>To make every tap a constant offset in one flat index, the input plane is copied into a zero-padded,
 * <em>phase-split</em> layout: for strides (sh, sw) the plane splits into sh·sw phase planes of
 * {@code Hq x Wq} elements, phase (p, q) holding input element (r·sh + p − padTop, c·sw + q − padLeft), so a
 * strided, dilated tap reads its phase plane at unit stride. Output planes are handled in a "wide" layout of
 * row length Wq; the extra columns are computed and discarded (for A·x) or held at zero (for Aᵀ·x). A 1x1,
 * stride-1, unpadded convolution needs neither copy and runs on x and y directly.
 *
 * <p><b>Same numbers as the row-wise reference.</b> Each output element is accumulated from its current
 * value, term by term, in the reference order (input channel, tap row, tap column) for A·x and (output
 * channel, tap row, tap column) for Aᵀ·x; Java evaluates {@code a + b + c} left to right and never fuses a
 * multiply-add, so every sum is bit-identical to {@link ConvolutionBlock#multiplyReference}, except that a
 * tap on zero padding adds ±0.0 (which can only turn a −0.0 into +0.0). Results therefore do not depend on the
 * thread count or on how partitions are split.
 *
 * <p>A source plane that is all zero (the masked-out nodes of an active subnetwork have spin 0) contributes only
 * zeros, so its terms are skipped.
 *
 * <p>Cost: O(edges + padding overhead) multiply-adds; the phase copies are O(input elements) per call and per
 * group, and scratch memory is per thread (two planes of the group, reused).
 */
final class ConvolutionKernel {
    private final PlaneLayout input;
    private final int outputOffset;
    private final float[] weights;
    private final int inPerGroup, outPerGroup, taps;
    private final int outH, outW, outPlane, inH, inW;
    private final int sh, sw, pt, pl;
    /** Phase plane size: Hq rows of Wq. */
    private final int hq, wq, phaseSize, channelSize;
    /** Largest tap shift a·Wq + b: front margin of the transposed product's output buffers. */
    private final int margin;
    /** Per tap: offset in the phase-split input channel (A·x); phase index and shift (Aᵀ·x). */
    private final int[] tapOffset, tapPhase, tapShift;
    /** Per phase: first and one-past-last flat index holding real input elements (Aᵀ·x). */
    private final int[] phaseFrom, phaseTo;
    private final boolean direct;

    /** True when the JDK Vector API module is in the boot layer (the launcher adds it). */
    static final boolean VECTOR_AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /**
     * Whether products use {@link VectorPasses}: on when available unless {@code -Dnnfrust.vector=false}; both
     * paths give the same bits (tests switch it).
     */
    static volatile boolean useVector = VECTOR_AVAILABLE
            && !"false".equals(System.getProperty("nnfrust.vector"));

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, grown on demand and reused. */
    private static final class Scratch {
        double[] planes = new double[0], wide = new double[0], termWeight = new double[0];
        int[] termOffset = new int[0], channelBase = new int[0];

        double[] planes(int n) {
            if (planes.length < n) {
                planes = new double[n];
            }
            return planes;
        }

        double[] wide(int n) {
            if (wide.length < n) {
                wide = new double[n];
            }
            return wide;
        }

        void terms(int n) {
            if (termWeight.length < n) {
                termWeight = new double[n];
                termOffset = new int[n];
            }
        }

        int[] channelBase(int n) {
            if (channelBase.length < n) {
                channelBase = new int[n];
            }
            return channelBase;
        }
    }

    /** True when the kernel can run this geometry (non-negative top/left padding). */
    static boolean supports(WindowGeometry g) {
        return g.padTop >= 0 && g.padLeft >= 0;
    }

    ConvolutionKernel(PlaneLayout input, int outputOffset, int outChannels, int groups, WindowGeometry g,
                      float[] weights) {
        this.input = input;
        this.outputOffset = outputOffset;
        this.weights = weights;
        this.inPerGroup = input.channels / groups;
        this.outPerGroup = outChannels / groups;
        final int kh = g.kernelHeight, kw = g.kernelWidth, dh = g.dilationHeight, dw = g.dilationWidth;
        this.taps = kh * kw;
        this.outH = g.outHeight;
        this.outW = g.outWidth;
        this.outPlane = outH * outW;
        this.inH = g.inHeight;
        this.inW = g.inWidth;
        this.sh = g.strideHeight;
        this.sw = g.strideWidth;
        this.pt = g.padTop;
        this.pl = g.padLeft;
        int maxA = (kh - 1) * dh / sh, maxB = (kw - 1) * dw / sw;
        this.hq = Math.max(outH + maxA + 1, (inH - 1 + pt) / sh + 1);
        this.wq = Math.max(outW + maxB, (inW - 1 + pl) / sw + 1);
        this.phaseSize = hq * wq;
        this.channelSize = sh * sw * phaseSize;
        this.margin = maxA * wq + maxB;
        tapOffset = new int[taps];
        tapPhase = new int[taps];
        tapShift = new int[taps];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int t = i * kw + j;
                int p = i * dh % sh, a = i * dh / sh, q = j * dw % sw, b = j * dw / sw;
                tapPhase[t] = p * sw + q;
                tapShift[t] = a * wq + b;
                tapOffset[t] = tapPhase[t] * phaseSize + tapShift[t];
            }
        }
        phaseFrom = new int[sh * sw];
        phaseTo = new int[sh * sw];
        for (int p = 0; p < sh; p++) {
            // phase rows r with 0 <= r*sh + p - pt < inH
            int rLo = Math.max(0, Math.floorDiv(pt - p + sh - 1, sh));
            int rHi = Math.min(hq - 1, Math.floorDiv(inH - 1 + pt - p, sh));
            for (int q = 0; q < sw; q++) {
                phaseFrom[p * sw + q] = rLo * wq;
                phaseTo[p * sw + q] = Math.max(rLo, rHi + 1) * wq;
            }
        }
        this.direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && inH == outH && inW == outW;
    }

    /** y += A x over output channels [from, to). */
    void multiply(double[] x, double[] y, int from, int to) {
        multiply(x, y, null, from, to);
    }

    /** Channel at position i of a partition list ({@code null}: the identity). */
    private static int at(int[] list, int i) {
        return list == null ? i : list[i];
    }

    /** One past the last position from {@code i0} on whose channel is in the same group (groups of {@code per}). */
    private static int groupEnd(int[] list, int i0, int to, int per) {
        final int group = at(list, i0) / per;
        if (list == null) {
            return Math.min(to, (group + 1) * per);
        }
        int i = i0 + 1;
        while (i < to && list[i] / per == group) {
            i++;
        }
        return i;
    }

    /**
     * y += A x over the output channels {@code list[from..to)} (sorted; a null list means channels [from, to)):
     * an active subnetwork's products visit only the channels that hold an active node, and one call splits the
     * input planes once for all of them.
     */
    void multiply(double[] x, double[] y, int[] list, int from, int to) {
        final Scratch s = SCRATCH.get();
        s.terms(inPerGroup * taps);
        final int[] base = s.channelBase(inPerGroup);
        final double[] tw = s.termWeight;
        final int[] offsets = s.termOffset;
        final int length = direct ? outPlane : outH * wq;
        final int tile = tile(inPerGroup, margin);
        for (int i0 = from; i0 < to; ) {
            final int group = at(list, i0) / outPerGroup;
            final int i1 = groupEnd(list, i0, to, outPerGroup);
            final double[] source;
            if (direct) {
                source = x;
                for (int c = 0; c < inPerGroup; c++) {
                    final int plane = input.base(group * inPerGroup + c);
                    base[c] = nonZero(x, plane, outPlane) ? plane : SKIP;
                }
            } else {
                source = s.planes(inPerGroup * channelSize);
                for (int c = 0; c < inPerGroup; c++) {
                    final int plane = input.base(group * inPerGroup + c);
                    if (nonZero(x, plane, inH * inW)) {
                        base[c] = c * channelSize;
                        splitPhases(x, plane, source, base[c]);
                    } else {
                        base[c] = SKIP;
                    }
                }
            }
            final double[] target = direct ? y : s.wide((i1 - i0) * length);
            if (!direct) {
                for (int i = i0; i < i1; i++) {
                    final int wide = (i - i0) * length, outBase = outputOffset + at(list, i) * outPlane;
                    for (int r = 0; r < outH; r++) {
                        System.arraycopy(y, outBase + r * outW, target, wide + r * wq, outW);
                        java.util.Arrays.fill(target, wide + r * wq + outW, wide + (r + 1) * wq, 0.0);
                    }
                }
            }
            // tile outside, channel inside: the tile's slice of every input plane stays in L2 for all channels
            for (int a = 0; a < length; a += tile) {
                final int b = Math.min(length, a + tile);
                for (int i = i0; i < i1; i++) {
                    final int co = at(list, i);
                    int n = 0;
                    for (int c = 0; c < inPerGroup; c++) {
                        if (base[c] == SKIP) {
                            continue;
                        }
                        final int wBase = (co * inPerGroup + c) * taps;
                        for (int t = 0; t < taps; t++) {
                            final float w = weights[wBase + t];
                            if (w != 0f) {
                                tw[n] = w;
                                offsets[n++] = base[c] + tapOffset[t];
                            }
                        }
                    }
                    final int yo = direct ? outputOffset + co * outPlane : (i - i0) * length;
                    accumulate(tw, offsets, n, source, target, yo, a, b);
                }
            }
            if (!direct) {
                for (int i = i0; i < i1; i++) {
                    final int wide = (i - i0) * length, outBase = outputOffset + at(list, i) * outPlane;
                    for (int r = 0; r < outH; r++) {
                        System.arraycopy(target, wide + r * wq, y, outBase + r * outW, outW);
                    }
                }
            }
            i0 = i1;
        }
    }

    /** y += Aᵀ x over input channels [from, to). */
    void multiplyTranspose(double[] x, double[] y, int from, int to) {
        multiplyTranspose(x, y, null, from, to);
    }

    /** y += Aᵀ x over the input channels {@code list[from..to)} (sorted; a null list means channels [from, to)). */
    void multiplyTranspose(double[] x, double[] y, int[] list, int from, int to) {
        final Scratch s = SCRATCH.get();
        s.terms(outPerGroup * taps);
        final int[] base = s.channelBase(outPerGroup);
        final double[] tw = s.termWeight;
        final int[] offsets = s.termOffset;
        final int length = margin + phaseSize;
        final int tile = tile(outPerGroup, margin);
        for (int i0 = from; i0 < to; ) {
            final int group = at(list, i0) / inPerGroup;
            // channels whose planes overlap (one tensor read twice) must see each other's sums: one at a time
            final int i1 = input.distinctPlanes() ? groupEnd(list, i0, to, inPerGroup) : i0 + 1;
            final double[] source;
            if (direct) {
                source = x;
                for (int c = 0; c < outPerGroup; c++) {
                    final int plane = outputOffset + (group * outPerGroup + c) * outPlane;
                    base[c] = nonZero(x, plane, outPlane) ? plane : SKIP;
                }
            } else {
                source = s.planes(outPerGroup * length);
                for (int c = 0; c < outPerGroup; c++) {
                    final int plane = outputOffset + (group * outPerGroup + c) * outPlane;
                    if (nonZero(x, plane, outPlane)) {
                        base[c] = c * length + margin;
                        widenOutput(x, plane, source, c * length);
                    } else {
                        base[c] = SKIP;
                    }
                }
            }
            if (direct) {
                for (int a = 0; a < outPlane; a += tile) {
                    final int b = Math.min(outPlane, a + tile);
                    for (int i = i0; i < i1; i++) {
                        final int ci = at(list, i), cil = ci % inPerGroup;
                        int n = 0;
                        for (int c = 0; c < outPerGroup; c++) {
                            final float w = weights[(group * outPerGroup + c) * inPerGroup + cil];
                            if (w != 0f && base[c] != SKIP) {
                                tw[n] = w;
                                offsets[n++] = base[c];
                            }
                        }
                        accumulate(tw, offsets, n, source, y, input.base(ci), a, b);
                    }
                }
                i0 = i1;
                continue;
            }
            final double[] planes = s.wide((i1 - i0) * channelSize);
            java.util.Arrays.fill(planes, 0, (i1 - i0) * channelSize, 0.0);
            for (int i = i0; i < i1; i++) {
                moveInput(y, input.base(at(list, i)), planes, (i - i0) * channelSize, true);
            }
            for (int ph = 0; ph < sh * sw; ph++) {
                final int shift = ph * phaseSize;
                for (int a = phaseFrom[ph]; a < phaseTo[ph]; a += tile) {
                    final int b = Math.min(phaseTo[ph], a + tile);
                    for (int i = i0; i < i1; i++) {
                        final int cil = at(list, i) % inPerGroup;
                        int n = 0;
                        for (int c = 0; c < outPerGroup; c++) {
                            if (base[c] == SKIP) {
                                continue;
                            }
                            final int wBase = ((group * outPerGroup + c) * inPerGroup + cil) * taps;
                            for (int t = 0; t < taps; t++) {
                                final float w = weights[wBase + t];
                                if (w != 0f && tapPhase[t] == ph) {
                                    tw[n] = w;
                                    offsets[n++] = base[c] - tapShift[t];
                                }
                            }
                        }
                        // x index base[c] - shift_t + m for phase-plane index m; y index (i - i0)*channelSize + shift + m
                        accumulate(tw, offsets, n, source, planes, (i - i0) * channelSize + shift, a, b);
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                moveInput(y, input.base(at(list, i)), planes, (i - i0) * channelSize, false);
            }
            i0 = i1;
        }
    }

    /**
     * Elements per tile: the tile's slice of all {@code channels} source planes (plus the taps' reach) should stay
     * within about 512 KiB of L2 while every channel of the call passes over it.
     */
    private static int tile(int channels, int reach) {
        int t = (1 << 16) / Math.max(1, channels) - reach;
        return Math.max(64, Math.min(4096, t)) & ~7;
    }

    /** Marks a source plane that is all zero (masked-out nodes of an active subnetwork): its terms are skipped. */
    private static final int SKIP = Integer.MIN_VALUE;

    /** True when some element of x[from, from + n) is not zero. */
    private static boolean nonZero(double[] x, int from, int n) {
        for (int i = from, end = from + n; i < end; i++) {
            if (x[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Copies input plane {@code x[from..]} into its zero-padded phase planes at {@code dst[at..]}. */
    private void splitPhases(double[] x, int from, double[] dst, int at) {
        for (int p = 0; p < sh; p++) {
            for (int q = 0; q < sw; q++) {
                final int plane = at + (p * sw + q) * phaseSize;
                for (int r = 0; r < hq; r++) {
                    final int row = plane + r * wq;
                    final int ih = r * sh + p - pt;
                    if (ih < 0 || ih >= inH) {
                        java.util.Arrays.fill(dst, row, row + wq, 0.0);
                        continue;
                    }
                    final int src = from + ih * inW;
                    for (int c = 0; c < wq; c++) {
                        final int iw = c * sw + q - pl;
                        dst[row + c] = iw >= 0 && iw < inW ? x[src + iw] : 0.0;
                    }
                }
            }
        }
    }

    /** Copies one output plane into the wide layout: zero margin, rows of Wq with zero tails, zero rows below. */
    private void widenOutput(double[] x, int from, double[] dst, int at) {
        java.util.Arrays.fill(dst, at, at + margin + phaseSize, 0.0);
        final int plane = at + margin;
        for (int r = 0; r < outH; r++) {
            System.arraycopy(x, from + r * outW, dst, plane + r * wq, outW);
        }
    }

    /** Moves the real input elements of one channel between y and its phase planes (either direction). */
    private void moveInput(double[] y, int from, double[] planes, int at0, boolean intoPlanes) {
        for (int ih = 0; ih < inH; ih++) {
            final int p = (ih + pt) % sh, r = (ih + pt) / sh;
            final int row = from + ih * inW;
            for (int iw = 0; iw < inW; iw++) {
                final int q = (iw + pl) % sw, c = (iw + pl) / sw;
                final int at = at0 + (p * sw + q) * phaseSize + r * wq + c;
                if (intoPlanes) {
                    planes[at] = y[row + iw];
                } else {
                    y[row + iw] = planes[at];
                }
            }
        }
    }

    /**
     * {@code y[yo + k] += sum over terms t, in order, of w[t] * x[o[t] + k]} for k in [k0, k1), eight or four
     * terms per pass, so each element's terms are added in the order given.
     */
    static void accumulate(double[] w, int[] o, int n, double[] x, double[] y, int yo, int k0, int k1) {
        if (useVector) {
            VectorPasses.accumulate(w, o, n, x, y, yo, k0, k1);
        } else {
            accumulateScalar(w, o, n, x, y, yo, k0, k1);
        }
    }

    /** The scalar passes (no Vector API): the JIT does not vectorise them, as it cannot rule out that x is y. */
    static void accumulateScalar(double[] w, int[] o, int n, double[] x, double[] y, int yo, int k0, int k1) {
        final int a = k0, b = k1;
        int t = 0;
        for (; t + 8 <= n; t += 8) {
            pass8(y, yo, x, w, o, t, a, b);
        }
        for (; t + 4 <= n; t += 4) {
            pass4(y, yo, x, w[t], o[t], w[t + 1], o[t + 1], w[t + 2], o[t + 2], w[t + 3], o[t + 3], a, b);
        }
        for (; t < n; t++) {
            pass1(y, yo, x, w[t], o[t], a, b);
        }
    }

    private static void pass4(double[] y, int yo, double[] x, double w0, int o0, double w1, int o1, double w2,
                              int o2, double w3, int o3, int a, int b) {
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k] + w1 * x[o1 + k] + w2 * x[o2 + k] + w3 * x[o3 + k];
        }
    }

    private static void pass8(double[] y, int yo, double[] x, double[] w, int[] o, int t, int a, int b) {
        final double w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3], w4 = w[t + 4], w5 = w[t + 5],
                w6 = w[t + 6], w7 = w[t + 7];
        final int o0 = o[t], o1 = o[t + 1], o2 = o[t + 2], o3 = o[t + 3], o4 = o[t + 4], o5 = o[t + 5],
                o6 = o[t + 6], o7 = o[t + 7];
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k] + w1 * x[o1 + k] + w2 * x[o2 + k] + w3 * x[o3 + k]
                    + w4 * x[o4 + k] + w5 * x[o5 + k] + w6 * x[o6 + k] + w7 * x[o7 + k];
        }
    }

    private static void pass1(double[] y, int yo, double[] x, double w0, int o0, int a, int b) {
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k];
        }
    }
}
