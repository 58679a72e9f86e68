package io.nnfrust.cli;

import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.util.NnfrustException;
import picocli.CommandLine.Option;

/** Options of the frustration solvers, shared by {@code frustration} and {@code experiment frustration}. */
public final class SolverOptionsMixin {
    @Option(
            names = "--solver",
            defaultValue = "algorithm1",
            description =
                    "algorithm1 (paper, SI B), algorithm1-first (flip any negative node), layered, anneal, exact (<= 28 nodes). Default ${DEFAULT-VALUE}.")
    String solver;

    @Option(names = "--threads", description = "Threads (default: all cores). Results do not depend on it.")
    Integer threads;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of all random choices (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--initial-flips",
            defaultValue = "1000000",
            description =
                    "nu: random single-spin flips of S = I before each descent (default ${DEFAULT-VALUE}, as the paper).")
    long initialFlips;

    @Option(
            names = "--max-iterations",
            defaultValue = "-1",
            description = "M: most flips (algorithm1) or descent sweeps (layered, anneal); -1 = until a local minimum.")
    long maxIterations;

    @Option(
            names = "--sweeps",
            defaultValue = "40",
            description = "Annealing sweeps (anneal; default ${DEFAULT-VALUE}).")
    int sweeps;

    @Option(
            names = "--t-start",
            defaultValue = "0.5",
            description = "Annealing start temperature, relative to a node's |weight| (default ${DEFAULT-VALUE}).")
    double tStart;

    @Option(
            names = "--t-end",
            defaultValue = "0.02",
            description = "Annealing end temperature (default ${DEFAULT-VALUE}).")
    double tEnd;

    /** The selected solver (unknown names give a one-line error). */
    FrustrationSolver solver() {
        return Solvers.byName(solver);
    }

    /** Threads, all cores by default; at least 1. */
    int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new NnfrustException("--threads must be at least 1, got " + t);
        }
        return t;
    }

    /** Validated solver options (sequential inside a restart, no trace unless given). */
    SolverOptions options(long traceEvery) {
        return new SolverOptions(initialFlips, maxIterations, sweeps, tStart, tEnd, false, traceEvery);
    }
}
