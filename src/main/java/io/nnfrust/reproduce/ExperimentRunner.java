package io.nnfrust.reproduce;

/**
 * Runs the experiment steps of reproduce. The experiments' typed configurations are joined in at the integration
 * of issue 23; until then the one implementation (next to {@code ReproduceCommand}) runs the job's command line.
 */
@FunctionalInterface
public interface ExperimentRunner {
    /**
     * Runs {@code job} to the end, continuing its checkpoint; with {@code noNewWork} (reproduce --merge-only) only
     * the results already in the (merged) checkpoint are written. Throws an {@code NnfrustException} naming the
     * cause when the experiment fails.
     */
    void run(ExperimentJob job, boolean noNewWork);
}
