package io.nnfrust.util;

import java.util.Locale;

/**
 * Refuses work whose memory need, estimated before anything is allocated, exceeds the heap: a tiny file that
 * declares two billion nodes ends in one line with the estimate instead of minutes of allocation and an
 * out-of-memory error.
 */
public final class MemoryCheck {
    private MemoryCheck() {}

    /** Heap bytes this JVM can still allocate (maximum heap minus what is in use). */
    public static long available() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Throws a one-line {@link NnfrustException} when {@code bytes} exceeds {@link #available()}.
     *
     * @param what   what needs the memory ("graph.mtx: 2,000,000,000 nodes and 1 edge")
     * @param wayOut what the user can do instead
     */
    public static void require(String what, double bytes, String wayOut) {
        long avail = available();
        if (bytes > avail) {
            throw new NnfrustException(String.format(
                    Locale.ROOT,
                    "%s need about %.1f GiB of heap, %.1f GiB is available (maximum heap %.1f GiB); %s",
                    what,
                    bytes / 1073741824.0,
                    avail / 1073741824.0,
                    Runtime.getRuntime().maxMemory() / 1073741824.0,
                    wayOut));
        }
    }
}
