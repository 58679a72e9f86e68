package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.util.NnfrustException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainingTrack} on the committed series of three real PyTorch checkpoints (scripts/track_fixture.py):
 * per checkpoint the same ε as {@link FrustrationExperiment} with the same seeds, PyTorch's own accuracy, the
 * same results whatever the threads, interruptions or shards, and one-line refusals.
 */
class TrainingTrackTest {
    static final Path DIR = Path.of("src/test/resources/track");
    static final Path SERIES = DIR.resolve("series");
    static final Path IMAGES = DIR.resolve("test-images-idx3-ubyte.gz");
    static final Path LABELS = DIR.resolve("test-labels-idx1-ubyte.gz");

    static TrainingTrack.Config config(boolean lambda) {
        return new TrainingTrack.Config(
                TrainingTrack.snapshots(List.of(SERIES), TrainingTrack.Order.EPOCH, null),
                ImportOptions.DEFAULT,
                "layered",
                SolverOptions.DEFAULT,
                3,
                List.of(TrainingTrack.NullKind.N1, TrainingTrack.NullKind.N3),
                2,
                WeightInit.HE_NORMAL,
                11,
                new TrainingTrack.Images(IMAGES, LABELS, 0),
                lambda ? new TrainingTrack.Monotonicity(8, new AmplitudeSchedule(0.01, 1, 6, true), 6) : null);
    }

    /** The JSON without what may differ between equal runs: seconds, threads, provenance. */
    static JsonNode stable(TrainingTrack.Result r) {
        ObjectNode j = r.toJson(new ObjectMapper());
        j.remove("provenance");
        for (JsonNode c : j.get("checkpoints")) {
            for (JsonNode s : c.get("results")) {
                ((ObjectNode) s).remove("seconds");
            }
        }
        return j;
    }

    @Test
    void eachCheckpointGetsTheFrustrationExperimentsNumbersAndPyTorchsAccuracy() throws Exception {
        TrainingTrack.Config c = config(true);
        TrainingTrack.Result r = TrainingTrack.run(c, TrainingTrack.RunControl.simple(2));
        assertTrue(r.complete());
        assertEquals(
                List.of(0, 1, 3),
                r.points().stream().map(p -> p.snapshot().epoch()).toList());
        JsonNode expected =
                new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        for (TrainingTrack.Point p : r.points()) {
            Path file = p.snapshot().file();
            // the single-model experiment with the same settings and seed
            var net = ModelLoader.load(file.toString(), ImportOptions.DEFAULT);
            var fc = c.frustration(p.index(), net.sha256());
            List<FrustrationExperiment.Outcome> single =
                    FrustrationExperiment.solve(net.graph(), fc, RunControl.simple(1));
            assertEquals(single.size(), p.solves().size());
            for (int k = 0; k < single.size(); k++) {
                assertEquals(single.get(k).task(), p.solves().get(k).task());
                assertEquals(single.get(k).epsilon(), p.solves().get(k).epsilon(), 0.0, file + " solve " + k);
                assertEquals(single.get(k).flips(), p.solves().get(k).flips());
            }
            var groups = FrustrationStatistics.byGroup(single);
            assertEquals(FrustrationStatistics.stats("R", groups.get("R")).min(), p.epsilonR(), 0.0);
            assertEquals(net.graph().absWeightSum(), p.absWeightSum(), 0.0);
            assertEquals(net.graph().edgeCount(), p.edges());
            // ONNX Runtime's top-1 on the 100 images equals PyTorch's (scripts/track_fixture.py)
            assertEquals(
                    expected.get(file.getFileName().toString()).get("top1").asInt(),
                    p.accuracy().top1(),
                    file.toString());
            assertEquals(100, p.accuracy().labelled());
            // each null network's ε is the better of its two solves
            double[] n1 = p.perNetwork().get("N1");
            assertEquals(2, n1.length);
            for (int k = 0; k < 2; k++) {
                final int replica = k;
                double best = single.stream()
                        .filter(o -> o.task().group().equals("N1") && o.task().replica() == replica)
                        .mapToDouble(FrustrationExperiment.Outcome::epsilon)
                        .min()
                        .orElseThrow();
                assertEquals(best, n1[k], 0.0);
            }
            assertEquals((n1[0] + n1[1]) / 2 - p.epsilonR(), p.gap("N1"), 1e-15);
            assertTrue(p.lambda().lambda() >= 0 && p.lambda().lambda() <= 0.5);
            assertEquals(8 * 6, p.lambda().samples());
            assertEquals(8 * 6, p.lambdaRandomOrder().samples());
        }
        // training moved the weights: Σ|A| differs, the architecture does not
        assertTrue(r.points().get(0).absWeightSum() != r.points().get(2).absWeightSum());
        // the CSV has one row per checkpoint plus the header
        assertEquals(4, r.toCsv().split("\n").length);
    }

    @Test
    void threadsInterruptionsAndShardsGiveTheSameResult(@TempDir Path tmp) {
        TrainingTrack.Config c = config(true);
        JsonNode one = stable(TrainingTrack.run(c, TrainingTrack.RunControl.simple(1)));
        assertEquals(one, stable(TrainingTrack.run(c, TrainingTrack.RunControl.simple(2))));
        // stopped after 4 units, then resumed
        Path cp = tmp.resolve("run.jsonl");
        var first = TrainingTrack.run(c, new TrainingTrack.RunControl(2, Shard.ALL, cp, false, 4, List.of(), null));
        assertFalse(first.complete());
        assertEquals(4, first.unitsDone());
        var resumed = TrainingTrack.run(c, new TrainingTrack.RunControl(2, Shard.ALL, cp, true, 0, List.of(), null));
        assertEquals(one, stable(resumed));
        // three shards, then merged from their checkpoints
        List<Path> shards = new ArrayList<>();
        for (int k = 1; k <= 3; k++) {
            Path s = tmp.resolve("shard" + k + ".jsonl");
            shards.add(s);
            var part = TrainingTrack.run(
                    c, new TrainingTrack.RunControl(1, new Shard(k, 3), s, false, 0, List.of(), null));
            assertTrue(part.complete());
            assertTrue(part.unitsPlanned() < one.get("unitsPlanned").asInt());
        }
        var merged = TrainingTrack.run(c, new TrainingTrack.RunControl(1, Shard.ALL, null, false, 0, shards, null));
        assertEquals(one, stable(merged));
        // a missing shard is refused
        var e = assertThrows(
                NnfrustException.class,
                () -> TrainingTrack.run(
                        c, new TrainingTrack.RunControl(1, Shard.ALL, null, false, 0, shards.subList(0, 2), null)));
        assertTrue(e.getMessage().contains("2 of the 3 shards"), e.getMessage());
    }

    @Test
    void aShardWhoseHeaderWasEditedIsRefusedAndAnEditedLineIsIgnored(@TempDir Path tmp) throws Exception {
        TrainingTrack.Config c = config(false);
        List<Path> shards = new ArrayList<>();
        for (int k = 1; k <= 2; k++) {
            Path s = tmp.resolve("shard" + k + ".jsonl");
            shards.add(s);
            TrainingTrack.run(c, new TrainingTrack.RunControl(1, new Shard(k, 2), s, false, 0, List.of(), null));
        }
        JsonNode whole =
                stable(TrainingTrack.run(c, new TrainingTrack.RunControl(1, Shard.ALL, null, false, 0, shards, null)));
        // an edited line (ε changed, check not recomputed) is dropped: its unit is missing, not wrong
        List<String> lines = new ArrayList<>(Files.readAllLines(shards.get(0), StandardCharsets.UTF_8));
        String edited = lines.get(1).replaceFirst("\"epsilon\":0\\.", "\"epsilon\":0.0");
        assertTrue(!edited.equals(lines.get(1)));
        lines.set(1, edited);
        Files.write(shards.get(0), lines, StandardCharsets.UTF_8);
        var partial = TrainingTrack.run(c, new TrainingTrack.RunControl(1, Shard.ALL, null, false, 0, shards, null));
        assertFalse(partial.complete());
        assertEquals(whole.get("unitsPlanned").asInt() - 1, partial.unitsDone());
        // a header naming another configuration (another seed, a command to run) is refused whole
        lines.set(
                0,
                lines.get(0)
                        .replace("\"seed\":11", "\"seed\":12")
                        .replace(
                                "\"config\"",
                                "\"command\":[\"experiment\",\"frustration\",\"--csv\",\"/tmp/x\"],\"config\""));
        Files.write(shards.get(0), lines, StandardCharsets.UTF_8);
        var e = assertThrows(
                NnfrustException.class,
                () -> TrainingTrack.run(c, new TrainingTrack.RunControl(1, Shard.ALL, null, false, 0, shards, null)));
        assertTrue(
                e.getMessage().contains("was not written by 'nnfrust track' with these checkpoints and options"),
                e.getMessage());
    }

    @Test
    void anotherArchitectureIsRefusedInOneLineNamingIt() {
        var snaps = TrainingTrack.snapshots(
                List.of(
                        SERIES.resolve("epoch-0000.onnx"),
                        DIR.resolve("other/wider.onnx"),
                        SERIES.resolve("epoch-0001.onnx")),
                TrainingTrack.Order.GIVEN,
                null);
        var c = new TrainingTrack.Config(
                snaps,
                ImportOptions.DEFAULT,
                "layered",
                SolverOptions.DEFAULT,
                2,
                List.of(),
                0,
                WeightInit.HE_NORMAL,
                1,
                null,
                null);
        var e = assertThrows(NnfrustException.class, () -> TrainingTrack.run(c, TrainingTrack.RunControl.simple(1)));
        assertTrue(
                e.getMessage()
                        .startsWith("checkpoint " + DIR.resolve("other/wider.onnx") + " has another architecture than "
                                + SERIES.resolve("epoch-0000.onnx") + ": layer 2 (/features/features.0/Conv)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("40x28x28") && e.getMessage().contains("32x28x28"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void checkpointOrderAndEpochs(@TempDir Path tmp) throws Exception {
        assertEquals(12, TrainingTrack.epochOf(Path.of("run3/ckpt-e12.onnx")));
        assertEquals(7, TrainingTrack.epochOf(Path.of("model_v2_epoch7.onnx")));
        assertEquals(-1, TrainingTrack.epochOf(Path.of("final.onnx")));
        for (String n : List.of("e10.onnx", "e2.onnx", "e1.onnx")) {
            Files.copy(SERIES.resolve("epoch-0000.onnx"), tmp.resolve(n));
        }
        var byEpoch = TrainingTrack.snapshots(List.of(tmp), TrainingTrack.Order.EPOCH, null);
        assertEquals(
                List.of(1, 2, 10),
                byEpoch.stream().map(TrainingTrack.Snapshot::epoch).toList());
        var byName = TrainingTrack.snapshots(List.of(tmp), TrainingTrack.Order.NAME, null);
        assertEquals(
                List.of("e1.onnx", "e10.onnx", "e2.onnx"),
                byName.stream().map(s -> s.file().getFileName().toString()).toList());
        var given = TrainingTrack.snapshots(
                List.of(tmp.resolve("e2.onnx"), tmp.resolve("e1.onnx")), TrainingTrack.Order.EPOCH, List.of(5, 3));
        assertEquals(
                List.of("e1.onnx", "e2.onnx"),
                given.stream().map(s -> s.file().getFileName().toString()).toList());
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> TrainingTrack.snapshots(List.of(tmp), TrainingTrack.Order.EPOCH, List.of(1)))
                .getMessage()
                .contains("epochs gives 1 epochs for 3"));
        Files.copy(SERIES.resolve("epoch-0000.onnx"), tmp.resolve("final.onnx"));
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> TrainingTrack.snapshots(List.of(tmp), TrainingTrack.Order.EPOCH, null))
                .getMessage()
                .contains("no epoch in the name of"));
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> TrainingTrack.snapshots(
                                List.of(tmp.resolve("e1.onnx"), tmp.resolve("e2.onnx")),
                                TrainingTrack.Order.EPOCH,
                                List.of(4, 4)))
                .getMessage()
                .contains("have the same epoch 4"));
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> new TrainingTrack.Config(
                                given,
                                ImportOptions.DEFAULT,
                                "layered",
                                SolverOptions.DEFAULT,
                                0,
                                List.of(),
                                0,
                                WeightInit.HE_NORMAL,
                                1,
                                null,
                                null))
                .getMessage()
                .contains("restarts must be >= 1"));
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> new TrainingTrack.Config(
                                given,
                                ImportOptions.DEFAULT,
                                "layered",
                                SolverOptions.DEFAULT,
                                2,
                                List.of(),
                                0,
                                WeightInit.HE_NORMAL,
                                1,
                                null,
                                new TrainingTrack.Monotonicity(4, new AmplitudeSchedule(0.1, 1, 2, true), 4)))
                .getMessage()
                .contains("--lambda-images needs a labelled image set"));
    }
}
