package io.nnfrust.util;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Done/total and an ETA for a long loop (restarts, experiment tasks, images): the rate is measured over the items
 * finished by this run (items read back from a checkpoint count as done but not toward the rate). After the first
 * finished item, when the whole run is estimated at more than {@link #ANNOUNCE_SECONDS}, one line says so up front,
 * with the way to split the work. Thread-safe.
 */
public final class Progress {
    /** Runs estimated longer than this get the up-front estimate line. */
    public static final double ANNOUNCE_SECONDS = 180;

    private final String what;
    private final int total;
    private final Consumer<String> log;
    private final long start = System.nanoTime();
    private final int parallel;
    private int done;
    private int fresh;
    private boolean announced;

    /**
     * @param what       the items, plural ("restarts", "solves", "images")
     * @param total      items in the whole run
     * @param alreadyDone items finished before this run (from a checkpoint)
     * @param parallel   items worked on at once (threads): until that many have finished, the others are taken
     *                   to be as far along
     * @param log        where the estimate line goes (null: nowhere)
     */
    public Progress(String what, int total, int alreadyDone, int parallel, Consumer<String> log) {
        this.what = what;
        this.parallel = Math.max(1, Math.min(parallel, total - alreadyDone));
        this.total = total;
        this.done = alreadyDone;
        this.log = log;
    }

    /** Records one finished item and returns "k/total, ETA ..." for the progress line. */
    public synchronized String tick() {
        done++;
        fresh++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perItem = elapsed / Math.max(fresh, parallel);
        int left = Math.max(0, total - done);
        double eta = perItem * left;
        if (!announced && log != null && elapsed + eta > ANNOUNCE_SECONDS && left > 0) {
            announced = true;
            log.accept(String.format(
                    Locale.ROOT,
                    "nnfrust: estimated %s for the %d %s left (%s each so far); "
                            + "stop any time and continue with --resume, or use --stop-after N",
                    duration(eta),
                    left,
                    what,
                    duration(perItem)));
        }
        return left == 0 ? done + "/" + total : String.format(Locale.ROOT, "%d/%d, ETA %s", done, total, duration(eta));
    }

    /** "45 s", "12 min 5 s", "3 h 20 min". */
    public static String duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return seconds < 10 ? String.format(Locale.ROOT, "%.1f s", seconds) : s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + ((s % 3600) / 60) + " min";
    }
}
