package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.FrustrationExperiment.Config;
import io.nnfrust.experiment.FrustrationExperiment.Outcome;
import io.nnfrust.experiment.FrustrationExperiment.Result;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.nullmodel.ShuffledParameters;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frustration experiment as a library study: its typed configuration is validated parameter by parameter and
 * reads exactly the JSON that checkpoint headers and results hold; a result reads back equal to itself; its Welch
 * tests are those of {@link WelchTest} on the groups' ε; and the shards of a run, merged through the library
 * without running any command, give the unsharded result.
 */
class FrustrationStudyTest {
    @TempDir
    Path dir;

    private static final SolverOptions OPTIONS = SolverOptions.DEFAULT.withInitialFlips(200);

    private static Config config(String sha, int replicas, List<NullKind> nulls, int nullCount, int bounds) {
        return new Config(
                "net.onnx",
                sha,
                ImportOptions.DEFAULT,
                SolverKind.LAYERED,
                replicas,
                nulls,
                nullCount,
                WeightInit.HE_NORMAL,
                7,
                OPTIONS,
                bounds,
                6);
    }

    private Network network(long seed) throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(seed).toByteArray());
        return ModelLoader.load(model.toString(), ImportOptions.DEFAULT);
    }

    private static void refused(String parameter, Supplier<Object> make) {
        NnfrustException e = assertThrows(NnfrustException.class, make::get);
        assertTrue(
                e.getMessage().startsWith(parameter + " ") || e.getMessage().contains(" " + parameter + " "),
                parameter + ": " + e.getMessage());
    }

    @Test
    void eachBadParameterIsNamed() {
        List<NullKind> n1 = List.of(NullKind.N1);
        refused("replicas", () -> config("", -1, n1, 1, 0));
        refused("nullCount", () -> config("", 2, n1, -1, 0));
        refused("nulls", () -> config("", 2, List.of(NullKind.N1, NullKind.N1), 1, 0));
        refused("replicas", () -> config("", 1, List.of(), 1, 0)); // nothing to compare
        refused("bounds", () -> config("", 2, n1, 1, -1));
        refused(
                "boundRank",
                () -> new Config(
                        "m",
                        "",
                        ImportOptions.DEFAULT,
                        SolverKind.LAYERED,
                        2,
                        n1,
                        1,
                        WeightInit.HE_NORMAL,
                        1,
                        OPTIONS,
                        1,
                        1));
        refused(
                "model",
                () -> new Config(
                        " ",
                        "",
                        ImportOptions.DEFAULT,
                        SolverKind.LAYERED,
                        2,
                        n1,
                        1,
                        WeightInit.HE_NORMAL,
                        1,
                        OPTIONS));
        refused(
                "solver",
                () -> new Config("m", "", ImportOptions.DEFAULT, null, 2, n1, 1, WeightInit.HE_NORMAL, 1, OPTIONS));
        refused(
                "n3Init",
                () -> new Config("m", "", ImportOptions.DEFAULT, SolverKind.LAYERED, 2, n1, 1, null, 1, OPTIONS));
        refused(
                "importOptions",
                () -> new Config("m", "", null, SolverKind.LAYERED, 2, n1, 1, WeightInit.HE_NORMAL, 1, OPTIONS));
        refused(
                "options",
                () -> new Config(
                        "m", "", ImportOptions.DEFAULT, SolverKind.LAYERED, 2, n1, 1, WeightInit.HE_NORMAL, 1, null));
        // valid: the smallest comparisons
        config("", 2, List.of(), 0, 0);
        config("", 0, n1, 2, 0);
    }

    @Test
    void theConfigurationsJsonIsTheHeadersOfEveryVersion() {
        ObjectMapper m = new ObjectMapper();
        Config c = config("abc", 3, List.of(NullKind.N1, NullKind.N2, NullKind.N3), 2, 0);
        // exactly the configuration that checkpoint headers and results have always held (field names and order)
        String expected = "{\"model\":\"net.onnx\",\"modelSha256\":\"abc\",\"importOptions\":{\"inputHeight\":0,"
                + "\"inputWidth\":0,\"add\":\"merge\",\"poolWeight\":\"geometric\",\"batchNorm\":\"fold\"},"
                + "\"solver\":\"layered\",\"replicas\":3,\"nulls\":\"N1,N2,N3\",\"nullCount\":2,\"n3Init\":\"he\","
                + "\"seed\":7,\"initialFlips\":200,\"maxIterations\":-1,\"sweeps\":40,\"tStart\":0.5,\"tEnd\":0.02}";
        assertEquals(expected, c.toJson(m).toString());
        assertEquals(c, Config.fromJson(c.toJson(m)));
        // with bounds: two more fields, read back equal
        Config b = config("abc", 3, List.of(NullKind.N1, NullKind.N3), 2, 1);
        assertEquals(1, b.toJson(m).get("bounds").asInt());
        assertEquals(6, b.toJson(m).get("boundRank").asInt());
        assertEquals(b, Config.fromJson(b.toJson(m)));
        // other kinds, solvers, initialisations, import options
        Config x = new Config(
                "zoo:squeezenet1.1",
                "",
                ImportOptions.DEFAULT.withInputSize(32, 48),
                SolverKind.ALGORITHM1_FIRST,
                0,
                List.of(NullKind.N3),
                4,
                WeightInit.XAVIER_UNIFORM,
                -5,
                new SolverOptions(0, 100, 3, 0.7, 0.01, false, 0));
        assertEquals(x, Config.fromJson(x.toJson(m)));
        // a missing field is named
        ObjectNode broken = c.toJson(m);
        broken.remove("nullCount");
        NnfrustException e = assertThrows(NnfrustException.class, () -> Config.fromJson(broken));
        assertTrue(e.getMessage().contains("'nullCount'"), e.getMessage());
        ObjectNode unknown = c.toJson(m);
        unknown.put("nulls", "N1,N4");
        assertTrue(assertThrows(NnfrustException.class, () -> Config.fromJson(unknown))
                .getMessage()
                .contains("'N4' is not a null model"));
    }

    @Test
    void aResultReadsBackEqualAndItsWelchTestsAreWelchs() throws Exception {
        Network net = network(4);
        Config c = config(net.sha256(), 3, List.of(NullKind.N1, NullKind.N2, NullKind.N3), 2, 1);
        List<Outcome> heard = new ArrayList<>();
        Result r = FrustrationExperiment.run(net, c, new RunControl<>(2, Shard.ALL, null, false, 0, heard::add));
        assertTrue(r.complete());
        assertEquals(3 + 3 * 2 * 2, r.outcomes().size());
        assertEquals(r.outcomes().size(), heard.size());
        assertEquals(net.sha256(), r.origin().modelSha256());
        assertEquals(c, r.config());
        assertNotNull(r.bounds(), "bounds of a whole, complete run");
        assertEquals(
                List.of("R", "N1", "N2", "N3"),
                r.bounds().networks().stream()
                        .map(CertifiedOrdering.NetworkInterval::group)
                        .toList());
        // Welch, computed independently from the solves of each group
        assertEquals(4, r.welch().size());
        for (var w : r.welch()) {
            WelchTest expected = WelchTest.of(epsilons(r, w.a()), epsilons(r, w.b()));
            assertEquals(expected, w.test(), w.a() + " vs " + w.b());
        }
        for (var g : r.groups()) {
            double[] e = epsilons(r, g.group());
            assertEquals(e.length, g.n());
            assertEquals(WelchTest.mean(e), g.mean(), 0.0);
            assertEquals(Math.sqrt(WelchTest.variance(e, WelchTest.mean(e))), g.sd(), 0.0);
        }
        // the JSON and the file read back to an equal result, which writes the same text
        assertEquals(r, Result.fromJson(r.toJson(new ObjectMapper())));
        Path json = dir.resolve("r.json"), csv = dir.resolve("r.csv");
        r.writeJson(json);
        r.writeCsv(csv);
        Result back = Result.read(json);
        assertEquals(r, back);
        assertEquals(Files.readString(json), back.jsonText() + "\n");
        assertEquals(Files.readString(csv), back.csvText());
        assertEquals(r.outcomes().size() + 1, Files.readAllLines(csv).size());
        // a result whose solve is not one of its configuration's tasks is refused
        JsonNode forged = new ObjectMapper().readTree(json.toFile());
        ((ObjectNode) forged.get("results").get(0)).put("seed", 12345);
        assertThrows(NnfrustException.class, () -> Result.fromJson(forged));
    }

    private static double[] epsilons(Result r, String group) {
        return r.outcomes().stream()
                .filter(o -> o.task().group().equals(group))
                .mapToDouble(Outcome::epsilon)
                .toArray();
    }

    @Test
    void mergedShardsGiveTheUnshardedResultWithoutRunningAnything() throws Exception {
        Network net = network(5);
        Config c = config(net.sha256(), 3, List.of(NullKind.N1, NullKind.N3), 2, 0);
        Result whole = FrustrationExperiment.run(net, c, RunControl.simple(1));
        for (int n : new int[] {1, 2, 3}) {
            List<Path> cps = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                Path cp = dir.resolve("s" + n + "-" + k + ".jsonl");
                Result part =
                        FrustrationExperiment.run(net, c, new RunControl<>(1, new Shard(k, n), cp, false, 0, null));
                assertEquals(n == 1, part.complete() && part.shard().isAll());
                cps.add(cp);
            }
            CheckpointMerge.Summary s = CheckpointMerge.merge(cps, null, false, x -> {});
            assertEquals(Study.FRUSTRATION, s.study());
            Config fromHeader = Config.fromJson(s.config());
            assertEquals(c, fromHeader, "the shards' typed configuration");
            Result merged = FrustrationExperiment.merge(net, fromHeader, s.resultLines(), 2, x -> {});
            assertEquals(science(whole), science(merged), n + " shards");
        }
        // the model is checked against the configuration's SHA-256
        Network other = network(6);
        assertThrows(NnfrustException.class, () -> FrustrationExperiment.merge(other, c, List.of(), 1, x -> {}));
        // no new work: only what a checkpoint holds
        Path cp = dir.resolve("cut.jsonl");
        FrustrationExperiment.run(net, c, new RunControl<>(1, Shard.ALL, cp, false, 2, null));
        Result cut = FrustrationExperiment.collect(net, c, new RunControl<>(1, Shard.ALL, cp, true, 0, null), x -> {});
        assertEquals(2, cut.outcomes().size());
        assertFalse(cut.complete());
        assertNull(cut.bounds());
    }

    /** The result without provenance and timings. */
    private static JsonNode science(Result r) {
        ObjectNode j = r.toJson(new ObjectMapper());
        j.remove("provenance");
        for (JsonNode x : j.get("results")) {
            ((ObjectNode) x).remove("seconds");
        }
        return j;
    }

    @Test
    void eachNullKindIsItsOwnModel() {
        assertInstanceOf(ShuffledParameters.class, FrustrationExperiment.nullModel(NullKind.N1, WeightInit.HE_NORMAL));
        assertInstanceOf(ShuffledEdges.class, FrustrationExperiment.nullModel(NullKind.N2, WeightInit.HE_NORMAL));
        assertInstanceOf(
                ReinitializedWeights.class, FrustrationExperiment.nullModel(NullKind.N3, WeightInit.XAVIER_UNIFORM));
        assertEquals(
                "N3-xavier",
                FrustrationExperiment.nullModel(NullKind.N3, WeightInit.XAVIER_UNIFORM)
                        .name());
        int[] tasks = FrustrationTasks.all(config("", 2, List.of(NullKind.N2), 3, 0)).stream()
                .mapToInt(t -> t.nullKind() == null ? 0 : t.nullKind().ordinal() + 1)
                .toArray();
        assertArrayEquals(new int[] {0, 0, 2, 2, 2, 2, 2, 2}, tasks);
    }
}
