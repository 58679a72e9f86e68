package io.nnfrust.cli;

import io.nnfrust.experiment.ProgressSink;
import io.nnfrust.util.Progress;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * Progress of an experiment on stderr: one line per finished result, prefixed with done/total and the ETA
 * ({@link Progress}); when the run is estimated at more than a few minutes, one line says so after the first
 * result.
 *
 * @param <R> the result type
 */
final class ProgressLines<R> implements ProgressSink<R> {
    private final String what;
    private final int parallel;
    private final boolean quiet;
    private final BiFunction<R, String, String> line;
    private Progress progress;
    private final int plannedTotal;

    /**
     * @param what     the items, plural
     * @param total    items of the whole run, until the experiment says how many are done and pending
     * @param parallel items worked on at once
     * @param line     the progress line of a result, given the "k/total, ETA" text
     */
    ProgressLines(String what, int total, int parallel, boolean quiet, BiFunction<R, String, String> line) {
        this.what = what;
        this.plannedTotal = total;
        this.parallel = parallel;
        this.quiet = quiet;
        this.line = line;
    }

    @Override
    public synchronized void starting(int alreadyDone, int toRun) {
        progress = new Progress(what, alreadyDone + toRun, alreadyDone, parallel, quiet ? null : System.err::println);
        if (!quiet && alreadyDone > 0) {
            System.err.printf(
                    Locale.ROOT, "resuming: %d %s read from the checkpoint, %d to run%n", alreadyDone, what, toRun);
        }
    }

    @Override
    public synchronized void accept(R r) {
        if (progress == null) {
            progress = new Progress(what, plannedTotal, 0, parallel, quiet ? null : System.err::println);
        }
        String at = progress.tick();
        if (!quiet) {
            System.err.println(line.apply(r, at));
        }
    }
}
