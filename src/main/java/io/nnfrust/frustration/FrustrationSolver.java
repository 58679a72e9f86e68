package io.nnfrust.frustration;

import java.util.SplittableRandom;

/** A heuristic (or exact) minimiser of e(s) over spin vectors; one call is one restart. */
public interface FrustrationSolver {
    /** Name used by {@code --solver}. */
    String name();

    /**
     * Runs one restart.
     *
     * @param glass   the graph
     * @param random  this restart's random stream (derived from the user's seed up front)
     * @param options solver options
     */
    RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options);
}
