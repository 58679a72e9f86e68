package io.nnfrust.frustration;

import java.util.SplittableRandom;

/**
 * Simulated annealing with layered heat-bath sweeps, then the {@link LayeredDescent} to a local minimum.
 * Because a node set has no internal edges, updating all its nodes from fields computed once is an exact Gibbs
 * step (as on a checkerboard). Node i flips with probability 1 / (1 + exp(2 r_i / (T d_i))), where r_i is its
 * row sum of S A_u S and d_i its total |weight|, so the temperature is relative and one schedule fits layers
 * whose weights differ by orders of magnitude. T falls geometrically from {@code startTemperature} to
 * {@code endTemperature} over {@code sweeps} sweeps. Cost: (sweeps + descent sweeps) x O(edges).
 */
public final class LayeredAnnealing implements FrustrationSolver {
    @Override
    public String name() {
        return "anneal";
    }

    @Override
    public RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options) {
        long t0 = System.nanoTime();
        double[] s = glass.initialSpins(options.initialFlips(), random);
        glass.strengths();
        Sweeper sw = new Sweeper(glass, s, options.parallel());
        Trace trace = new Trace(options.traceEvery());
        trace.add(0, glass.epsilonFromRowSumTotal(sw.total));
        int k = options.sweeps();
        double ratio = k > 1 ? Math.pow(options.endTemperature() / options.startTemperature(), 1.0 / (k - 1)) : 1;
        double temperature = options.startTemperature();
        for (int sweep = 1; sweep <= k; sweep++) {
            sw.sweep(temperature, random);
            temperature *= ratio;
            if (trace.due(sweep)) {
                trace.add(sweep, glass.epsilonFromRowSumTotal(sw.total));
            }
        }
        long descent = sw.descend(options.maxIterations(), trace, k);
        trace.add(k + descent, glass.epsilonFromRowSumTotal(sw.total));
        return glass.finish(s, sw.total, sw.flips, k + descent, t0, trace, options.parallel());
    }
}
