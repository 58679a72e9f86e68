package io.nnfrust.frustration;

import java.util.SplittableRandom;

/**
 * Zero-temperature descent that exploits the layered structure: the nodes of one node set share no edge, so all
 * of a set's nodes with a negative row sum flip at once (each flip lowers e(s) by exactly 2 |r_i| / sum|A_u|,
 * independently of the others). Sets are visited in topological order (Gauss-Seidel), their fields computed
 * with the blocked convolution kernels over whole layers. Ends, like Algorithm 1, in a state with no negative
 * row sum, but reaches it in a few dozen sweeps of O(edges) instead of one O(deg log n) step per flip.
 * Graphs without independent node sets use the colour classes of a greedy colouring.
 */
public final class LayeredDescent implements FrustrationSolver {
    @Override
    public String name() {
        return "layered";
    }

    @Override
    public RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options) {
        long t0 = System.nanoTime();
        double[] s = glass.initialSpins(options.initialFlips(), random);
        Sweeper sw = new Sweeper(glass, s, options.parallel());
        Trace trace = new Trace(options.traceEvery());
        trace.add(0, glass.epsilonFromRowSumTotal(sw.total));
        long sweeps = sw.descend(options.maxIterations(), trace, 0);
        trace.add(sweeps, glass.epsilonFromRowSumTotal(sw.total));
        return glass.finish(s, sw.total, sw.flips, sweeps, t0, trace, options.parallel());
    }
}
