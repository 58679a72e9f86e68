package io.nnfrust.frustration;

/**
 * The outcome of one restart.
 *
 * @param epsilon            e(s) of the final state, recomputed from scratch over all edges
 * @param trackedEpsilon     e(s) as tracked incrementally during the run (equals epsilon up to rounding)
 * @param flips              spin flips made by the solver (the initial random flips not included)
 * @param steps              greedy iterations (Algorithm 1) or sweeps (layered solvers)
 * @param seconds            wall time of the restart
 * @param negativeRowSums    nodes whose row sum of S A_u S is negative in the final state (0: local minimum)
 * @param spins              the final spin vector (+1/-1)
 * @param trace              (step, epsilon) pairs, flattened; empty without --trace-every
 */
public record RestartResult(
        double epsilon,
        double trackedEpsilon,
        long flips,
        long steps,
        double seconds,
        int negativeRowSums,
        double[] spins,
        double[] trace) {
    public boolean localMinimum() {
        return negativeRowSums == 0;
    }
}
