package io.nnfrust.frustration;

import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * The semidefinite relaxation of the frustration problem, solved in low rank by the "mixing method" (Wang, Chang
 * and Kolter 2017; a Burer–Monteiro block-coordinate descent). With W = Σ|A_ij|, A_s = A + Aᵀ,
 * D = diag(Σ_j |A_s|_ij) and L = D − A_s, the frustrated weight of spins s is sᵀLs/4, so
 * ε = min_s sᵀLs/(4W); relaxing s_i ∈ {±1} to unit vectors v_i ∈ ℝʳ gives
 * ε_SDP = min tr(L VVᵀ)/(4W) ≤ ε (Delorme–Poljak; Goemans–Williamson).
 *
 * <p>Update: v_i ← g_i/‖g_i‖ with g_i = Σ_j (A_s)_ij v_j, the exact minimiser of tr(LVVᵀ) over v_i alone. The
 * nodes of one node set share no edge (a network graph's layers), so a whole set is updated at once from
 * whole-block products ({@link SpinGlass#fieldsOfSetMany}: each block once for all r columns of V, every column
 * bit for bit its single-vector product); other graphs use the colour
 * classes of a greedy colouring. Sets are visited forward and backward in turn, as the layered solver does.
 *
 * <p>Cost: one sweep is one product A·V + Aᵀ·V with the n×r block V (O(r · edges)); memory r doubles per node. Deterministic for a seed and
 * independent of the thread count (the products are).
 */
public final class MixingMethod {
    private MixingMethod() {}

    /**
     * @param rank       r, columns of V (≥ 2; ⌈√(2n)⌉ suffices for the exact SDP optimum, far fewer in practice)
     * @param maxSweeps  sweeps at most
     * @param tolerance  stop when tr(LVVᵀ) improved by less than this fraction over {@code checkEvery} sweeps
     * @param checkEvery sweeps between exact evaluations of the objective
     * @param seed       of the random start
     */
    public record Options(int rank, int maxSweeps, double tolerance, int checkEvery, long seed) {
        public static final Options DEFAULT = new Options(8, 300, 1e-5, 10, 1);

        public Options {
            if (rank < 2 || rank > 64) {
                throw new NnfrustException("rank must be in 2..64, got " + rank);
            }
            if (maxSweeps < 1) {
                throw new NnfrustException("maxSweeps must be >= 1, got " + maxSweeps);
            }
            if (!(tolerance >= 0)) {
                throw new NnfrustException("tolerance must be >= 0, got " + tolerance);
            }
            if (checkEvery < 1) {
                throw new IllegalArgumentException("checkEvery must be >= 1");
            }
        }
    }

    /**
     * A low-rank solution: V by columns ({@code v[c][i]}, every row a unit vector), the objective tr(LVVᵀ) and
     * ε_SDP = tr(LVVᵀ)/(4W) of this V (an upper bound on the SDP optimum, a lower one only when optimal: the
     * certified lower bound is {@code bounds.DualBound}'s), the sweeps made and the time.
     */
    public record Solution(
            double[][] v, double objective, double epsilon, int sweeps, double seconds, boolean converged) {
        public int rank() {
            return v.length;
        }
    }

    /** Solves the relaxation of {@code glass} (unmasked); {@code log} hears one line per objective check. */
    public static Solution solve(SpinGlass glass, Options o, boolean parallel, Consumer<String> log) {
        return solve(glass, o, parallel, log, null, 0, null);
    }

    /**
     * As {@link #solve(SpinGlass, Options, boolean, Consumer)}, continuing from {@code start} after
     * {@code startSweeps} sweeps (a saved state; null: the seeded random start) and handing the state to
     * {@code onCheck} at every objective check (to save it). A run resumed from a state saved at a check gives
     * the same result as one uninterrupted run: the sweep direction and the checks follow the sweep count.
     */
    public static Solution solve(
            SpinGlass glass,
            Options o,
            boolean parallel,
            Consumer<String> log,
            double[][] start,
            int startSweeps,
            ObjIntConsumer<double[][]> onCheck) {
        if (glass.isMasked()) {
            throw new IllegalArgumentException("the SDP relaxation is computed for a whole graph, not a masked one");
        }
        long t0 = System.nanoTime();
        SignedGraph g = glass.graph();
        int n = g.nodeCount(), r = o.rank();
        double[][] v = start != null ? start : new double[r][n];
        if (v.length != r || v[0].length != n) {
            throw new IllegalArgumentException("saved state of another shape");
        }
        SplittableRandom random = new SplittableRandom(o.seed());
        for (int i = 0; start == null && i < n; i++) {
            double sq = 0;
            for (int c = 0; c < r; c++) {
                double x = gaussian(random);
                v[c][i] = x;
                sq += x * x;
            }
            double inv = 1 / Math.sqrt(sq);
            for (int c = 0; c < r; c++) {
                v[c][i] *= inv;
            }
        }
        double[][] h = new double[r][n];
        List<int[]> colours = glass.independentSets() ? null : Sweeper.colour(g);
        double last = objective(glass, v, h, parallel);
        int sweeps = startSweeps;
        boolean converged = false;
        int direction = sweeps % 2 == 0 ? 1 : -1;
        while (sweeps < o.maxSweeps()) {
            if (colours == null) {
                int sets = g.nodeSets().size();
                for (int step = 0; step < sets; step++) {
                    int k = direction > 0 ? step : sets - 1 - step;
                    NodeSet set = g.nodeSets().get(k);
                    glass.fieldsOfSetMany(k, v, h, parallel);
                    normalise(v, h, set.offset(), set.end());
                }
                direction = -direction;
            } else {
                double[] acc = new double[r];
                for (int[] cls : colours) {
                    for (int i : cls) {
                        Arrays.fill(acc, 0);
                        g.forEachInEdge(i, (src, dst, w) -> {
                            for (int c = 0; c < r; c++) {
                                acc[c] += w * v[c][src];
                            }
                        });
                        g.forEachOutEdge(i, (src, dst, w) -> {
                            for (int c = 0; c < r; c++) {
                                acc[c] += w * v[c][dst];
                            }
                        });
                        for (int c = 0; c < r; c++) {
                            h[c][i] = acc[c];
                        }
                        normalise(v, h, i, i + 1);
                    }
                }
            }
            sweeps++;
            if (sweeps % o.checkEvery() == 0 || sweeps == o.maxSweeps()) {
                double now = objective(glass, v, h, parallel);
                if (log != null) {
                    log.accept(String.format(
                            Locale.ROOT,
                            "SDP sweep %d: eps_SDP %.6f (%.1f s)",
                            sweeps,
                            now / (4 * glass.absWeightSum()),
                            (System.nanoTime() - t0) / 1e9));
                }
                boolean small = last - now <= o.tolerance() * Math.abs(now);
                last = now;
                if (onCheck != null) {
                    onCheck.accept(v, sweeps);
                }
                if (small) {
                    converged = true;
                    break;
                }
            }
        }
        return new Solution(
                v, last, last / (4 * glass.absWeightSum()), sweeps, (System.nanoTime() - t0) / 1e9, converged);
    }

    /** v_i ← h_i/‖h_i‖ for i in [from, to); a node whose field is 0 keeps its vector. */
    private static void normalise(double[][] v, double[][] h, int from, int to) {
        int r = v.length;
        for (int i = from; i < to; i++) {
            double sq = 0;
            for (int c = 0; c < r; c++) {
                sq += h[c][i] * h[c][i];
            }
            if (sq > 0) {
                double inv = 1 / Math.sqrt(sq);
                for (int c = 0; c < r; c++) {
                    v[c][i] = h[c][i] * inv;
                }
            }
        }
    }

    /**
     * tr(L VVᵀ) = Σ_i D_ii − Σ_i v_i·(A_s V)_i, from one product with all r columns
     * ({@link SpinGlass#fieldsMany}, O(r · edges)); leaves g = A_s V in {@code h}.
     */
    public static double objective(SpinGlass glass, double[][] v, double[][] h, boolean parallel) {
        double[] d = glass.strengths();
        int n = d.length;
        double t = 0;
        glass.fieldsMany(v, h, parallel);
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int c = 0; c < v.length; c++) {
                dot += v[c][i] * h[c][i];
            }
            t += d[i] - dot;
        }
        return t;
    }

    /** A standard normal draw (Box–Muller, both from this generator, so the sequence is fixed by the seed). */
    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), w = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * w);
    }
}
