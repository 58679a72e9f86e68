package io.nnfrust.frustration;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.WeakHashMap;

/**
 * Goemans–Williamson hyperplane rounding of the SDP relaxation followed by the layered zero-temperature descent:
 * each restart draws a Gaussian g ∈ ℝʳ, sets s_i = sign(v_i·g) (+1 on a tie) from the low-rank SDP solution
 * ({@link MixingMethod}, computed once per graph with {@link MixingMethod.Options#DEFAULT} and kept while the
 * graph is in use) and descends from there as {@link LayeredDescent} does. The SDP costs about r·sweeps products
 * once; a restart then costs one rounding and one descent. Deterministic per restart seed; {@code initialFlips}
 * is not used (the start is the rounding).
 */
public final class SdpRounding implements FrustrationSolver {
    private static final Map<SpinGlass, MixingMethod.Solution> CACHE = new WeakHashMap<>();
    private final MixingMethod.Options options;

    public SdpRounding() {
        this(MixingMethod.Options.DEFAULT);
    }

    public SdpRounding(MixingMethod.Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "sdp";
    }

    /** The SDP solution of {@code glass} for this solver's options (computed on first use). */
    public MixingMethod.Solution relaxation(SpinGlass glass, boolean parallel) {
        synchronized (CACHE) {
            MixingMethod.Solution s = CACHE.get(glass);
            if (s == null || s.rank() != options.rank()) {
                s = MixingMethod.solve(glass, options, parallel, null);
                CACHE.put(glass, s);
            }
            return s;
        }
    }

    /** Spins of one hyperplane through the origin, normal g ~ N(0, I_r) drawn from {@code random}. */
    public static double[] round(double[][] v, SplittableRandom random) {
        int r = v.length, n = v[0].length;
        double[] g = new double[r];
        for (int c = 0; c < r; c++) {
            g[c] = MixingMethod.gaussian(random);
        }
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            double dot = 0;
            for (int c = 0; c < r; c++) {
                dot += v[c][i] * g[c];
            }
            s[i] = dot < 0 ? -1 : 1;
        }
        return s;
    }

    @Override
    public RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options) {
        MixingMethod.Solution sdp = relaxation(glass, options.parallel());
        long t0 = System.nanoTime();
        double[] s = round(sdp.v(), random);
        Sweeper sw = new Sweeper(glass, s, options.parallel());
        Trace trace = new Trace(options.traceEvery());
        trace.add(0, glass.epsilonFromRowSumTotal(sw.total));
        long sweeps = sw.descend(options.maxIterations(), trace, 0);
        trace.add(sweeps, glass.epsilonFromRowSumTotal(sw.total));
        return glass.finish(s, sw.total, sw.flips, sweeps, t0, trace, options.parallel());
    }
}
