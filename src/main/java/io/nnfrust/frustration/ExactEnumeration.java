package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The exact frustration by enumerating all 2^(n-1) spin vectors (s_0 = +1; e(s) = e(-s)) in Gray-code order,
 * updating the row sums of the flipped node's neighbours. O(2^n · n) time, O(n^2) memory; for graphs of up to
 * {@link #MAX_NODES} nodes (the test oracle). Ties keep the first minimum found.
 */
public final class ExactEnumeration implements FrustrationSolver {
    public static final int MAX_NODES = 28;

    @Override
    public String name() {
        return "exact";
    }

    @Override
    public RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options) {
        long t0 = System.nanoTime();
        int n = glass.nodeCount();
        if (n > MAX_NODES) {
            throw new NnfrustException("--solver exact enumerates 2^n states and accepts at most " + MAX_NODES
                    + " nodes; this graph has " + n);
        }
        double[] au = new double[n * n];
        double[] mask = glass.mask();
        glass.graph().forEachEdge((src, dst, w) -> {
            if (mask != null && mask[src] * mask[dst] == 0) {
                return; // not an edge of the masked subgraph
            }
            au[dst * n + src] += w;
            au[src * n + dst] += w;
        });
        double[] s = new double[n];
        Arrays.fill(s, 1);
        double[] r = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double h = 0;
            for (int j = 0; j < n; j++) {
                h += au[i * n + j];
            }
            r[i] = h;
            total += h;
        }
        double bestTotal = total;
        double[] best = s.clone();
        long states = 1L << Math.max(0, n - 1);
        for (long k = 1; k < states; k++) {
            int i = Long.numberOfTrailingZeros(k) + 1; // node 0 stays +1
            total -= 4 * r[i];
            s[i] = -s[i];
            r[i] = -r[i];
            for (int j = 0; j < n; j++) {
                double w = au[i * n + j];
                if (w != 0 && j != i) {
                    r[j] += 2 * s[j] * w * s[i];
                }
            }
            if (total > bestTotal) {
                bestTotal = total;
                best = s.clone();
            }
        }
        if (mask != null) {
            for (int i = 0; i < n; i++) {
                best[i] *= mask[i]; // masked-out nodes have spin 0
            }
        }
        // frustrated weight summed edge by edge: exactly 0 for a balanced graph
        final double[] sb = best;
        double[] frustrated = {0};
        glass.graph().forEachEdge((src, dst, w) -> {
            if (sb[src] * w * sb[dst] < 0) {
                frustrated[0] += Math.abs(w);
            }
        });
        return new RestartResult(
                frustrated[0] / glass.absWeightSum(),
                glass.epsilonFromRowSumTotal(bestTotal),
                states,
                states,
                (System.nanoTime() - t0) / 1e9,
                glass.negativeRowSums(best, false),
                best,
                new double[0]);
    }
}
