package io.nnfrust.monotonicity;

import java.util.SplittableRandom;

/**
 * Perturbations along an input partial order (paper, Numerical experiments): x₂ = x₁ + S_x δ with δ = a·u,
 * uᵢ ~ U(0, 1) i.i.d. and strictly positive, so that x₂ ≥_{S_x} x₁ and every δᵢ > 0. The same u can be applied
 * along several orders (the real S_x and a null one) so that they see the same δ. Kernels over primitive arrays
 * with offsets; O(n₀).
 */
public final class Perturbation {
    private static final double ULP = 0x1.0p-53;

    private Perturbation() {}

    /**
     * Fills u[0..n) with i.i.d. uniform draws, never 0: (k + 0.5)·2⁻⁵³ for k uniform in [0, 2⁵³), at least
     * 2⁻⁵⁴, rounded to float (the top 2⁻²⁵ of the range rounds to 1). Returns ‖u‖₂ (accumulated in double).
     */
    public static double uniform(SplittableRandom random, float[] u, int n) {
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float v = (float) (((random.nextLong() >>> 11) + 0.5) * ULP);
            u[i] = v;
            sq += (double) v * v;
        }
        return Math.sqrt(sq);
    }

    /** out[outOff + i] = x1[x1Off + i] + a·s[i]·u[i] for i in [0, n). */
    public static void apply(float[] x1, int x1Off, byte[] s, double a, float[] u, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) (x1[x1Off + i] + a * s[i] * u[i]);
        }
    }

    /** Independent ±1 signs (a random partial order), each sign with probability 1/2. */
    public static byte[] randomSigns(SplittableRandom random, int n) {
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) {
            s[i] = (byte) (random.nextBoolean() ? 1 : -1);
        }
        return s;
    }
}
