package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;

/**
 * Options of one frustration restart.
 *
 * @param initialFlips   nu: random single-spin flips applied to S = I before the descent (paper: 10^6)
 * @param maxIterations  M: most greedy flips (Algorithm 1) or sweeps (layered solvers); negative = unlimited
 * @param sweeps         annealing sweeps before the final descent
 * @param startTemperature annealing start temperature, in units of a node's total |weight|
 * @param endTemperature   annealing end temperature
 * @param parallel       use several threads inside one restart (block products)
 * @param traceEvery     record (step, epsilon) every this many flips/sweeps; 0 = no trace
 */
public record SolverOptions(
        long initialFlips,
        long maxIterations,
        int sweeps,
        double startTemperature,
        double endTemperature,
        boolean parallel,
        long traceEvery) {
    public static final SolverOptions DEFAULT = new SolverOptions(1_000_000, -1, 40, 0.5, 0.02, false, 0);

    public SolverOptions {
        if (initialFlips < 0) {
            throw new NnfrustException("--initial-flips must be >= 0, got " + initialFlips);
        }
        if (sweeps < 0) {
            throw new NnfrustException("--sweeps must be >= 0, got " + sweeps);
        }
        if (!(startTemperature > 0) || !(endTemperature > 0) || endTemperature > startTemperature) {
            throw new NnfrustException("annealing temperatures need 0 < --t-end <= --t-start, got " + startTemperature
                    + " and " + endTemperature);
        }
        if (traceEvery < 0) {
            throw new NnfrustException("--trace-every must be >= 0");
        }
    }

    public SolverOptions withInitialFlips(long nu) {
        return new SolverOptions(nu, maxIterations, sweeps, startTemperature, endTemperature, parallel, traceEvery);
    }

    public SolverOptions withParallel(boolean p) {
        return new SolverOptions(initialFlips, maxIterations, sweeps, startTemperature, endTemperature, p, traceEvery);
    }

    public SolverOptions withSweeps(int k) {
        return new SolverOptions(
                initialFlips, maxIterations, k, startTemperature, endTemperature, parallel, traceEvery);
    }

    public SolverOptions withMaxIterations(long m) {
        return new SolverOptions(initialFlips, m, sweeps, startTemperature, endTemperature, parallel, traceEvery);
    }

    public SolverOptions withTraceEvery(long t) {
        return new SolverOptions(initialFlips, maxIterations, sweeps, startTemperature, endTemperature, parallel, t);
    }
}
