package io.nnfrust.bounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.frustration.AnnealingPolish;
import io.nnfrust.frustration.Descents;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.util.NnfrustException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The low-temperature polish: never worse, exact ε of its spins, better than the descent alone, deterministic. */
class AnnealingPolishTest {
    private static final AnnealingPolish.Options OPTIONS = new AnnealingPolish.Options(8, 30, 0.1, 0.01);

    /** A three-layer CNN of about 1,700 nodes: too large to enumerate, large enough to have many local minima. */
    static SignedGraph cnn(long seed) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("polish", seed, WeightInit.HE_NORMAL);
        String x = b.input("x", 3, 12, 12);
        String c1 = b.conv("c1", x, 6, 3, 1, 1, 1, false);
        String c2 = b.conv("c2", b.relu(c1), 6, 3, 1, 1, 1, false);
        String c3 = b.conv("c3", b.relu(c2), 4, 3, 2, 1, 1, false);
        return BoundsTest.imported(b, b.gemm("fc", b.flatten(c3), 10));
    }

    static double[] descended(SpinGlass glass, long seed) {
        double[] s = SpinGlass.initialSpins(glass.nodeCount(), 10 * glass.nodeCount(), new SplittableRandom(seed));
        Descents.fromSpins(glass, s, false);
        return s;
    }

    @Test
    void neverWorseNeverBelowTheExactMinimumAndOftenAtIt() {
        int atExact = 0, descentAtExact = 0, count = 0;
        for (SignedGraph g : BoundsTest.graphs()) {
            SpinGlass glass = new SpinGlass(g);
            double exact = new ExactEnumeration()
                    .solve(glass, new SplittableRandom(1), SolverOptions.DEFAULT)
                    .epsilon();
            for (long seed = 1; seed <= 3; seed++) {
                double[] start = descended(glass, seed);
                double[] copy = start.clone();
                double e0 = glass.epsilon(start, false);
                var r = AnnealingPolish.polish(glass, start, OPTIONS, new SplittableRandom(seed), false, null);
                assertArrayEquals(copy, start, "the start is not modified");
                assertEquals(e0, r.startEpsilon());
                assertEquals(glass.epsilon(r.spins(), false), r.epsilon(), "ε of the returned spins");
                assertTrue(r.epsilon() <= e0, "polish made it worse: " + r.epsilon() + " > " + e0);
                assertTrue(r.epsilon() >= exact - 1e-12, "below the exact minimum");
                assertTrue(r.improvements() <= OPTIONS.rounds());
                atExact += r.epsilon() <= exact + 1e-12 ? 1 : 0;
                descentAtExact += e0 <= exact + 1e-12 ? 1 : 0;
                count++;
            }
        }
        // the polish must do something the descent alone does not
        assertTrue(atExact > descentAtExact, atExact + " polished vs " + descentAtExact + " descended at exact");
        assertTrue(
                atExact >= count / 2 && atExact - descentAtExact >= count / 5,
                atExact + " of " + count + " polished starts at the exact minimum, " + descentAtExact
                        + " descended ones");
    }

    @Test
    void lowersTheDescentsMinimumOfACnnAndKeepsTheSdpRoundingsBetter() {
        for (long seed = 1; seed <= 3; seed++) {
            SpinGlass glass = new SpinGlass(cnn(seed));
            double[] start = descended(glass, seed);
            var r = AnnealingPolish.polish(glass, start, OPTIONS, new SplittableRandom(seed), false, null);
            assertTrue(
                    r.epsilon() < r.startEpsilon(),
                    "seed " + seed + ": " + r.epsilon() + " not below " + r.startEpsilon());
            assertTrue(r.improvements() >= 1);
            for (double v : r.spins()) {
                assertEquals(1.0, Math.abs(v));
            }
        }
    }

    @Test
    void deterministicAndIndependentOfThreads() {
        SpinGlass glass = new SpinGlass(cnn(4));
        double[] start = descended(glass, 4);
        var a = AnnealingPolish.polish(glass, start, OPTIONS, new SplittableRandom(11), false, null);
        var b = AnnealingPolish.polish(glass, start, OPTIONS, new SplittableRandom(11), true, null);
        var c = AnnealingPolish.polish(glass, start, OPTIONS, new SplittableRandom(11), false, null);
        assertArrayEquals(a.spins(), b.spins());
        assertArrayEquals(a.spins(), c.spins());
        assertEquals(a.epsilon(), b.epsilon());
    }

    @Test
    void theIntervalsPolishOnlyLowersTheUpperEndAndLeavesTheRestAlone() {
        SpinGlass glass = new SpinGlass(cnn(5));
        var plain = new FrustrationInterval.Config(
                new MixingMethod.Options(4, 100, 1e-6, 10, 3), DualBound.Scaling.DEGREE, 200, 1e-6, 2, 5);
        var polished = new FrustrationInterval.Config(
                plain.sdp(),
                plain.scaling(),
                plain.lanczosSteps(),
                plain.delta(),
                plain.roundings(),
                plain.seed(),
                OPTIONS);
        var p = FrustrationInterval.run(glass, plain, Double.NaN, null, false, null, "", null, s -> {});
        var q = FrustrationInterval.run(glass, polished, Double.NaN, null, false, null, "", null, s -> {});
        assertEquals(p.epsilonLower(), q.epsilonLower());
        assertEquals(p.roundingBest(), q.roundingBest(), "the roundings draw as without polish");
        assertTrue(Double.isNaN(p.polishBest()));
        assertTrue(q.polishBest() <= q.roundingBest());
        assertEquals(Math.min(q.roundingBest(), q.polishBest()), q.epsilonUpper());
        assertTrue(q.epsilonUpper() >= q.epsilonLower());
        assertTrue(q.toJson(new com.fasterxml.jackson.databind.ObjectMapper()).has("polishBest"));
        assertTrue(polished.toJson(new com.fasterxml.jackson.databind.ObjectMapper())
                .has("polish"));
        assertTrue(
                !plain.toJson(new com.fasterxml.jackson.databind.ObjectMapper()).has("polish"));
    }

    @Test
    void aSmallerLanczosMarginTakesMoreStepsAndRaisesTheLowerEnd() {
        SpinGlass glass = new SpinGlass(cnn(6));
        var c = new FrustrationInterval.Config(
                new MixingMethod.Options(4, 100, 1e-6, 10, 3), DualBound.Scaling.DEGREE, 3000, 1e-6, 1, 5);
        var a = FrustrationInterval.run(glass, c, Double.NaN, null, false, null, "", null, s -> {});
        var b = FrustrationInterval.run(
                glass, c.withLanczosMargin(1e-5), Double.NaN, null, false, null, "", null, s -> {});
        assertTrue(
                b.lanczos().steps() > a.lanczos().steps(),
                b.lanczos().steps() + " vs " + a.lanczos().steps());
        assertTrue(b.lanczos().eta() < a.lanczos().eta());
        assertTrue(b.epsilonLower() > a.epsilonLower(), b.epsilonLower() + " vs " + a.epsilonLower());
        assertEquals(a.epsilonSdp(), b.epsilonSdp());
        assertTrue(c.withLanczosMargin(1e-5)
                .toJson(new com.fasterxml.jackson.databind.ObjectMapper())
                .has("lanczosMargin"));
        assertTrue(!c.toJson(new com.fasterxml.jackson.databind.ObjectMapper()).has("lanczosMargin"));
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(NnfrustException.class, () -> new AnnealingPolish.Options(-1, 10, 0.1, 0.01));
        assertThrows(NnfrustException.class, () -> new AnnealingPolish.Options(1, 0, 0.1, 0.01));
        assertThrows(NnfrustException.class, () -> new AnnealingPolish.Options(1, 10, 0.01, 0.1));
        assertThrows(NnfrustException.class, () -> new AnnealingPolish.Options(1, 10, 0, 0));
    }
}
