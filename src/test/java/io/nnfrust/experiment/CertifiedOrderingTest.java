package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.reproduce.Preset;
import io.nnfrust.reproduce.ReproducePlan;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certified orderings: the rule on hand-made intervals, and the experiment's intervals on a trained checkpoint. */
class CertifiedOrderingTest {
    static CertifiedOrdering.NetworkInterval n(String g, int r, double lo, double hi, double sdp) {
        return new CertifiedOrdering.NetworkInterval(g, r, r, lo, hi, sdp, 1 - 1e-6, 0);
    }

    @Test
    void anOrderingIsCertifiedOnlyWhenEveryUpperEndLiesBelowEveryLowerEnd() {
        var nets = List.of(
                n("R", -1, 0.30, 0.35, 0.31),
                n("N1", 0, 0.36, 0.40, 0.37),
                n("N1", 1, 0.349, 0.41, 0.36),
                n("N2", 0, 0.42, 0.45, 0.43));
        var o = CertifiedOrdering.orderings(nets);
        assertEquals(
                List.of("R<N1", "N1<N2", "R<N2"),
                o.stream().map(x -> x.a() + "<" + x.b()).toList());
        assertFalse(o.get(0).certified(), "N1/1's lower end 0.349 is below R's upper end 0.35");
        assertEquals(0.349, o.get(0).minLowerB(), 0.0);
        assertTrue(o.get(1).certified(), "0.41 < 0.42");
        assertTrue(o.get(2).certified());
        assertTrue(
                o.get(0)
                        .line()
                        .startsWith("R < N1 not certified: max eps_ub(R) = 0.350000 >= min eps_lb(N1) = 0.349000"),
                o.get(0).line());
        assertTrue(o.get(0).maxSdpA() < o.get(0).minSdpB(), "the SDP values are still ordered");
        // equal ends are not a certificate
        assertFalse(CertifiedOrdering.orderings(List.of(n("R", -1, 0.3, 0.36, 0.3), n("N1", 0, 0.36, 0.4, 0.37)))
                .get(0)
                .certified());
    }

    @Test
    void theExperimentsIntervalsHoldItsSolvesAndReadBack() {
        Path ckpt = Path.of("src/test/resources/track/series/epoch-0003.onnx");
        var net = ModelLoader.load(ckpt.toString(), ImportOptions.DEFAULT);
        var c = new FrustrationExperiment.Config(
                ckpt.toString(),
                net.sha256(),
                ImportOptions.DEFAULT,
                SolverKind.LAYERED,
                2,
                List.of(NullKind.N1),
                2,
                WeightInit.HE_NORMAL,
                4,
                SolverOptions.DEFAULT);
        var outcomes = FrustrationExperiment.solve(net.graph(), c, RunControl.simple(2));
        var bc = new FrustrationInterval.Config(
                new MixingMethod.Options(6, 150, 1e-5, 10, 4), DualBound.Scaling.DEGREE, 400, 1e-6, 2, 4);
        var r = CertifiedOrdering.compute(net.graph(), c, outcomes, 1, bc, true, s -> {});
        assertEquals(
                List.of("R", "N1"),
                r.networks().stream()
                        .map(CertifiedOrdering.NetworkInterval::group)
                        .toList());
        for (var x : r.networks()) {
            double best = outcomes.stream()
                    .filter(o -> o.task().group().equals(x.group())
                            && (x.group().equals("R") || o.task().replica() == x.replica()))
                    .mapToDouble(FrustrationExperiment.Outcome::epsilon)
                    .min()
                    .orElseThrow();
            assertTrue(x.lower() <= x.upper() && x.upper() <= best, x + " vs best solve " + best);
            assertTrue(x.epsilonSdp() >= x.lower() - 1e-12);
        }
        // the upper end of R is a real frustration: no better than R's bound from the graph itself
        var direct = FrustrationInterval.run(
                new SpinGlass(net.graph()), bc, Double.NaN, null, true, null, "", null, s -> {});
        assertEquals(direct.epsilonLower(), r.networks().get(0).lower(), 0.0);
        // read back through the codec: same intervals and orderings
        var json = r.toJson(new ObjectMapper(), bc);
        var back = CertifiedOrdering.Result.of(json);
        assertEquals(r.networks(), back.networks());
        assertEquals(r.orderings(), back.orderings());
    }

    @Test
    void reproducePassesBoundsToTheFrustrationStagesOnly(@TempDir Path out) {
        var o = new ReproducePlan.Options(
                List.of("zoo:squeezenet1.1"), ImportOptions.DEFAULT, null, Preset.QUICK, 1, 2, out, 2);
        var stages = ReproducePlan.stages(o, Map.of("zoo:squeezenet1.1", 0.1));
        var without = ReproducePlan.stages(
                new ReproducePlan.Options(
                        List.of("zoo:squeezenet1.1"), ImportOptions.DEFAULT, null, Preset.QUICK, 1, 2, out),
                Map.of("zoo:squeezenet1.1", 0.1));
        for (int k = 0; k < stages.size(); k++) {
            var s = stages.get(k);
            String line = s.steps().get(0).commandLine();
            boolean frustration = s.name().startsWith("nulls");
            assertEquals(frustration, line.contains("--bounds 2"), s.name() + ": " + line);
            assertEquals(frustration, !s.fingerprint().equals(without.get(k).fingerprint()), s.name());
            if (frustration) {
                assertTrue(s.estimateSeconds() > without.get(k).estimateSeconds());
            }
        }
    }
}
