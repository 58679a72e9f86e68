package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.cli.Main;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.testing.SharedData;
import io.nnfrust.util.NnfrustException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hipparchus.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
    @TempDir
    Path dir;

    @Test
    void welchMatchesHipparchusAndTheSatterthwaiteFormula() {
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < 20; k++) {
            double[] a = new double[5 + r.nextInt(20)], b = new double[5 + r.nextInt(20)];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextGaussian() * (1 + k % 3);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = 0.5 + r.nextGaussian();
            }
            WelchTest w = WelchTest.of(a, b);
            TTest ref = new TTest();
            assertEquals(ref.t(a, b), w.t(), 1e-10);
            assertEquals(ref.tTest(a, b), w.p(), 1e-9);
            double va = WelchTest.variance(a, WelchTest.mean(a)) / a.length;
            double vb = WelchTest.variance(b, WelchTest.mean(b)) / b.length;
            double df = (va + vb) * (va + vb) / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
            assertEquals(df, w.df(), 1e-10);
        }
        // far tail: p stays positive and tiny where 2 F(-|t|) would underflow to 0
        double[] a = {0.400, 0.4001, 0.3999, 0.4002, 0.3998, 0.4, 0.4001, 0.3999};
        double[] b = {0.450, 0.4501, 0.4499, 0.4502, 0.4498, 0.45, 0.4501, 0.4499};
        WelchTest w = WelchTest.of(a, b);
        assertTrue(w.p() > 0 && w.p() < 1e-20, "p = " + w.p());
    }

    private static FrustrationExperiment.Config config(int replicas, int nullCount, long seed) {
        return new FrustrationExperiment.Config(
                "zoo:squeezenet1.1",
                "zoo",
                ImportOptions.DEFAULT.withInputSize(32, 32),
                SolverKind.LAYERED,
                replicas,
                List.of(NullKind.N1, NullKind.N3),
                nullCount,
                WeightInit.HE_NORMAL,
                seed,
                SolverOptions.DEFAULT.withInitialFlips(2000));
    }

    /** The solves of {@code c} on {@code g} with this run control. */
    private static List<FrustrationExperiment.Outcome> run(
            SignedGraph g, FrustrationExperiment.Config c, Path cp, boolean resume, int threads, int stopAfter) {
        return FrustrationExperiment.solve(g, c, new RunControl<>(threads, Shard.ALL, cp, resume, stopAfter, null));
    }

    private static SignedGraph small() {
        return ModelLoader.load("zoo:squeezenet1.1", ImportOptions.DEFAULT.withInputSize(32, 32))
                .graph();
    }

    @Test
    void tasksFollowThePaperAndSeedsAreFixedUpFront() {
        List<FrustrationTasks.Task> t = FrustrationTasks.all(config(3, 2, 5));
        assertEquals(3 + 2 * 2 * 2, t.size());
        assertEquals(0, t.get(3).initialFlips(), "first instance of a null network starts from S = I");
        assertEquals(2000, t.get(4).initialFlips());
        assertEquals(t.get(3).nullSeed(), t.get(4).nullSeed(), "both instances solve the same null network");
        assertEquals(t, FrustrationTasks.all(config(3, 2, 5)));
    }

    @Test
    void interruptedAndResumedRunEqualsUninterruptedRun() throws Exception {
        SignedGraph g = small();
        FrustrationExperiment.Config c = config(3, 2, 11);
        List<FrustrationExperiment.Outcome> full = run(g, c, dir.resolve("full.jsonl"), false, 2, 0);
        assertEquals(11, full.size());
        Path cp = dir.resolve("cut.jsonl");
        List<FrustrationExperiment.Outcome> first = run(g, c, cp, false, 2, 4);
        assertEquals(4, first.size());
        // a kill in the middle of writing leaves a partial last line
        Files.writeString(
                cp,
                Files.readString(cp) + "{\"type\":\"result\",\"group\":\"N1\",\"repl",
                StandardOpenOption.TRUNCATE_EXISTING);
        List<FrustrationExperiment.Outcome> resumed = run(g, c, cp, true, 3, 0);
        assertEquals(full.size(), resumed.size());
        for (int i = 0; i < full.size(); i++) {
            assertEquals(full.get(i).task(), resumed.get(i).task());
            assertEquals(
                    full.get(i).epsilon(),
                    resumed.get(i).epsilon(),
                    0.0,
                    full.get(i).task().key());
        }
        assertEquals(1 + 11, Files.readAllLines(cp).size(), "header plus one line per solve, no duplicates");
        // nothing left to do: resuming again runs nothing and returns the same
        assertEquals(11, run(g, c, cp, true, 2, 0).size());
        // other options refuse to resume this checkpoint; a fresh run refuses to overwrite it
        assertThrows(NnfrustException.class, () -> run(g, config(3, 2, 12), cp, true, 2, 0));
        assertThrows(NnfrustException.class, () -> run(g, c, cp, false, 2, 0));
    }

    @Test
    void realSqueezeNetIsLessFrustratedThanItsNullModels() {
        Path model = SharedData.require("models/squeezenet1.1-caffe.onnx");
        SignedGraph g = ModelLoader.load(model.toString(), ImportOptions.DEFAULT.withInputSize(64, 64))
                .graph();
        FrustrationExperiment.Config c = new FrustrationExperiment.Config(
                model.toString(),
                "-",
                ImportOptions.DEFAULT.withInputSize(64, 64),
                SolverKind.LAYERED,
                6,
                List.of(NullKind.N1, NullKind.N2, NullKind.N3),
                3,
                WeightInit.HE_NORMAL,
                1,
                SolverOptions.DEFAULT);
        Map<String, double[]> groups = FrustrationStatistics.byGroup(run(g, c, null, false, 2, 0));
        double r = WelchTest.mean(groups.get("R")), n1 = WelchTest.mean(groups.get("N1"));
        double n2 = WelchTest.mean(groups.get("N2")), n3 = WelchTest.mean(groups.get("N3"));
        // the paper's first result: eps_R < eps_N1 < eps_N2 (Welch), and re-initialised networks above N1
        assertTrue(r < n1 && n1 < n2, "expected eps_R < eps_N1 < eps_N2, got " + r + ", " + n1 + ", " + n2);
        assertTrue(n1 < n3, "expected eps_N1 < eps_N3, got " + n1 + ", " + n3);
        assertTrue(WelchTest.of(groups.get("R"), groups.get("N1")).p() < 1e-3);
        assertTrue(WelchTest.of(groups.get("N1"), groups.get("N2")).p() < 1e-3);
        assertTrue(WelchTest.of(groups.get("R"), groups.get("N3")).p() < 1e-6);
    }

    @Test
    void commandLineErrorsAreOneLine() {
        var cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("experiment", "frustration", "zoo:squeezenet1.1", "--nulls", "N4"));
        assertTrue(err.toString().contains("'N4' is not a null model"), err.toString());
        assertEquals(1, err.toString().strip().split("\n").length);
        // every bad value of the typed options is one line naming the option, before anything is loaded
        String[][] bad = {
            {"--n3-init", "lecun", "unknown weight initialisation 'lecun'"},
            {"--solver", "simplex", "unknown --solver 'simplex'"},
            {"--replicas", "-1", "--replicas must be >= 0, got -1"},
            {"--null-count", "-2", "--null-count must be >= 0, got -2"},
            {"--nulls", "N1,N1", "--nulls names a null model twice"},
            {"--bounds", "-1", "--bounds must be >= 0, got -1"},
        };
        for (String[] b : bad) {
            StringWriter e = new StringWriter();
            var c = Main.commandLine();
            c.setErr(new PrintWriter(e, true));
            assertEquals(2, c.execute("experiment", "frustration", "zoo:squeezenet1.1", b[0], b[1]), b[0]);
            assertTrue(e.toString().contains(b[2]), e.toString());
            assertEquals(1, e.toString().strip().split("\n").length, e.toString());
        }
    }
}
