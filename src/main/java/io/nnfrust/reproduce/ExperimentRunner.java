package io.nnfrust.reproduce;

/**
 * Runs the experiment steps of reproduce: {@link StudyRunner} calls the library studies with the job's typed
 * configuration; tests record the jobs instead.
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
