package io.nnfrust.experiment;

import java.util.function.Consumer;

/**
 * A progress consumer of an experiment's results that also hears, before the work starts, how many results the
 * checkpoint already holds and how many this run will compute (for done/total and the ETA). A plain
 * {@link Consumer} passed as progress just receives the results.
 *
 * @param <R> the result type
 */
public interface ProgressSink<R> extends Consumer<R> {
    /** Called once before the first new result: results read back from the checkpoint, results to compute now. */
    void starting(int alreadyDone, int toRun);

    /** Tells {@code progress} the counts when it is a {@link ProgressSink}. */
    static void starting(Consumer<?> progress, int alreadyDone, int toRun) {
        if (progress instanceof ProgressSink<?> s) {
            s.starting(alreadyDone, toRun);
        }
    }
}
