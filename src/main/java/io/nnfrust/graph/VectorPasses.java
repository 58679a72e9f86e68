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

    private VectorPasses() {
    }

    /** Lanes per vector on this machine (8 with AVX-512, 4 with AVX2). */
    static int lanes() {
        return S.length();
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
        final double w0 = w[t], w1 = w[t + 1], w2 = w[t + 2], w3 = w[t + 3], w4 = w[t + 4], w5 = w[t + 5],
                w6 = w[t + 6], w7 = w[t + 7];
        final int o0 = o[t], o1 = o[t + 1], o2 = o[t + 2], o3 = o[t + 3], o4 = o[t + 4], o5 = o[t + 5],
                o6 = o[t + 6], o7 = o[t + 7];
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
            y[yo + k] = y[yo + k] + w0 * x[o0 + k] + w1 * x[o1 + k] + w2 * x[o2 + k] + w3 * x[o3 + k]
                    + w4 * x[o4 + k] + w5 * x[o5 + k] + w6 * x[o6 + k] + w7 * x[o7 + k];
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
            DoubleVector.fromArray(S, y, yo + k).add(DoubleVector.fromArray(S, x, o0 + k).mul(w0))
                    .intoArray(y, yo + k);
        }
        for (; k < b; k++) {
            y[yo + k] = y[yo + k] + w0 * x[o0 + k];
        }
    }
}
