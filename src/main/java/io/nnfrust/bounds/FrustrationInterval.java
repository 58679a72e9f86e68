package io.nnfrust.bounds;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.AnnealingPolish;
import io.nnfrust.frustration.Descents;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SdpRounding;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * ε as an interval [ε_lb, ε_ub]: the lower end certified by the SDP dual ({@link DualBound}: y from a low-rank
 * SDP solution, P, λ_min bounded by {@link Lanczos} with confidence 1 − δ), the upper end the best of a given
 * upper bound (spins or solver restarts, found by the caller) and of {@code roundings} hyperplane roundings of
 * the SDP solution each followed by the layered descent ({@link SdpRounding}). Resumable: the SDP state is saved
 * to a state file at objective checks (at most once a minute) and a run with the same configuration continues
 * from it with the same result.
 */
public final class FrustrationInterval {
    private FrustrationInterval() {}

    /**
     * @param sdp          the low-rank SDP's options
     * @param scaling      P
     * @param lanczosSteps at most this many Lanczos steps
     * @param delta        probability that the certificate's λ bound is too high (confidence 1 − δ)
     * @param roundings    hyperplane roundings (+ descent) for the upper end
     * @param seed         seeds the Lanczos start, the roundings and the polish (the SDP start has its own in
     *                     {@code sdp})
     * @param polish       low-temperature annealing of the best rounding ({@link AnnealingPolish})
     * @param lanczosMargin Lanczos stops (before {@code lanczosSteps}) once its probabilistic margin is worth less
     *                     than this fraction of ε_SDP in ε units and θ has settled (default 10⁻³)
     */
    public record Config(
            MixingMethod.Options sdp,
            DualBound.Scaling scaling,
            int lanczosSteps,
            double delta,
            int roundings,
            long seed,
            AnnealingPolish.Options polish,
            double lanczosMargin) {
        /** The default Lanczos margin: 0.1 % of ε_SDP. */
        public static final double DEFAULT_LANCZOS_MARGIN = 1e-3;

        /** With the default Lanczos margin. */
        public Config(
                MixingMethod.Options sdp,
                DualBound.Scaling scaling,
                int lanczosSteps,
                double delta,
                int roundings,
                long seed,
                AnnealingPolish.Options polish) {
            this(sdp, scaling, lanczosSteps, delta, roundings, seed, polish, DEFAULT_LANCZOS_MARGIN);
        }

        /** Without polish. */
        public Config(
                MixingMethod.Options sdp,
                DualBound.Scaling scaling,
                int lanczosSteps,
                double delta,
                int roundings,
                long seed) {
            this(sdp, scaling, lanczosSteps, delta, roundings, seed, AnnealingPolish.Options.NONE);
        }

        /** The same with another Lanczos margin. */
        public Config withLanczosMargin(double margin) {
            return new Config(sdp, scaling, lanczosSteps, delta, roundings, seed, polish, margin);
        }

        public Config {
            if (!(lanczosMargin > 0 && lanczosMargin < 1)) {
                throw new NnfrustException("lanczosMargin must lie strictly between 0 and 1, got " + lanczosMargin);
            }
            if (polish == null) {
                throw new NnfrustException("polish options are required (AnnealingPolish.Options.NONE: none)");
            }
            if (lanczosSteps < 10) {
                throw new NnfrustException("lanczosSteps must be >= 10, got " + lanczosSteps);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new NnfrustException(
                        "confidence must lie strictly between 0 and 1 (δ = 1 − confidence = " + delta + ")");
            }
            if (roundings < 0) {
                throw new NnfrustException("roundings must be >= 0, got " + roundings);
            }
        }

        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode o = m.createObjectNode();
            o.put("rank", sdp.rank())
                    .put("maxSweeps", sdp.maxSweeps())
                    .put("tolerance", sdp.tolerance())
                    .put("checkEvery", sdp.checkEvery())
                    .put("sdpSeed", sdp.seed())
                    .put("scaling", scaling.name().toLowerCase(Locale.ROOT))
                    .put("lanczosSteps", lanczosSteps)
                    .put("delta", delta)
                    .put("roundings", roundings)
                    .put("seed", seed);
            if (lanczosMargin != DEFAULT_LANCZOS_MARGIN) {
                o.put("lanczosMargin", lanczosMargin); // only when not the default, as the polish below
            }
            if (polish.rounds() > 0) {
                // written only when used, so that the configurations (and state headers) of runs without polish
                // read as before
                o.putObject("polish")
                        .put("rounds", polish.rounds())
                        .put("sweeps", polish.sweeps())
                        .put("startTemperature", polish.startTemperature())
                        .put("endTemperature", polish.endTemperature());
            }
            return o;
        }
    }

    /**
     * The interval and how it was obtained.
     *
     * @param upperSource where ε_ub comes from ("spins FILE", "best of 8 layered restarts", "SDP rounding 3")
     * @param polishBest  ε after the polish (NaN without one)
     * @param upperSpins  spins whose frustration is ε_ub (null when the caller gave ε_ub without its spins)
     */
    public record Result(
            double epsilonLower,
            double epsilonUpper,
            String upperSource,
            double epsilonSdp,
            double confidence,
            MixingMethod.Solution sdp,
            Lanczos.Result lanczos,
            double sumY,
            double traceP,
            double roundingBest,
            double polishBest,
            double sdpSeconds,
            double lanczosSeconds,
            double roundingSeconds,
            double polishSeconds,
            Certificate certificate,
            double[] upperSpins) {
        public double gap() {
            return epsilonUpper - epsilonLower;
        }

        /** gap / ε_ub. */
        public double relativeGap() {
            return gap() / epsilonUpper;
        }

        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode o = m.createObjectNode();
            o.put("epsilonLower", epsilonLower)
                    .put("epsilonUpper", epsilonUpper)
                    .put("gap", gap())
                    .put("relativeGap", relativeGap())
                    .put("upperSource", upperSource)
                    .put("confidence", confidence)
                    .put("epsilonSdp", epsilonSdp)
                    .put("roundingBest", roundingBest);
            o.putObject("sdp")
                    .put("rank", sdp.rank())
                    .put("sweeps", sdp.sweeps())
                    .put("converged", sdp.converged())
                    .put("objective", sdp.objective())
                    .put("seconds", sdpSeconds);
            o.putObject("lanczos")
                    .put("steps", lanczos.steps())
                    .put("theta", lanczos.theta())
                    .put("eta", lanczos.eta())
                    .put("lambdaMaxBound", lanczos.c())
                    .put("delta", lanczos.delta())
                    .put("rounding", lanczos.rounding())
                    .put("lambdaLowerBound", lanczos.lowerBound())
                    .put("seconds", lanczosSeconds);
            o.put("sumY", sumY).put("traceP", traceP).put("roundingSeconds", roundingSeconds);
            if (!Double.isNaN(polishBest)) {
                o.put("polishBest", polishBest).put("polishSeconds", polishSeconds);
            }
            return o;
        }
    }

    /**
     * Computes the interval of {@code glass}.
     *
     * @param upper       a known upper bound (e.g. the best restart's ε), or NaN
     * @param upperSource its description
     * @param state       the SDP state file for resumption, or null
     * @param stateHeader the configuration text a state file must carry to be continued
     * @param log         progress lines
     */
    public static Result run(
            SpinGlass glass,
            Config c,
            double upper,
            String upperSource,
            boolean parallel,
            Path state,
            String stateHeader,
            ObjectNode meta,
            Consumer<String> log) {
        return run(glass, c, upper, null, upperSource, parallel, state, stateHeader, meta, log);
    }

    /**
     * Computes the interval of {@code glass}; the polish starts from the better of {@code upperSpins} and the best
     * rounding.
     *
     * @param upperSpins the spins of {@code upper}, or null
     */
    public static Result run(
            SpinGlass glass,
            Config c,
            double upper,
            double[] upperSpins,
            String upperSource,
            boolean parallel,
            Path state,
            String stateHeader,
            ObjectNode meta,
            Consumer<String> log) {
        int n = glass.nodeCount();
        double w = glass.absWeightSum();
        if (!(w > 0)) {
            throw new NnfrustException("the graph has no weight (Σ|A| = 0): ε is undefined");
        }
        long t0 = System.nanoTime();
        double[][] start = null;
        int startSweeps = 0;
        if (state != null && Files.isRegularFile(state)) {
            State s = State.read(state, stateHeader, c.sdp().rank(), n);
            start = s.v();
            startSweeps = s.sweeps();
            log.accept("SDP: continuing from " + state + " after " + startSweeps + " sweeps");
        }
        long[] lastSave = {System.nanoTime()};
        MixingMethod.Solution sdp = MixingMethod.solve(
                glass,
                c.sdp(),
                parallel,
                log,
                start,
                startSweeps,
                state == null
                        ? null
                        : (v, sweeps) -> {
                            if (System.nanoTime() - lastSave[0] > 60e9) {
                                State.write(state, stateHeader, v, sweeps);
                                lastSave[0] = System.nanoTime();
                            }
                        });
        double sdpSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        double[] y = DualBound.dual(glass, sdp.v(), parallel);
        double[] p = DualBound.scaling(glass, c.scaling());
        double sumY = DualBound.sum(y), traceP = DualBound.sum(p);
        double cMax = DualBound.lambdaMaxBound(glass, y, p, c.scaling());
        // aim for a λ margin worth a fraction (0.1 % by default) of ε_SDP in ε units: Δε = Δλ·trP/(4W)
        double target = c.lanczosMargin() * Math.max(1e-12, sdp.epsilon()) * 4 * w / traceP;
        Lanczos.Result lz = Lanczos.smallest(
                DualBound.operator(glass, y, p, parallel),
                n,
                cMax,
                c.lanczosSteps(),
                c.delta(),
                target,
                c.seed(),
                (k, theta) -> log.accept(String.format(
                        Locale.ROOT,
                        "Lanczos step %d: theta %.6g, bound on eps %.6f",
                        k,
                        theta,
                        DualBound.epsilon(
                                sumY, Lanczos.lowerBound(theta, Lanczos.eta(n, k, c.delta()), cMax, k), traceP, w))));
        double lower = DualBound.epsilon(sumY, lz.lowerBound(), traceP, w);
        double lanczosSeconds = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        double best = Double.NaN;
        double[] bestSpins = null;
        SplittableRandom random = new SplittableRandom(c.seed() ^ 0x5DEECE66DL);
        for (int k = 0; k < c.roundings(); k++) {
            double[] s = SdpRounding.round(sdp.v(), random);
            RestartResult r = Descents.fromSpins(glass, s, parallel);
            if (!(r.epsilon() >= best)) {
                best = r.epsilon();
                bestSpins = s;
            }
        }
        double roundingSeconds = (System.nanoTime() - t2) / 1e9;
        double polished = Double.NaN;
        double polishSeconds = 0;
        double[] polishStart = bestSpins;
        double polishFrom = best;
        String polishWhat = "the best rounding";
        if (upperSpins != null && !(upper >= best)) {
            polishStart = upperSpins;
            polishFrom = upper;
            polishWhat = upperSource;
        }
        double[] polishedSpins = null;
        if (polishStart != null && c.polish().rounds() > 0) {
            log.accept(String.format(
                    Locale.ROOT,
                    "polishing %s (eps %.6f): %d rounds of %d sweeps, T %.3g to %.3g",
                    polishWhat,
                    polishFrom,
                    c.polish().rounds(),
                    c.polish().sweeps(),
                    c.polish().startTemperature(),
                    c.polish().endTemperature()));
            // a generator of its own: the roundings draw the same as without polish
            AnnealingPolish.Result pr = AnnealingPolish.polish(
                    glass,
                    polishStart,
                    c.polish(),
                    new SplittableRandom(c.seed() ^ 0x9E3779B97F4A7C15L),
                    parallel,
                    log);
            polished = pr.epsilon();
            polishedSpins = pr.spins();
            polishSeconds = pr.seconds();
        }
        double ub = upper;
        String src = upperSource;
        double[] ubSpins = upperSpins;
        if (Double.isNaN(ub) || best < ub) {
            ub = best;
            src = "best of " + c.roundings() + " SDP roundings + layered descent";
            ubSpins = bestSpins;
        }
        if (polished < ub) {
            ub = polished;
            src = src + ", then " + c.polish().rounds() + " rounds of low-temperature annealing";
            ubSpins = polishedSpins;
        }
        if (Double.isNaN(ub)) {
            throw new NnfrustException("no upper bound: give spins or restarts, or --roundings >= 1");
        }
        Map<String, Double> sc = new LinkedHashMap<>();
        sc.put("n", (double) n);
        sc.put("absWeightSum", w);
        sc.put("sumY", sumY);
        sc.put("traceP", traceP);
        sc.put("theta", lz.theta());
        sc.put("eta", lz.eta());
        sc.put("lambdaMaxBound", cMax);
        sc.put("delta", c.delta());
        sc.put("rounding", lz.rounding());
        sc.put("steps", (double) lz.steps());
        sc.put("lambdaLowerBound", lz.lowerBound());
        sc.put("epsilonLower", lower);
        sc.put("epsilonUpper", ub);
        sc.put("epsilonSdp", sdp.epsilon());
        ObjectNode m = meta == null ? new ObjectMapper().createObjectNode() : meta.deepCopy();
        m.put(
                "claim",
                "lambda_min(P^-1/2 (L - Diag y) P^-1/2) >= lambdaLowerBound with probability >= 1 - delta, "
                        + "hence eps >= (sum(y) + lambdaLowerBound*sum(p)) / (4 W) = epsilonLower");
        m.put(
                "conventions",
                "W = sum |A_ij| over edges; A_s = A + A^T; D = diag(sum_j |A_s|_ij); L = D - A_s; "
                        + "eps(s) = s^T L s / (4 W)");
        var names = m.putArray("scalars");
        for (String s : Certificate.SCALARS) {
            names.add(s);
        }
        m.set("config", c.toJson(new ObjectMapper()));
        Certificate cert = new Certificate(y, p, sc, m);
        return new Result(
                lower,
                ub,
                src,
                sdp.epsilon(),
                1 - c.delta(),
                sdp,
                lz,
                sumY,
                traceP,
                best,
                polished,
                sdpSeconds,
                lanczosSeconds,
                roundingSeconds,
                polishSeconds,
                cert,
                ubSpins);
    }

    /** The SDP's saved state: a header line (the configuration), the sweeps made, V by columns. */
    record State(double[][] v, int sweeps) {
        private static final String MAGIC = "NNFSDP1";

        static void write(Path file, String header, double[][] v, int sweeps) {
            AtomicFiles.write(file, os -> {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 20));
                out.writeBytes(MAGIC + "\n");
                byte[] h = header.getBytes(StandardCharsets.UTF_8);
                out.writeInt(h.length);
                out.write(h);
                out.writeInt(sweeps);
                out.writeInt(v.length);
                out.writeInt(v[0].length);
                for (double[] col : v) {
                    for (double x : col) {
                        out.writeDouble(x);
                    }
                }
                out.flush();
            });
        }

        static State read(Path file, String header, int rank, int n) {
            try (InputStream raw = Files.newInputStream(file);
                    DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
                byte[] magic = in.readNBytes(MAGIC.length() + 1);
                if (!new String(magic, StandardCharsets.US_ASCII).equals(MAGIC + "\n")) {
                    throw new NnfrustException(
                            file + " is not an nnfrust SDP state file; remove it or give another " + "--state");
                }
                int len = in.readInt();
                if (len < 0 || len > 1 << 24) {
                    throw new NnfrustException(file + " is corrupt (header length " + len + "); remove it");
                }
                byte[] h = new byte[len];
                in.readFully(h);
                if (!new String(h, StandardCharsets.UTF_8).equals(header)) {
                    throw new NnfrustException("SDP state " + file + " was written for another model or other options;"
                            + " remove it or use the same ones");
                }
                int sweeps = in.readInt(), r = in.readInt(), nn = in.readInt();
                if (r != rank || nn != n || sweeps < 0) {
                    throw new NnfrustException(file + " holds a state of rank " + r + " for " + nn + " nodes; expected "
                            + rank + " and " + n);
                }
                double[][] v = new double[r][n];
                for (double[] col : v) {
                    for (int i = 0; i < n; i++) {
                        col[i] = in.readDouble();
                    }
                }
                return new State(v, sweeps);
            } catch (EOFException e) {
                throw new NnfrustException("SDP state " + file + " is truncated; remove it (the SDP starts again)");
            } catch (IOException e) {
                throw new NnfrustException("cannot read SDP state " + file + " (" + e.getMessage() + "); remove it");
            }
        }
    }
}
