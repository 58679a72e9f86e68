package io.nnfrust.monotonicity;

import java.util.Arrays;

/**
 * λ-monotonicity (paper eq. 10 and SI Fig. 7). From a sample of output alignment fractions Ω₁..Ω_N,
 * F(λ) = P(|Ω − 0.5| > λ) is the empirical tail of the deviations dᵢ = |Ωᵢ − 0.5|, and λ is the largest
 * λ ∈ [0, 0.5] with F(λ) ≥ 2λ.
 *
 * <p>Exact computation: F is a non-increasing right-continuous step function and 2λ increases, so
 * {λ : F(λ) ≥ 2λ} is an interval starting at 0. With the deviations sorted in decreasing order d₍₁₎ ≥ … ≥ d₍N₎,
 * its supremum is λ* = max_j min(j/(2N), d₍ⱼ₎) (and 0 for an empty sample): λ slightly below min(j/(2N), d₍ⱼ₎)
 * has at least j deviations above it, and any λ with F(λ) = j/N satisfies λ < d₍ⱼ₎ and λ ≤ j/(2N). The
 * supremum is attained unless it equals a deviation d₍ⱼ₎ < j/(2N) (F drops exactly there); {@link Result#attained}
 * says which. O(N log N).
 *
 * <p>When Ω values are counts a/n over n outputs, {@link #ofCounts} works on the integers |2a − n| so that F on
 * a grid λ = g/G is computed without rounding.
 */
public final class LambdaMonotonicity {
    private LambdaMonotonicity() {}

    /**
     * @param lambda   sup{λ ∈ [0, 0.5] : F(λ) ≥ 2λ}
     * @param attained whether F(lambda) ≥ 2·lambda holds at lambda itself
     * @param n        sample size N
     */
    public record Result(double lambda, boolean attained, int n) {}

    /** λ of a sample of Ω values in [0, 1]. */
    public static Result of(double[] omega) {
        double[] d = new double[omega.length];
        for (int i = 0; i < d.length; i++) {
            if (!(omega[i] >= 0 && omega[i] <= 1)) {
                throw new IllegalArgumentException("Omega must lie in [0, 1], got " + omega[i]);
            }
            d[i] = Math.abs(omega[i] - 0.5);
        }
        return fromDeviations(d);
    }

    /** λ of a sample of alignment counts a (Ω = a/n). */
    public static Result ofCounts(int[] aligned, int n) {
        double[] d = new double[aligned.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(2L * aligned[i] - n) / (2.0 * n);
        }
        return fromDeviations(d);
    }

    private static Result fromDeviations(double[] d) {
        int n = d.length;
        if (n == 0) {
            return new Result(0, true, 0);
        }
        Arrays.sort(d);
        double best = 0;
        boolean attained = true;
        for (int j = 1; j <= n; j++) {
            double dj = d[n - j]; // j-th largest
            double level = j / (2.0 * n);
            double cand = Math.min(level, dj);
            if (cand > best) {
                best = cand;
                attained = level < dj;
            } else if (cand == best && level < dj) {
                attained = true;
            }
        }
        return new Result(best, attained, n);
    }

    /** F(λ) = P(|Ω − 0.5| > λ) at each λ of {@code grid}. */
    public static double[] tail(double[] omega, double[] grid) {
        double[] f = new double[grid.length];
        for (int g = 0; g < grid.length; g++) {
            int c = 0;
            for (double w : omega) {
                if (Math.abs(w - 0.5) > grid[g]) {
                    c++;
                }
            }
            f[g] = omega.length == 0 ? 0 : c / (double) omega.length;
        }
        return f;
    }

    /** F(g/G) for g = 0..G/2 from alignment counts over n outputs, exactly: |2a − n|·G > 2n·g. */
    public static double[] tailOfCounts(int[] aligned, int n, int gridSteps) {
        int points = gridSteps / 2 + 1;
        long[] hist = new long[n + 1]; // by |2a - n|
        for (int a : aligned) {
            hist[(int) Math.abs(2L * a - n)]++;
        }
        double[] f = new double[points];
        for (int g = 0; g < points; g++) {
            long c = 0;
            for (int dev = 0; dev <= n; dev++) {
                if ((long) dev * gridSteps > 2L * n * g) {
                    c += hist[dev];
                }
            }
            f[g] = aligned.length == 0 ? 0 : c / (double) aligned.length;
        }
        return f;
    }
}
