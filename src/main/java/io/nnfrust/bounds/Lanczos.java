package io.nnfrust.bounds;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * The smallest eigenvalue of a symmetric operator by the Lanczos method from a random start, with the
 * probabilistic guarantee of Kuczyński and Woźniakowski (SIAM J. Matrix Anal. Appl. 13(4), 1992, Thm. 4.2 a):
 * for a positive semidefinite B of dimension n and a start drawn uniformly on the unit sphere, the largest Ritz
 * value ξ_k after k steps satisfies P{ (λ_max(B) − ξ_k) ≥ η·λ_max(B) } ≤ 1.648·√n·exp(−√η·(2k − 1)).
 * Applied to B = c·I − M with c ≥ λ_max(M) (so B ⪰ 0; Lanczos is shift-invariant, ξ_k = c − θ_k with θ_k the
 * smallest Ritz value of M): with probability at least 1 − δ,
 * <pre>  λ_min(M) ≥ (θ_k − η·c) / (1 − η),   η = ( ln(1.648·√n / δ) / (2k − 1) )².</pre>
 * The guarantee is stated for exact arithmetic; in floating point the Ritz values of the computed tridiagonal
 * lie within O(k·u·‖M‖) of the spectrum's hull (Paige 1980), for which {@link #ROUNDING} · k · ‖M‖ is
 * subtracted as well. Without reorthogonalisation: two vectors of memory plus the tridiagonal; k products.
 * Deterministic for a seed.
 */
public final class Lanczos {
    /** Rounding margin per step, relative to ‖M‖ ≤ max(|c|, |θ|): 1000 unit roundoffs, generous against Paige's constant. */
    public static final double ROUNDING = 1000 * 0x1.0p-53;

    private Lanczos() {}

    /** y = M x (overwrite y). */
    @FunctionalInterface
    public interface Operator {
        void apply(double[] x, double[] y);
    }

    /**
     * @param theta       smallest Ritz value θ_k (an upper estimate of λ_min)
     * @param steps       k, Lanczos steps made
     * @param eta         η of the guarantee
     * @param c           the upper bound on λ_max(M) used
     * @param delta       δ, the probability that {@code lowerBound} is too high
     * @param rounding    the rounding margin subtracted
     * @param lowerBound  (θ_k − η c)/(1 − η) − rounding: a lower bound on λ_min(M) with probability ≥ 1 − δ
     * @param residual    ‖M u − θ u‖ of the Ritz vector (when computed; NaN otherwise)
     */
    public record Result(
            double theta,
            int steps,
            double eta,
            double c,
            double delta,
            double rounding,
            double lowerBound,
            double residual) {}

    /** η for dimension n, k steps and failure probability δ. */
    public static double eta(int n, int k, double delta) {
        double a = Math.log(1.648 * Math.sqrt(n) / delta) / (2.0 * k - 1);
        return a * a;
    }

    /** The bound (θ − η c)/(1 − η) − rounding margin, as {@link Result#lowerBound}. */
    public static double lowerBound(double theta, double eta, double c, int k) {
        if (!(eta < 1)) {
            return Double.NEGATIVE_INFINITY;
        }
        double norm = Math.max(Math.abs(c), Math.abs(theta));
        return (theta - eta * c) / (1 - eta) - ROUNDING * k * norm;
    }

    /**
     * Runs up to {@code maxSteps} steps on M (dimension n), stopping early once the bound's η-part is below
     * {@code targetMargin} and θ has settled (changes less than targetMargin/10 over 10 steps).
     *
     * @param c     an upper bound on λ_max(M)
     * @param delta failure probability of the guarantee
     * @param log   hears (step, θ) every 25 steps; may be null
     */
    public static Result smallest(
            Operator m,
            int n,
            double c,
            int maxSteps,
            double delta,
            double targetMargin,
            long seed,
            BiConsumer<Integer, Double> log) {
        double[] alpha = new double[maxSteps], beta = new double[maxSteps + 1];
        double[] q = new double[n], qPrev = new double[n], w = new double[n];
        SplittableRandom random = new SplittableRandom(seed);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble(), v = random.nextDouble();
            q[i] = Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
            sq += q[i] * q[i];
        }
        double inv = 1 / Math.sqrt(sq);
        for (int i = 0; i < n; i++) {
            q[i] *= inv;
        }
        double theta = Double.NaN, thetaTen = Double.NaN;
        int k = 0;
        while (k < maxSteps) {
            m.apply(q, w);
            double a = 0;
            for (int i = 0; i < n; i++) {
                a += w[i] * q[i];
            }
            alpha[k] = a;
            double b = 0;
            double bPrev = beta[k];
            for (int i = 0; i < n; i++) {
                double x = w[i] - a * q[i] - bPrev * qPrev[i];
                w[i] = x;
                b += x * x;
            }
            b = Math.sqrt(b);
            k++;
            theta = smallestEigenvalue(alpha, beta, k);
            if (log != null && k % 25 == 0) {
                log.accept(k, theta);
            }
            if (k % 10 == 0) {
                boolean settled = Math.abs(thetaTen - theta) < targetMargin / 10;
                thetaTen = theta;
                double margin = theta - lowerBound(theta, eta(n, k, delta), c, k);
                if (settled && margin < targetMargin) {
                    break;
                }
            }
            if (b <= 1e-14 * Math.max(Math.abs(c), Math.abs(theta))) {
                break; // an invariant subspace (k = n in exact arithmetic): θ is exact for it
            }
            beta[k] = b;
            double[] t = qPrev;
            qPrev = q;
            q = t;
            double ib = 1 / b;
            for (int i = 0; i < n; i++) {
                q[i] = w[i] * ib;
            }
        }
        double eta = eta(n, k, delta);
        return new Result(
                theta,
                k,
                eta,
                c,
                delta,
                ROUNDING * k * Math.max(Math.abs(c), Math.abs(theta)),
                lowerBound(theta, eta, c, k),
                Double.NaN);
    }

    /**
     * The smallest eigenvalue of the symmetric tridiagonal matrix with diagonal alpha[0..k) and off-diagonal
     * beta[1..k) (beta[j] joins j−1 and j), by bisection on Sturm sequence counts to full precision.
     */
    static double smallestEigenvalue(double[] alpha, double[] beta, int k) {
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (int j = 0; j < k; j++) {
            double r = (j > 0 ? Math.abs(beta[j]) : 0) + (j + 1 < k ? Math.abs(beta[j + 1]) : 0);
            lo = Math.min(lo, alpha[j] - r);
            hi = Math.max(hi, alpha[j] + r);
        }
        for (int it = 0; it < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo) + Math.abs(hi)); it++) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (countBelow(alpha, beta, k, mid) >= 1) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    /** Eigenvalues below x (Sturm count of the LDLᵀ pivots of T − xI). */
    static int countBelow(double[] alpha, double[] beta, int k, double x) {
        int count = 0;
        double d = 1;
        for (int j = 0; j < k; j++) {
            double b2 = j > 0 ? beta[j] * beta[j] : 0;
            d = alpha[j] - x - (j > 0 ? b2 / d : 0);
            if (d == 0) {
                d = -1e-300;
            }
            if (d < 0) {
                count++;
            }
        }
        return count;
    }
}
