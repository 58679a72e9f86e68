package io.nnfrust.graph;

import java.util.Arrays;

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
 * stride-1, unpadded convolution needs neither copy and runs on x and y directly (also on a crop of whole rows,
 * which is one contiguous run; a crop of columns goes through the phase planes).
 *
 * <p>An input that is a window (crop) of larger stored planes ({@link WindowGeometry#withInputWindow}) is read
 * from {@code base + origin} in rows {@code planeWidth} apart by the phase copies and moves; nothing else changes.
 * Nodes of a plane outside the window are neither read (A·x) nor written (Aᵀ·x).
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
 * <p><b>Several vectors at once</b> ({@link #multiplyMany}, {@link #multiplyTransposeMany}): blocks of up to
 * {@link #COLUMN_BLOCK} columns are interleaved into one layout, and four target channels that share their term
 * list run as one register block ({@link #accumulate4}); every column gets the bits of its single-vector product.
 *
 * <p>Cost: O(edges + padding overhead) multiply-adds; the phase copies are O(input elements) per call and per
 * group, and scratch memory is per thread (two planes of the group, reused; times the columns of a block for the
 * products with several vectors).
 */
final class ConvolutionKernel {
    private final PlaneLayout input;
    private final int outputOffset;
    private final float[] weights;
    private final int inPerGroup, outPerGroup, taps;
    private final int outH, outW, outPlane, inH, inW;
    /**
     * The input window in its stored plane (a crop read as a view; {@link WindowGeometry#withInputWindow}): first
     * element at {@code origin} from the plane's base, rows {@code rowStride} apart; without a crop 0 and inW.
     */
    private final int origin, rowStride;
    /** A window as runs for the all-zero test: one run of inH·inW when its rows are contiguous, else inH of inW. */
    private final int nzRows, nzLength;

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
    static final boolean VECTOR_AVAILABLE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /**
     * Whether products use {@link VectorPasses}: on when available unless {@code -Dnnfrust.vector=false}; both
     * paths give the same bits (tests switch it).
     */
    static volatile boolean useVector = VECTOR_AVAILABLE && !"false".equals(System.getProperty("nnfrust.vector"));

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread buffers, grown on demand and reused. */
    private static final class Scratch {
        double[] planes = new double[0], wide = new double[0], termWeight = new double[0], termWeight4 = new double[0];
        int[] termOffset = new int[0], channelBase = new int[0], planeAt = new int[0], targets = new int[0];

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
                termWeight4 = new double[4 * n];
                termOffset = new int[n];
            }
        }

        int[] planeAt(int n) {
            if (planeAt.length < n) {
                planeAt = new int[n];
            }
            return planeAt;
        }

        int[] targets(int n) {
            if (targets.length < n) {
                targets = new int[n];
            }
            return targets;
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

    ConvolutionKernel(
            PlaneLayout input, int outputOffset, int outChannels, int groups, WindowGeometry g, float[] weights) {
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
        this.origin = g.windowOrigin();
        this.rowStride = g.planeWidth;
        this.nzRows = rowStride == inW ? 1 : inH;
        this.nzLength = rowStride == inW ? inH * inW : inW;
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
        // the direct path reads the input window as one contiguous run: not for a crop of columns
        this.direct = kh == 1
                && kw == 1
                && sh == 1
                && sw == 1
                && pt == 0
                && pl == 0
                && inH == outH
                && inW == outW
                && rowStride == inW;
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
                    final int plane = inStart(group * inPerGroup + c);
                    base[c] = nonZero(x, plane, outPlane) ? plane : SKIP;
                }
            } else {
                source = s.planes(inPerGroup * channelSize);
                for (int c = 0; c < inPerGroup; c++) {
                    final int plane = inStart(group * inPerGroup + c);
                    if (nonZero(x, plane, nzRows, nzLength, rowStride)) {
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
                        Arrays.fill(target, wide + r * wq + outW, wide + (r + 1) * wq, 0.0);
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
                        accumulate(tw, offsets, n, source, y, inStart(ci), a, b);
                    }
                }
                i0 = i1;
                continue;
            }
            final double[] planes = s.wide((i1 - i0) * channelSize);
            Arrays.fill(planes, 0, (i1 - i0) * channelSize, 0.0);
            for (int i = i0; i < i1; i++) {
                moveInput(y, inStart(at(list, i)), planes, (i - i0) * channelSize, true);
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
                        // x index base[c] - shift_t + m for phase-plane index m; y index (i - i0)*channelSize + shift +
                        // m
                        accumulate(tw, offsets, n, source, planes, (i - i0) * channelSize + shift, a, b);
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                moveInput(y, inStart(at(list, i)), planes, (i - i0) * channelSize, false);
            }
            i0 = i1;
        }
    }

    /**
     * Columns of V that one pass carries at most: more columns are cut into balanced blocks of at most this many.
     * Measured on GoogLeNet (2 cores, AVX-512): 2 and 4 columns are equally fast, 8 a little and 16 clearly
     * slower (every column widens the slices that must stay in L2); the scratch grows with it.
     */
    static final int COLUMN_BLOCK = 4;
    /**
     * A 1x1 (direct) convolution interleaves its columns only for planes of at most this many elements (7x7: the
     * longer passes pay for the copies); larger planes run column by column on x and y themselves.
     */
    static final int DIRECT_INTERLEAVE = 128;
    /** Elements per tile of a pass over several columns (the register blocks sweep a tile per chunk of sources). */
    static final int TILE_MANY = 1024;

    /**
     * {@code y[c] += A x[c]} for every column c, over output channels [from, to); per column bit for bit
     * {@link #multiply(double[], double[], int, int)}.
     *
     * <p>The columns are <em>interleaved</em>: element k of column j sits at {@code k·m + j} of the phase planes
     * and the wide output planes, so a term (weight w, offset o) of the single-vector kernel becomes the term
     * (w, o·m) of one unit-stride pass over all m columns at once (each term list is built once for m columns, and
     * a pass over a 7x7 plane is m times longer). Four output channels whose terms have the same offsets (no zero
     * weight among them) go through {@link #accumulate4}: every x vector loaded serves four channels, whose sums
     * stay in registers over the whole term list. Each element's terms are still added one by one in the
     * single-vector order, so the bits do not change.
     */
    void multiplyMany(double[][] x, double[][] y, int from, int to) {
        final int r = x.length, blocks = (r + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        for (int k = 0; k < blocks; k++) {
            final int j0 = (int) ((long) r * k / blocks), j1 = (int) ((long) r * (k + 1) / blocks);
            if (j1 - j0 == 1) {
                multiply(x[j0], y[j0], null, from, to);
            } else if (j1 > j0) {
                multiplyColumns(x, y, j0, j1 - j0, from, to);
            }
        }
    }

    /** {@code y[c] += Aᵀ x[c]} for every column c, over input channels [from, to); per column bit for bit. */
    void multiplyTransposeMany(double[][] x, double[][] y, int from, int to) {
        final int r = x.length, blocks = (r + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        for (int k = 0; k < blocks; k++) {
            final int j0 = (int) ((long) r * k / blocks), j1 = (int) ((long) r * (k + 1) / blocks);
            if (j1 - j0 == 1) {
                multiplyTranspose(x[j0], y[j0], null, from, to);
            } else if (j1 > j0) {
                multiplyTransposeColumns(x, y, j0, j1 - j0, from, to);
            }
        }
    }

    /**
     * Sets {@code base[c]} for the {@code count} source planes {@code x[j][planeAt[c] ..]} of {@code rows} rows of
     * {@code rowLength} elements, {@code rowStride} apart: {@link #SKIP} when the plane is all zero in every column [j0, j0 + m), else {@code c · stride}. Returns false when some
     * plane is zero in some columns only: the single-vector kernel skips its terms for those columns only, so the
     * caller runs the columns one by one (same bits, the sign of a zero included).
     */
    private static boolean planeBases(
            double[][] x,
            int j0,
            int m,
            int count,
            int[] planeAt,
            int rows,
            int rowLength,
            int rowStride,
            int[] base,
            int stride) {
        for (int c = 0; c < count; c++) {
            int zero = 0;
            for (int j = j0; j < j0 + m; j++) {
                if (!nonZero(x[j], planeAt[c], rows, rowLength, rowStride)) {
                    zero++;
                }
            }
            if (zero != 0 && zero != m) {
                return false;
            }
            base[c] = zero == m ? SKIP : c * stride;
        }
        return true;
    }

    /** A·x for the m columns [j0, j0 + m) (m ≥ 2), output channels [from, to). */
    private void multiplyColumns(double[][] x, double[][] y, int j0, int m, int from, int to) {
        final int rows = direct ? 1 : outH, rowIn = direct ? outPlane : outW, rowWide = direct ? outPlane : wq;
        final int span = rows * rowWide * m, stride = direct ? outPlane : channelSize;
        for (int i0 = from; i0 < to; ) {
            final int group = i0 / outPerGroup;
            final int i1 = groupEnd(null, i0, to, outPerGroup);
            final Scratch s = SCRATCH.get();
            s.terms(inPerGroup * taps);
            final int[] base = s.channelBase(inPerGroup), planeAt = s.planeAt(inPerGroup);
            for (int c = 0; c < inPerGroup; c++) {
                planeAt[c] = inStart(group * inPerGroup + c);
            }
            // fewer than four channels give no register block: the single-vector passes are as fast
            if (i1 - i0 < 4 || !planeBases(x, j0, m, inPerGroup, planeAt, nzRows, nzLength, rowStride, base, stride)) {
                for (int j = j0; j < j0 + m; j++) {
                    multiply(x[j], y[j], null, i0, i1);
                }
                i0 = i1;
                continue;
            }
            final int[] targets = s.targets(i1 - i0);
            if (direct && outPlane > DIRECT_INTERLEAVE) {
                // column by column on x and y themselves (no copies), four channels per register block
                final int tile = Math.min(outPlane, TILE_MANY), chunk = chunk(tile, 0);
                for (int c = 0; c < inPerGroup; c++) {
                    base[c] = base[c] == SKIP ? SKIP : planeAt[c];
                }
                for (int i = i0; i < i1; i++) {
                    targets[i - i0] = outputOffset + i * outPlane;
                }
                for (int j = j0; j < j0 + m; j++) {
                    for (int a = 0; a < outPlane; a += tile) {
                        for (int c0 = 0; c0 < inPerGroup; c0 += chunk) {
                            forwardPass(
                                    s,
                                    base,
                                    1,
                                    x[j],
                                    y[j],
                                    i0,
                                    i1,
                                    targets,
                                    a,
                                    Math.min(outPlane, a + tile),
                                    c0,
                                    Math.min(inPerGroup, c0 + chunk));
                        }
                    }
                }
                i0 = i1;
                continue;
            }
            // interleaved: position k of column j at k*m + j (a direct convolution's planes are not widened)
            final double[] source = s.planes(inPerGroup * stride * m);
            for (int c = 0; c < inPerGroup; c++) {
                if (base[c] != SKIP) {
                    if (direct) {
                        interleave(x, j0, m, planeAt[c], source, c * stride * m, outPlane);
                    } else {
                        splitPhases(x, j0, m, planeAt[c], source, c * stride * m);
                    }
                }
            }
            final double[] target = s.wide((i1 - i0) * span);
            for (int i = i0; i < i1; i++) {
                targets[i - i0] = (i - i0) * span;
                final int outBase = outputOffset + i * outPlane;
                for (int row = 0; row < rows; row++) {
                    final int at = targets[i - i0] + row * rowWide * m;
                    interleave(y, j0, m, outBase + row * rowIn, target, at, rowIn);
                    Arrays.fill(target, at + rowIn * m, at + rowWide * m, 0.0);
                }
            }
            final int tile = Math.min(span, TILE_MANY), chunk = chunk(tile, (direct ? 0 : margin) * m);
            for (int a = 0; a < span; a += tile) {
                for (int c0 = 0; c0 < inPerGroup; c0 += chunk) {
                    forwardPass(
                            s,
                            base,
                            m,
                            source,
                            target,
                            i0,
                            i1,
                            targets,
                            a,
                            Math.min(span, a + tile),
                            c0,
                            Math.min(inPerGroup, c0 + chunk));
                }
            }
            for (int i = i0; i < i1; i++) {
                final int outBase = outputOffset + i * outPlane;
                for (int row = 0; row < rows; row++) {
                    deinterleave(target, targets[i - i0] + row * rowWide * m, y, j0, m, outBase + row * rowIn, rowIn);
                }
            }
            i0 = i1;
        }
    }

    /**
     * The terms of input channels [cFrom, cTo) for output channels [i0, i1) over [a, b):
     * {@code y[targets[co - i0] + k] += Σ w·x[o + k]}, the offsets {@code (base[c] + tapOffset[t]) · scale}. Four
     * channels at a time share one register block when no term has a zero weight in some of them and not in the
     * others; the rest channel by channel. Chunks of input channels applied in order add every element's terms
     * in the order of the whole list.
     */
    private void forwardPass(
            Scratch s,
            int[] base,
            int scale,
            double[] x,
            double[] y,
            int i0,
            int i1,
            int[] targets,
            int a,
            int b,
            int cFrom,
            int cTo) {
        final double[] tw = s.termWeight, tw4 = s.termWeight4;
        final int[] offsets = s.termOffset;
        int co = i0;
        for (; co + 4 <= i1; co += 4) {
            final int n = forwardTerms4(co, base, tw4, offsets, scale, cFrom, cTo);
            final int t = co - i0;
            if (n >= 0) {
                accumulate4(tw4, offsets, n, x, y, targets[t], targets[t + 1], targets[t + 2], targets[t + 3], a, b);
            } else {
                for (int q = 0; q < 4; q++) {
                    final int k = forwardTerms(co + q, base, tw, offsets, scale, cFrom, cTo);
                    accumulate(tw, offsets, k, x, y, targets[t + q], a, b);
                }
            }
        }
        for (; co < i1; co++) {
            final int k = forwardTerms(co, base, tw, offsets, scale, cFrom, cTo);
            accumulate(tw, offsets, k, x, y, targets[co - i0], a, b);
        }
    }

    /**
     * The terms of output channel {@code co} from input channels [cFrom, cTo) in the single-vector order (input
     * channel, tap), zero weights and skipped planes left out: weight and offset {@code (base[c] + tapOffset[t]) ·
     * scale}. Returns their number.
     */
    private int forwardTerms(int co, int[] base, double[] tw, int[] offsets, int scale, int cFrom, int cTo) {
        int n = 0;
        for (int c = cFrom; c < cTo; c++) {
            if (base[c] == SKIP) {
                continue;
            }
            final int wBase = (co * inPerGroup + c) * taps;
            for (int t = 0; t < taps; t++) {
                final float w = weights[wBase + t];
                if (w != 0f) {
                    tw[n] = w;
                    offsets[n++] = (base[c] + tapOffset[t]) * scale;
                }
            }
        }
        return n;
    }

    /**
     * The common terms of output channels co..co+3 (weights {@code tw4[4t + q]}), or -1 when a weight is zero in
     * some of them but not all (their term lists differ). A term zero in all four is left out, as each would.
     */
    private int forwardTerms4(int co, int[] base, double[] tw4, int[] offsets, int scale, int cFrom, int cTo) {
        final int stride = inPerGroup * taps;
        int n = 0;
        for (int c = cFrom; c < cTo; c++) {
            if (base[c] == SKIP) {
                continue;
            }
            final int wBase = (co * inPerGroup + c) * taps;
            for (int t = 0; t < taps; t++) {
                final float w0 = weights[wBase + t],
                        w1 = weights[wBase + stride + t],
                        w2 = weights[wBase + 2 * stride + t],
                        w3 = weights[wBase + 3 * stride + t];
                final int zeros = (w0 == 0f ? 1 : 0) + (w1 == 0f ? 1 : 0) + (w2 == 0f ? 1 : 0) + (w3 == 0f ? 1 : 0);
                if (zeros == 4) {
                    continue;
                }
                if (zeros != 0) {
                    return -1;
                }
                tw4[4 * n] = w0;
                tw4[4 * n + 1] = w1;
                tw4[4 * n + 2] = w2;
                tw4[4 * n + 3] = w3;
                offsets[n++] = (base[c] + tapOffset[t]) * scale;
            }
        }
        return n;
    }

    /** Aᵀ·x for the m columns [j0, j0 + m) (m ≥ 2), input channels [from, to). */
    private void multiplyTransposeColumns(double[][] x, double[][] y, int j0, int m, int from, int to) {
        // a direct convolution's output planes need no margin, its input planes no phases
        final int length = direct ? outPlane : margin + phaseSize, front = direct ? 0 : margin;
        final int planeSize = direct ? outPlane : channelSize;
        for (int i0 = from; i0 < to; ) {
            final int group = i0 / inPerGroup;
            // channels whose planes overlap (one tensor read twice) must see each other's sums: one at a time
            final int i1 = input.distinctPlanes() ? groupEnd(null, i0, to, inPerGroup) : i0 + 1;
            final Scratch s = SCRATCH.get();
            s.terms(outPerGroup * taps);
            final int[] base = s.channelBase(outPerGroup), planeAt = s.planeAt(outPerGroup);
            for (int c = 0; c < outPerGroup; c++) {
                planeAt[c] = outputOffset + (group * outPerGroup + c) * outPlane;
            }
            if (i1 - i0 < 4 || !planeBases(x, j0, m, outPerGroup, planeAt, 1, outPlane, 0, base, length)) {
                for (int j = j0; j < j0 + m; j++) {
                    multiplyTranspose(x[j], y[j], null, i0, i1);
                }
                i0 = i1;
                continue;
            }
            final int[] targets = s.targets(i1 - i0);
            if (direct && outPlane > DIRECT_INTERLEAVE) {
                final int tile = Math.min(outPlane, TILE_MANY), chunk = chunk(tile, 0);
                for (int c = 0; c < outPerGroup; c++) {
                    base[c] = base[c] == SKIP ? SKIP : planeAt[c];
                }
                for (int i = i0; i < i1; i++) {
                    targets[i - i0] = inStart(i);
                }
                for (int j = j0; j < j0 + m; j++) {
                    for (int a = 0; a < outPlane; a += tile) {
                        for (int c0 = 0; c0 < outPerGroup; c0 += chunk) {
                            transposePass(
                                    s,
                                    base,
                                    1,
                                    0,
                                    x[j],
                                    y[j],
                                    i0,
                                    i1,
                                    group,
                                    targets,
                                    a,
                                    Math.min(outPlane, a + tile),
                                    c0,
                                    Math.min(outPerGroup, c0 + chunk));
                        }
                    }
                }
                i0 = i1;
                continue;
            }
            for (int c = 0; c < outPerGroup; c++) {
                if (base[c] != SKIP) {
                    base[c] += front;
                }
            }
            final double[] source = s.planes(outPerGroup * length * m);
            for (int c = 0; c < outPerGroup; c++) {
                if (base[c] != SKIP) {
                    if (direct) {
                        interleave(x, j0, m, planeAt[c], source, c * length * m, outPlane);
                    } else {
                        widenOutput(x, j0, m, planeAt[c], source, c * length * m);
                    }
                }
            }
            final double[] planes = s.wide((i1 - i0) * planeSize * m);
            if (!direct) {
                Arrays.fill(planes, 0, (i1 - i0) * planeSize * m, 0.0);
            }
            for (int i = i0; i < i1; i++) {
                if (direct) {
                    interleave(y, j0, m, inStart(i), planes, (i - i0) * planeSize * m, outPlane);
                } else {
                    moveInput(y, j0, m, inStart(i), planes, (i - i0) * planeSize * m, true);
                }
            }
            final int chunkReach = front * m;
            for (int ph = 0; ph < sh * sw; ph++) {
                final int shift = ph * phaseSize, lo = direct ? 0 : phaseFrom[ph] * m;
                final int hi = direct ? outPlane * m : phaseTo[ph] * m;
                for (int i = i0; i < i1; i++) {
                    targets[i - i0] = ((i - i0) * planeSize + (direct ? 0 : shift)) * m;
                }
                final int tile = Math.min(Math.max(1, hi - lo), TILE_MANY), chunk = chunk(tile, chunkReach);
                for (int a = lo; a < hi; a += tile) {
                    for (int c0 = 0; c0 < outPerGroup; c0 += chunk) {
                        transposePass(
                                s,
                                base,
                                m,
                                ph,
                                source,
                                planes,
                                i0,
                                i1,
                                group,
                                targets,
                                a,
                                Math.min(hi, a + tile),
                                c0,
                                Math.min(outPerGroup, c0 + chunk));
                    }
                }
            }
            for (int i = i0; i < i1; i++) {
                if (direct) {
                    deinterleave(planes, (i - i0) * planeSize * m, y, j0, m, inStart(i), outPlane);
                } else {
                    moveInput(y, j0, m, inStart(i), planes, (i - i0) * planeSize * m, false);
                }
            }
            i0 = i1;
        }
    }

    /**
     * The terms of phase {@code ph} from output channels [cFrom, cTo) for input channels [i0, i1) over [a, b):
     * offsets {@code (base[c] − tapShift[t]) · scale} into the output planes, four input channels per register
     * block when their terms agree.
     */
    private void transposePass(
            Scratch s,
            int[] base,
            int scale,
            int ph,
            double[] x,
            double[] y,
            int i0,
            int i1,
            int group,
            int[] targets,
            int a,
            int b,
            int cFrom,
            int cTo) {
        final double[] tw = s.termWeight, tw4 = s.termWeight4;
        final int[] offsets = s.termOffset;
        int ci = i0;
        for (; ci + 4 <= i1 && ci % inPerGroup + 4 <= inPerGroup; ci += 4) {
            final int n = transposeTerms4(ci % inPerGroup, group, ph, base, tw4, offsets, scale, cFrom, cTo);
            final int t = ci - i0;
            if (n >= 0) {
                accumulate4(tw4, offsets, n, x, y, targets[t], targets[t + 1], targets[t + 2], targets[t + 3], a, b);
            } else {
                for (int q = 0; q < 4; q++) {
                    final int k =
                            transposeTerms((ci + q) % inPerGroup, group, ph, base, tw, offsets, scale, cFrom, cTo);
                    accumulate(tw, offsets, k, x, y, targets[t + q], a, b);
                }
            }
        }
        for (; ci < i1; ci++) {
            final int k = transposeTerms(ci % inPerGroup, group, ph, base, tw, offsets, scale, cFrom, cTo);
            accumulate(tw, offsets, k, x, y, targets[ci - i0], a, b);
        }
    }

    /**
     * The terms of input channel {@code cil} of {@code group} in phase {@code ph} from output channels [cFrom, cTo),
     * in the single-vector order.
     */
    private int transposeTerms(
            int cil, int group, int ph, int[] base, double[] tw, int[] offsets, int scale, int cFrom, int cTo) {
        int n = 0;
        for (int c = cFrom; c < cTo; c++) {
            if (base[c] == SKIP) {
                continue;
            }
            final int wBase = ((group * outPerGroup + c) * inPerGroup + cil) * taps;
            for (int t = 0; t < taps; t++) {
                final float w = weights[wBase + t];
                if (w != 0f && tapPhase[t] == ph) {
                    tw[n] = w;
                    offsets[n++] = (base[c] - tapShift[t]) * scale;
                }
            }
        }
        return n;
    }

    /** The common terms of input channels cil..cil+3 in phase {@code ph}, or -1 when their term lists differ. */
    private int transposeTerms4(
            int cil, int group, int ph, int[] base, double[] tw4, int[] offsets, int scale, int cFrom, int cTo) {
        int n = 0;
        for (int c = cFrom; c < cTo; c++) {
            if (base[c] == SKIP) {
                continue;
            }
            final int wBase = ((group * outPerGroup + c) * inPerGroup + cil) * taps;
            for (int t = 0; t < taps; t++) {
                if (tapPhase[t] != ph) {
                    continue;
                }
                final float w0 = weights[wBase + t],
                        w1 = weights[wBase + taps + t],
                        w2 = weights[wBase + 2 * taps + t],
                        w3 = weights[wBase + 3 * taps + t];
                final int zeros = (w0 == 0f ? 1 : 0) + (w1 == 0f ? 1 : 0) + (w2 == 0f ? 1 : 0) + (w3 == 0f ? 1 : 0);
                if (zeros == 4) {
                    continue;
                }
                if (zeros != 0) {
                    return -1;
                }
                tw4[4 * n] = w0;
                tw4[4 * n + 1] = w1;
                tw4[4 * n + 2] = w2;
                tw4[4 * n + 3] = w3;
                offsets[n++] = (base[c] - tapShift[t]) * scale;
            }
        }
        return n;
    }

    /**
     * Source channels per chunk of a pass over tiles of {@code tile} elements whose terms reach {@code reach}
     * elements further: the chunk's slices (about 256 KiB) stay in L2 while every target passes over them. A
     * target's sums are stored after one chunk and reloaded for the next, which changes no bit.
     */
    private static int chunk(int tile, int reach) {
        return Math.max(8, (1 << 15) / (tile + reach));
    }

    /** {@code dst[at + k·m + j] = x[j0 + j][from + k]} for k in [0, n), j in [0, m). */
    private static void interleave(double[][] x, int j0, int m, int from, double[] dst, int at, int n) {
        for (int j = 0; j < m; j++) {
            final double[] xj = x[j0 + j];
            for (int k = 0, d = at + j; k < n; k++, d += m) {
                dst[d] = xj[from + k];
            }
        }
    }

    /** {@code y[j0 + j][to + k] = src[at + k·m + j]} for k in [0, n), j in [0, m). */
    private static void deinterleave(double[] src, int at, double[][] y, int j0, int m, int to, int n) {
        for (int j = 0; j < m; j++) {
            final double[] yj = y[j0 + j];
            for (int k = 0, d = at + j; k < n; k++, d += m) {
                yj[to + k] = src[d];
            }
        }
    }

    /** {@link #splitPhases(double[], int, double[], int)} of m columns, interleaved (position k at {@code at + k·m}). */
    private void splitPhases(double[][] x, int j0, int m, int from, double[] dst, int at) {
        for (int p = 0; p < sh; p++) {
            for (int q = 0; q < sw; q++) {
                final int plane = (p * sw + q) * phaseSize;
                for (int r = 0; r < hq; r++) {
                    final int row = at + (plane + r * wq) * m;
                    final int ih = r * sh + p - pt;
                    if (ih < 0 || ih >= inH) {
                        Arrays.fill(dst, row, row + wq * m, 0.0);
                        continue;
                    }
                    final int src = from + ih * rowStride;
                    // columns c with 0 <= c*sw + q - pl < inW hold input elements, the others zero padding
                    final int c0 = Math.min(wq, (pl - q + sw - 1) / sw);
                    final int c1 = Math.max(c0, Math.min(wq, Math.floorDiv(inW - 1 + pl - q, sw) + 1));
                    Arrays.fill(dst, row, row + c0 * m, 0.0);
                    Arrays.fill(dst, row + c1 * m, row + wq * m, 0.0);
                    for (int j = 0; j < m; j++) {
                        final double[] xj = x[j0 + j];
                        for (int c = c0, d = row + c0 * m + j, iw = c0 * sw + q - pl; c < c1; c++, d += m, iw += sw) {
                            dst[d] = xj[src + iw];
                        }
                    }
                }
            }
        }
    }

    /** {@link #widenOutput(double[], int, double[], int)} of m columns, interleaved. */
    private void widenOutput(double[][] x, int j0, int m, int from, double[] dst, int at) {
        Arrays.fill(dst, at, at + (margin + phaseSize) * m, 0.0);
        for (int r = 0; r < outH; r++) {
            interleave(x, j0, m, from + r * outW, dst, at + (margin + r * wq) * m, outW);
        }
    }

    /** {@link #moveInput(double[], int, double[], int, boolean)} of m columns, interleaved. */
    private void moveInput(double[][] y, int j0, int m, int from, double[] planes, int at0, boolean intoPlanes) {
        for (int ih = 0; ih < inH; ih++) {
            final int p = (ih + pt) % sh, r = (ih + pt) / sh;
            final int row = from + ih * rowStride;
            for (int iw = 0; iw < inW; iw++) {
                final int q = (iw + pl) % sw, c = (iw + pl) / sw;
                final int at = at0 + ((p * sw + q) * phaseSize + r * wq + c) * m;
                if (intoPlanes) {
                    for (int j = 0; j < m; j++) {
                        planes[at + j] = y[j0 + j][row + iw];
                    }
                } else {
                    for (int j = 0; j < m; j++) {
                        y[j0 + j][row + iw] = planes[at + j];
                    }
                }
            }
        }
    }

    /**
     * Four targets at once: {@code y[yq + k] += Σ_t w[4t + q] · x[o[t] + k]} for q = 0..3 and k in [k0, k1), each
     * element's terms added one by one in the order given, from its current value: the same bits as four
     * {@link #accumulate} calls, with every x element loaded once for the four targets.
     */
    static void accumulate4(
            double[] w, int[] o, int n, double[] x, double[] y, int y0, int y1, int y2, int y3, int k0, int k1) {
        if (useVector) {
            VectorPasses.accumulate4(w, o, n, x, y, y0, y1, y2, y3, k0, k1);
        } else {
            accumulate4Scalar(w, o, n, x, y, y0, y1, y2, y3, k0, k1);
        }
    }

    /** The scalar twin of {@link #accumulate4}: two elements of four targets per step over the terms. */
    static void accumulate4Scalar(
            double[] w, int[] o, int n, double[] x, double[] y, int y0, int y1, int y2, int y3, int k0, int k1) {
        int k = k0;
        for (; k + 2 <= k1; k += 2) {
            double a0 = y[y0 + k], a1 = y[y1 + k], a2 = y[y2 + k], a3 = y[y3 + k];
            double b0 = y[y0 + k + 1], b1 = y[y1 + k + 1], b2 = y[y2 + k + 1], b3 = y[y3 + k + 1];
            for (int t = 0; t < n; t++) {
                final int at = o[t] + k;
                final double u = x[at], v = x[at + 1];
                final double w0 = w[4 * t], w1 = w[4 * t + 1], w2 = w[4 * t + 2], w3 = w[4 * t + 3];
                a0 = a0 + w0 * u;
                a1 = a1 + w1 * u;
                a2 = a2 + w2 * u;
                a3 = a3 + w3 * u;
                b0 = b0 + w0 * v;
                b1 = b1 + w1 * v;
                b2 = b2 + w2 * v;
                b3 = b3 + w3 * v;
            }
            y[y0 + k] = a0;
            y[y1 + k] = a1;
            y[y2 + k] = a2;
            y[y3 + k] = a3;
            y[y0 + k + 1] = b0;
            y[y1 + k + 1] = b1;
            y[y2 + k + 1] = b2;
            y[y3 + k + 1] = b3;
        }
        for (; k < k1; k++) {
            double a0 = y[y0 + k], a1 = y[y1 + k], a2 = y[y2 + k], a3 = y[y3 + k];
            for (int t = 0; t < n; t++) {
                final double u = x[o[t] + k];
                a0 = a0 + w[4 * t] * u;
                a1 = a1 + w[4 * t + 1] * u;
                a2 = a2 + w[4 * t + 2] * u;
                a3 = a3 + w[4 * t + 3] * u;
            }
            y[y0 + k] = a0;
            y[y1 + k] = a1;
            y[y2 + k] = a2;
            y[y3 + k] = a3;
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

    /** True when some element of the {@code rows} runs x[from + r·stride, + length) is not zero. */
    private static boolean nonZero(double[] x, int from, int rows, int length, int stride) {
        for (int r = 0; r < rows; r++) {
            if (nonZero(x, from + r * stride, length)) {
                return true;
            }
        }
        return false;
    }

    /** First node of the input window of channel {@code c} (its plane's base when there is no crop). */
    private int inStart(int c) {
        return input.base(c) + origin;
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
                        Arrays.fill(dst, row, row + wq, 0.0);
                        continue;
                    }
                    final int src = from + ih * rowStride;
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
        Arrays.fill(dst, at, at + margin + phaseSize, 0.0);
        final int plane = at + margin;
        for (int r = 0; r < outH; r++) {
            System.arraycopy(x, from + r * outW, dst, plane + r * wq, outW);
        }
    }

    /** Moves the real input elements of one channel between y and its phase planes (either direction). */
    private void moveInput(double[] y, int from, double[] planes, int at0, boolean intoPlanes) {
        for (int ih = 0; ih < inH; ih++) {
            final int p = (ih + pt) % sh, r = (ih + pt) / sh;
            final int row = from + ih * rowStride;
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

    private static void pass4(
            double[] y,
            int yo,
            double[] x,
            double w0,
            int o0,
            double w1,
            int o1,
            double w2,
            int o2,
            double w3,
            int o3,
            int a,
            int b) {
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k] + w1 * x[o1 + k] + w2 * x[o2 + k] + w3 * x[o3 + k];
        }
    }

    private static void pass8(double[] y, int yo, double[] x, double[] w, int[] o, int t, int a, int b) {
        final double w0 = w[t],
                w1 = w[t + 1],
                w2 = w[t + 2],
                w3 = w[t + 3],
                w4 = w[t + 4],
                w5 = w[t + 5],
                w6 = w[t + 6],
                w7 = w[t + 7];
        final int o0 = o[t],
                o1 = o[t + 1],
                o2 = o[t + 2],
                o3 = o[t + 3],
                o4 = o[t + 4],
                o5 = o[t + 5],
                o6 = o[t + 6],
                o7 = o[t + 7];
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k]
                    + w0 * x[o0 + k]
                    + w1 * x[o1 + k]
                    + w2 * x[o2 + k]
                    + w3 * x[o3 + k]
                    + w4 * x[o4 + k]
                    + w5 * x[o5 + k]
                    + w6 * x[o6 + k]
                    + w7 * x[o7 + k];
        }
    }

    private static void pass1(double[] y, int yo, double[] x, double w0, int o0, int a, int b) {
        for (int k = a; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k];
        }
    }
}
