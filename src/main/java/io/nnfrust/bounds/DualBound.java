package io.nnfrust.bounds;

import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import java.util.Arrays;

/**
 * The certified lower bound on ε from a dual vector y and a positive diagonal scaling P. With W = Σ|A_ij|,
 * A_s = A + Aᵀ, D = diag(Σ_j |A_s|_ij) and L = D − A_s, every s ∈ {±1}ⁿ has sᵀ Diag(y) s = Σy and
 * sᵀPs = tr P, so
 * <pre>  sᵀLs = Σy + sᵀ(L − Diag y)s ≥ Σy + λ_min(P^-1/2 (L − Diag y) P^-1/2) · tr P</pre>
 * and ε = min_s sᵀLs/(4W) ≥ [Σy + λ_min · tr P]/(4W) for any y (Delorme and Poljak 1993; the best y gives the
 * SDP value). nnfrust takes y_i = v_iᵀ(LV)_i from a low-rank SDP solution V ({@link MixingMethod}), which makes
 * Σy = tr(LVVᵀ), and bounds λ_min from below by {@link Lanczos} (probabilistic, stated confidence).
 */
public final class DualBound {
    private DualBound() {}

    /** The diagonal scaling P. */
    public enum Scaling {
        /** P = D (nodes without edges: 1), the degree-normalised bound; ‖P^-1/2 |A_s| P^-1/2‖ ≤ 1. */
        DEGREE,
        /** P = I, the plain spectral bound. */
        IDENTITY
    }

    /** y_i = D_ii − v_i·(A_s V)_i = v_iᵀ(LV)_i for unit rows v_i. */
    public static double[] dual(SpinGlass glass, double[][] v, boolean parallel) {
        int n = glass.nodeCount();
        double[][] h = new double[v.length][n];
        MixingMethod.objective(glass, v, h, parallel);
        double[] d = glass.strengths();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int c = 0; c < v.length; c++) {
                dot += v[c][i] * h[c][i];
            }
            y[i] = d[i] - dot;
        }
        return y;
    }

    /** The diagonal of P. */
    public static double[] scaling(SpinGlass glass, Scaling s) {
        double[] d = glass.strengths();
        double[] p = new double[d.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = s == Scaling.IDENTITY || d[i] == 0 ? 1 : d[i];
        }
        return p;
    }

    /**
     * The operator M = P^-1/2 (L − Diag y) P^-1/2, applied with two block products (parallel, deterministic).
     */
    public static Lanczos.Operator operator(SpinGlass glass, double[] y, double[] p, boolean parallel) {
        SignedGraph g = glass.graph();
        double[] d = glass.strengths();
        int n = d.length;
        double[] invSqrt = new double[n], diag = new double[n];
        for (int i = 0; i < n; i++) {
            invSqrt[i] = 1 / Math.sqrt(p[i]);
            diag[i] = (d[i] - y[i]) / p[i];
        }
        double[] xs = new double[n];
        return (x, out) -> {
            for (int i = 0; i < n; i++) {
                xs[i] = x[i] * invSqrt[i];
            }
            Arrays.fill(out, 0);
            g.multiply(xs, out, parallel);
            g.multiplyTranspose(xs, out, parallel);
            for (int i = 0; i < n; i++) {
                out[i] = diag[i] * x[i] - out[i] * invSqrt[i];
            }
        };
    }

    /**
     * An upper bound c on λ_max(M): max_i (D_ii − y_i)/P_ii plus a bound on ‖P^-1/2 A_s P^-1/2‖ (1 for
     * {@link Scaling#DEGREE}: it is similar to the row-stochastic D⁻¹|A_s|; max_i D_ii/min_i P_ii in general).
     */
    public static double lambdaMaxBound(SpinGlass glass, double[] y, double[] p, Scaling s) {
        double[] d = glass.strengths();
        double maxDiag = -Double.MAX_VALUE, maxD = 0, minP = Double.MAX_VALUE;
        for (int i = 0; i < d.length; i++) {
            maxDiag = Math.max(maxDiag, (d[i] - y[i]) / p[i]);
            maxD = Math.max(maxD, d[i]);
            minP = Math.min(minP, p[i]);
        }
        return maxDiag + (s == Scaling.DEGREE ? 1 : maxD / minP);
    }

    /** [Σy + λ·tr P]/(4W): the bound on ε for a lower bound λ on λ_min(M). */
    public static double epsilon(double sumY, double lambda, double traceP, double w) {
        return (sumY + lambda * traceP) / (4 * w);
    }

    /** Σ of an array in double, in index order (the same sum the certificate's checker forms). */
    public static double sum(double[] a) {
        double t = 0;
        for (double x : a) {
            t += x;
        }
        return t;
    }
}
