package io.nnfrust.experiment;

import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * How a study is carried out: none of it changes a result (results are independent of the thread count and of how
 * the work is split into shards or resumed).
 *
 * @param threads    worker threads, at least 1
 * @param shard      the part of the work this process does ({@link Shard#ALL} for all of it)
 * @param checkpoint JSON-lines file of finished work units, or null for none
 * @param resume     continue {@code checkpoint} (it must exist and belong to the same configuration)
 * @param stopAfter  stop after this many new work units (0: run to the end)
 * @param progress   receives each finished unit (a {@link ProgressSink} also hears the counts first); may be null
 * @param <R>        the type of a finished unit
 */
public record RunControl<R>(
        int threads, Shard shard, Path checkpoint, boolean resume, int stopAfter, Consumer<? super R> progress) {
    public RunControl {
        if (threads < 1) {
            throw new NnfrustException("threads must be >= 1, got " + threads);
        }
        if (stopAfter < 0) {
            throw new NnfrustException("stopAfter must be >= 0, got " + stopAfter);
        }
        if (resume && checkpoint == null) {
            throw new NnfrustException("resume needs a checkpoint file");
        }
        shard = shard == null ? Shard.ALL : shard;
    }

    /** One process, all the work, no checkpoint, no progress. */
    public static <R> RunControl<R> simple(int threads) {
        return new RunControl<>(threads, Shard.ALL, null, false, 0, null);
    }

    /** The progress sink, never null. */
    public Consumer<? super R> progressOrNone() {
        return progress == null ? r -> {} : progress;
    }
}
