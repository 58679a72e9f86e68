package io.nnfrust.frustration;

/** The layered zero-temperature descent ({@link LayeredDescent}) from given spins instead of a random start. */
public final class Descents {
    private Descents() {}

    /** Descends from {@code s} (overwritten with the result) until no row sum is negative. O(edges) per sweep. */
    public static RestartResult fromSpins(SpinGlass glass, double[] s, boolean parallel) {
        long t0 = System.nanoTime();
        Sweeper sw = new Sweeper(glass, s, parallel);
        Trace trace = new Trace(0);
        long sweeps = sw.descend(-1, trace, 0);
        return glass.finish(s, sw.total, sw.flips, sweeps, t0, trace, parallel);
    }
}
