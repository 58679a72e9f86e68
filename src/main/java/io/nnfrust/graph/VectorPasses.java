package io.nnfrust.graph;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twin of {@link ConvolutionKernel#accumulate}: the same passes written with the JDK Vector API
 * ({@code jdk.incubator.vector}), lane-wise multiply then add (never a fused multiply-add), so every element's
 * sum is formed in the same order with the same roundings as the scalar passes, bit for bit. Loaded only when
 * the module is present ({@link ConvolutionKernel#VECTOR_AVAILABLE}); the {@code nnfrust} launcher adds it.
 */
final class VectorPasses {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /** Four lanes (256 bits), for groups of four columns on machines whose preferred vectors are longer. */
    private static final VectorSpecies<Double> S4 = DoubleVector.SPECIES_256;

    private VectorPasses() {}

    /** Lanes per vector on this machine (8 with AVX-512, 4 with AVX2). */
    static int lanes() {
        return S.length();
    }

    /** {@code y[yo + t] = y[yo + t] + w[wo + t] · x[xo + t]} for t in [0, n): lane-wise multiply, then add. */
    static void line(double[] y, int yo, double[] w, int wo, int n, double[] x, int xo) {
        final int bound = S.loopBound(n);
        int t = 0;
        for (; t < bound; t += S.length()) {
            DoubleVector.fromArray(S, y, yo + t)
                    .add(DoubleVector.fromArray(S, x, xo + t).mul(DoubleVector.fromArray(S, w, wo + t)))
                    .intoArray(y, yo + t);
        }
        for (; t < n; t++) {
            y[yo + t] = y[yo + t] + w[wo + t] * x[xo + t];
        }
    }

    /**
     * {@code y[yAt + t·yStep + c] = y[yAt + t·yStep + c] + w[wAt + t] · x[xAt + t·xStep + c]} for t in [0, n), c
     * in [0, r): lane-wise multiply, then add (the per-edge products of {@link PerEdgeConvolutionBlock}).
     */
    static void rows(
            double[] y, int yAt, int yStep, double[] w, int wAt, int n, double[] x, int xAt, int xStep, int r) {
        final int l = S.length(), bound = S.loopBound(r);
        if (r == l) { // one vector per edge (r = 8 with AVX-512, 4 with AVX2)
            for (int t = 0; t < n; t++) {
                final int yo = yAt + t * yStep;
                DoubleVector.fromArray(S, y, yo)
                        .add(DoubleVector.fromArray(S, x, xAt + t * xStep).mul(w[wAt + t]))
                        .intoArray(y, yo);
            }
            return;
        }
        final int half = S4.length() < l ? bound + S4.loopBound(r - bound) : bound;
        for (int t = 0; t < n; t++) {
            final double wt = w[wAt + t];
            final int yo = yAt + t * yStep, xo = xAt + t * xStep;
            int c = 0;
            for (; c < bound; c += l) {
                DoubleVector.fromArray(S, y, yo + c)
                        .add(DoubleVector.fromArray(S, x, xo + c).mul(wt))
                        .intoArray(y, yo + c);
            }
            for (; c < half; c += 4) { // r = 4 (or a remainder of 4) where the preferred vectors hold 8
                DoubleVector.fromArray(S4, y, yo + c)
                        .add(DoubleVector.fromArray(S4, x, xo + c).mul(wt))
                        .intoArray(y, yo + c);
            }
            for (; c < r; c++) {
                y[yo + c] = y[yo + c] + wt * x[xo + c];
            }
        }
    }

    static void accumulate(double[] w, int[] o, int n, double[] x, double[] y, int yo, int a, int b) {
        int t = 0;
        for (; t + 8 <= n; t += 8) {
            pass8(y, yo, x, w, o, t, a, b);
        }
        for (; t + 4 <= n; t += 4) {
            pass4(y, yo, x, w, o, t, a, b);
        }
        for (; t < n; t++) {
            pass1(y, yo, x, w[t], o[t], a, b);
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
        final int bound = a + S.loopBound(b - a);
        int k = a;
        for (; k < bound; k += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, y, yo + k);
            v = v.add(DoubleVector.fromArray(S, x, o0 + k).mul(w0));
            v = v.add(DoubleVector.fromArray(S, x, o1 + k).mul(w1));
            v = v.add(DoubleVector.fromArray(S, x, o2 + k).mul(w2));
            v = v.add(DoubleVector.fromArray(S, x, o3 + k).mul(w3));
            v = v.add(DoubleVector.fromArray(S, x, o4 + k).mul(w4));
            v = v.add(DoubleVector.fromArray(S, x, o5 + k).mul(w5));
            v = v.add(DoubleVector.fromArray(S, x, o6 + k).mul(w6));
            v = v.add(DoubleVector.fromArray(S, x, o7 + k).mul(w7));
            v.intoArray(y, yo + k);
        }
        for (; k < b; k++) {
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

    private static void pass4(double[] y, int yo, double[] x, double[] w, int[] o, int t, int a, int b) {
        final double w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3];
        final int o0 = o[t], o1 = o[t + 1], o2 = o[t + 2], o3 = o[t + 3];
        final int bound = a + S.loopBound(b - a);
        int k = a;
        for (; k < bound; k += S.length()) {
            DoubleVector v = DoubleVector.fromArray(S, y, yo + k);
            v = v.add(DoubleVector.fromArray(S, x, o0 + k).mul(w0));
            v = v.add(DoubleVector.fromArray(S, x, o1 + k).mul(w1));
            v = v.add(DoubleVector.fromArray(S, x, o2 + k).mul(w2));
            v = v.add(DoubleVector.fromArray(S, x, o3 + k).mul(w3));
            v.intoArray(y, yo + k);
        }
        for (; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k] + w1 * x[o1 + k] + w2 * x[o2 + k] + w3 * x[o3 + k];
        }
    }

    private static void pass1(double[] y, int yo, double[] x, double w0, int o0, int a, int b) {
        final int bound = a + S.loopBound(b - a);
        int k = a;
        for (; k < bound; k += S.length()) {
            DoubleVector.fromArray(S, y, yo + k)
                    .add(DoubleVector.fromArray(S, x, o0 + k).mul(w0))
                    .intoArray(y, yo + k);
        }
        for (; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k];
        }
    }

    /**
     * The SIMD twin of {@link ConvolutionKernel#accumulate4}: a register block of four targets × four vectors
     * (two with fewer than eight lanes, whose machines have half the registers) holds its sums over the whole term
     * list, each x vector loaded once for the four targets; then one vector of four targets; then scalar elements.
     */
    static void accumulate4(
            double[] w, int[] o, int n, double[] x, double[] y, int y0, int y1, int y2, int y3, int a, int b) {
        final int l = S.length();
        int k = a;
        if (l >= 8) {
            for (; k + 4 * l <= b; k += 4 * l) {
                block4x4(w, o, n, x, y, y0, y1, y2, y3, k);
            }
        } else {
            for (; k + 2 * l <= b; k += 2 * l) {
                block4x2(w, o, n, x, y, y0, y1, y2, y3, k);
            }
        }
        for (; k + l <= b; k += l) {
            DoubleVector a0 = DoubleVector.fromArray(S, y, y0 + k), a1 = DoubleVector.fromArray(S, y, y1 + k);
            DoubleVector a2 = DoubleVector.fromArray(S, y, y2 + k), a3 = DoubleVector.fromArray(S, y, y3 + k);
            for (int t = 0; t < n; t++) {
                final DoubleVector v = DoubleVector.fromArray(S, x, o[t] + k);
                a0 = a0.add(v.mul(w[4 * t]));
                a1 = a1.add(v.mul(w[4 * t + 1]));
                a2 = a2.add(v.mul(w[4 * t + 2]));
                a3 = a3.add(v.mul(w[4 * t + 3]));
            }
            a0.intoArray(y, y0 + k);
            a1.intoArray(y, y1 + k);
            a2.intoArray(y, y2 + k);
            a3.intoArray(y, y3 + k);
        }
        if (k < b) {
            ConvolutionKernel.accumulate4Scalar(w, o, n, x, y, y0, y1, y2, y3, k, b);
        }
    }

    private static void block4x4(
            double[] w, int[] o, int n, double[] x, double[] y, int y0, int y1, int y2, int y3, int k) {
        final int l = S.length();
        DoubleVector a00 = DoubleVector.fromArray(S, y, y0 + k), a01 = DoubleVector.fromArray(S, y, y0 + k + l);
        DoubleVector a02 = DoubleVector.fromArray(S, y, y0 + k + 2 * l),
                a03 = DoubleVector.fromArray(S, y, y0 + k + 3 * l);
        DoubleVector a10 = DoubleVector.fromArray(S, y, y1 + k), a11 = DoubleVector.fromArray(S, y, y1 + k + l);
        DoubleVector a12 = DoubleVector.fromArray(S, y, y1 + k + 2 * l),
                a13 = DoubleVector.fromArray(S, y, y1 + k + 3 * l);
        DoubleVector a20 = DoubleVector.fromArray(S, y, y2 + k), a21 = DoubleVector.fromArray(S, y, y2 + k + l);
        DoubleVector a22 = DoubleVector.fromArray(S, y, y2 + k + 2 * l),
                a23 = DoubleVector.fromArray(S, y, y2 + k + 3 * l);
        DoubleVector a30 = DoubleVector.fromArray(S, y, y3 + k), a31 = DoubleVector.fromArray(S, y, y3 + k + l);
        DoubleVector a32 = DoubleVector.fromArray(S, y, y3 + k + 2 * l),
                a33 = DoubleVector.fromArray(S, y, y3 + k + 3 * l);
        for (int t = 0; t < n; t++) {
            final int at = o[t] + k;
            final DoubleVector v0 = DoubleVector.fromArray(S, x, at), v1 = DoubleVector.fromArray(S, x, at + l);
            final DoubleVector v2 = DoubleVector.fromArray(S, x, at + 2 * l),
                    v3 = DoubleVector.fromArray(S, x, at + 3 * l);
            final double w0 = w[4 * t], w1 = w[4 * t + 1], w2 = w[4 * t + 2], w3 = w[4 * t + 3];
            a00 = a00.add(v0.mul(w0));
            a01 = a01.add(v1.mul(w0));
            a02 = a02.add(v2.mul(w0));
            a03 = a03.add(v3.mul(w0));
            a10 = a10.add(v0.mul(w1));
            a11 = a11.add(v1.mul(w1));
            a12 = a12.add(v2.mul(w1));
            a13 = a13.add(v3.mul(w1));
            a20 = a20.add(v0.mul(w2));
            a21 = a21.add(v1.mul(w2));
            a22 = a22.add(v2.mul(w2));
            a23 = a23.add(v3.mul(w2));
            a30 = a30.add(v0.mul(w3));
            a31 = a31.add(v1.mul(w3));
            a32 = a32.add(v2.mul(w3));
            a33 = a33.add(v3.mul(w3));
        }
        a00.intoArray(y, y0 + k);
        a01.intoArray(y, y0 + k + l);
        a02.intoArray(y, y0 + k + 2 * l);
        a03.intoArray(y, y0 + k + 3 * l);
        a10.intoArray(y, y1 + k);
        a11.intoArray(y, y1 + k + l);
        a12.intoArray(y, y1 + k + 2 * l);
        a13.intoArray(y, y1 + k + 3 * l);
        a20.intoArray(y, y2 + k);
        a21.intoArray(y, y2 + k + l);
        a22.intoArray(y, y2 + k + 2 * l);
        a23.intoArray(y, y2 + k + 3 * l);
        a30.intoArray(y, y3 + k);
        a31.intoArray(y, y3 + k + l);
        a32.intoArray(y, y3 + k + 2 * l);
        a33.intoArray(y, y3 + k + 3 * l);
    }

    private static void block4x2(
            double[] w, int[] o, int n, double[] x, double[] y, int y0, int y1, int y2, int y3, int k) {
        final int l = S.length();
        DoubleVector a00 = DoubleVector.fromArray(S, y, y0 + k), a01 = DoubleVector.fromArray(S, y, y0 + k + l);
        DoubleVector a10 = DoubleVector.fromArray(S, y, y1 + k), a11 = DoubleVector.fromArray(S, y, y1 + k + l);
        DoubleVector a20 = DoubleVector.fromArray(S, y, y2 + k), a21 = DoubleVector.fromArray(S, y, y2 + k + l);
        DoubleVector a30 = DoubleVector.fromArray(S, y, y3 + k), a31 = DoubleVector.fromArray(S, y, y3 + k + l);
        for (int t = 0; t < n; t++) {
            final int at = o[t] + k;
            final DoubleVector v0 = DoubleVector.fromArray(S, x, at), v1 = DoubleVector.fromArray(S, x, at + l);
            final double w0 = w[4 * t], w1 = w[4 * t + 1], w2 = w[4 * t + 2], w3 = w[4 * t + 3];
            a00 = a00.add(v0.mul(w0));
            a01 = a01.add(v1.mul(w0));
            a10 = a10.add(v0.mul(w1));
            a11 = a11.add(v1.mul(w1));
            a20 = a20.add(v0.mul(w2));
            a21 = a21.add(v1.mul(w2));
            a30 = a30.add(v0.mul(w3));
            a31 = a31.add(v1.mul(w3));
        }
        a00.intoArray(y, y0 + k);
        a01.intoArray(y, y0 + k + l);
        a10.intoArray(y, y1 + k);
        a11.intoArray(y, y1 + k + l);
        a20.intoArray(y, y2 + k);
        a21.intoArray(y, y2 + k + l);
        a30.intoArray(y, y3 + k);
        a31.intoArray(y, y3 + k + l);
    }
}
