package io.nnfrust.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage logic of reproduce with a recording step runner: skip, continue, redo on changed options. */
class ReproductionTest {
    /** An executor that records each step's command and writes {"complete": true} to its output. */
    static final class Recorder implements Reproduction.Executor {
        final List<List<String>> calls = new ArrayList<>();
        int failAt = -1;

        @Override
        public void execute(Stage.Step step, boolean noNewWork) {
            List<String> args = step.args();
            calls.add(args);
            if (calls.size() - 1 == failAt) {
                throw new NnfrustException("exit 2");
            }
            try {
                Path out = step.output();
                Files.createDirectories(out.getParent());
                Files.writeString(out, "{\"complete\": true, \"args\": " + args.size() + "}", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static List<Stage> plan(Path out, Preset p) {
        var o = new ReproducePlan.Options(List.of("zoo:squeezenet1.1"), ImportOptions.DEFAULT, null, p, 1, 2, out);
        return ReproducePlan.stages(o, Map.of("zoo:squeezenet1.1", 0.1));
    }

    @Test
    void finishedStagesAreSkippedAndChangedOnesRedone(@TempDir Path dir) throws Exception {
        List<Stage> stages = plan(dir, Preset.QUICK);
        List<String> names = stages.stream().map(Stage::name).toList();
        assertEquals(
                List.of(
                        "graph",
                        "frustration-algorithm1",
                        "frustration-best",
                        "nulls",
                        "nulls-n3-he",
                        "nulls-n3-xavier"),
                names,
                "no images: active and monotonicity are left out");
        Recorder r = new Recorder();
        Reproduction.run(stages, r, s -> {});
        int first = r.calls.size();
        // graph 1 + algorithm1: 1 part + merge + best: 1 part + merge + 3 experiments
        assertEquals(1 + 2 + 2 + 3, first);
        for (Stage s : stages) {
            assertEquals("done", Reproduction.state(s), s.name());
        }
        // again: nothing runs
        Reproduction.run(stages, r, s -> {});
        assertEquals(first, r.calls.size());
        // other null counts: only the nulls stage runs anew, and its old files are removed first
        Files.writeString(dir.resolve("squeezenet1.1").resolve("nulls.json.jsonl"), "old checkpoint");
        List<Stage> changed = plan(dir, Preset.QUICK.withNulls(4, 5, 2, 2));
        assertEquals("changed", Reproduction.state(changed.get(3)));
        List<String> log = new ArrayList<>();
        Reproduction.run(changed, r, log::add);
        assertEquals(first + 1, r.calls.size());
        assertTrue(r.calls.get(first).contains("5"), r.calls.get(first).toString());
        assertFalse(
                Files.exists(dir.resolve("squeezenet1.1").resolve("nulls.json.jsonl")),
                "the old checkpoint of a changed stage is removed");
        assertTrue(log.stream().anyMatch(l -> l.contains("options changed")), log.toString());
        assertTrue(log.stream().filter(l -> l.contains("skipped")).count() >= 5, log.toString());
    }

    @Test
    void anInterruptedStageContinuesWithoutRedoingItsParts(@TempDir Path dir) {
        Preset p = Preset.QUICK.withAlgorithm1Restarts(6); // 3 parts of 2 restarts on 2 threads
        List<Stage> stages = plan(dir, p);
        Stage alg1 = stages.get(1);
        assertEquals(4, alg1.steps().size(), "3 parts and the merge");
        Recorder r = new Recorder();
        r.failAt = 3; // graph, part 1, part 2 run; part 3 fails
        NnfrustException e = assertThrows(NnfrustException.class, () -> Reproduction.run(stages, r, s -> {}));
        assertTrue(
                e.getMessage().contains("frustration-algorithm1")
                        && e.getMessage().contains("--shard 3/3"),
                e.getMessage());
        assertEquals("continue", Reproduction.state(alg1));
        Recorder again = new Recorder();
        Reproduction.run(stages, again, s -> {});
        assertTrue(again.calls.get(0).contains("3/3"), "graph and parts 1, 2 are not run again: " + again.calls.get(0));
        assertEquals("merge", again.calls.get(1).get(0));
    }

    @Test
    void partsCarryTheWholeRunsSeedsAndEveryStageIsACommandAUserCouldType(@TempDir Path dir) {
        List<Stage> stages = plan(dir, Preset.PAPER);
        Stage alg1 = stages.get(1);
        assertEquals(41, alg1.steps().size(), "80 restarts in 40 parts of 2, then the merge");
        for (int i = 0; i < 40; i++) {
            List<String> a = alg1.steps().get(i).args();
            assertEquals("80", a.get(a.indexOf("--restarts") + 1));
            assertEquals("1", a.get(a.indexOf("--seed") + 1));
            assertEquals((i + 1) + "/40", a.get(a.indexOf("--shard") + 1));
        }
        Stage he = stages.stream()
                .filter(s -> s.name().equals("nulls-n3-he"))
                .findFirst()
                .orElseThrow();
        assertTrue(he.steps().get(0).commandLine().startsWith("nnfrust experiment frustration zoo:squeezenet1.1"));
        assertTrue(he.steps().get(0).commandLine().contains("--seed 2"), "N3 He draws from seed + 1");
        assertThrows(
                NnfrustException.class,
                () -> ReproducePlan.stages(
                        new ReproducePlan.Options(
                                List.of("a/net.onnx", "b/net.onnx"),
                                ImportOptions.DEFAULT,
                                null,
                                Preset.QUICK,
                                1,
                                2,
                                dir),
                        Map.of()));
        assertEquals("resnet18_seed_3", ReproducePlan.slug("zoo:resnet18?seed=3"));
    }

    @Test
    void libraryJobsWriteTheirCommandLineAsProvenanceAndExperimentsGoToTheirRunner(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(8).toByteArray());
        var o = new ReproducePlan.Options(
                List.of(model.toString()), ImportOptions.DEFAULT, null, Preset.QUICK, 1, 2, dir.resolve("o"));
        List<Stage> stages = ReproducePlan.stages(o, Map.of());
        for (Stage s : stages) {
            for (Stage.Step step : s.steps()) {
                Files.createDirectories(step.output().getParent());
            }
        }
        List<ExperimentJob> experiments = new ArrayList<>();
        Reproduction.run(
                stages,
                Reproduction.executor((job, noNewWork) -> {
                    experiments.add(job);
                    try {
                        Files.writeString(job.output(), "{\"complete\": true}");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }),
                s -> {});
        assertEquals(
                List.of("nulls", "nulls-n3-he", "nulls-n3-xavier"),
                experiments.stream()
                        .map(j -> j.output().getFileName().toString().replace(".json", ""))
                        .toList());
        ObjectMapper m = new ObjectMapper();
        for (Stage s : stages.subList(0, 3)) {
            for (Stage.Step step : s.steps()) {
                JsonNode written = m.readTree(step.output().toFile());
                List<String> recorded = new ArrayList<>();
                written.path("provenance").path("commandLine").forEach(a -> recorded.add(a.asText()));
                List<String> expected = new ArrayList<>(List.of("nnfrust"));
                // a merge keeps the provenance of its best part and lists the parts it merged
                if (step instanceof RestartsMergeJob merge) {
                    expected.addAll(s.steps().get(0).args());
                    List<String> from = new ArrayList<>();
                    written.path("provenance").path("mergedFrom").forEach(a -> from.add(a.asText()));
                    assertEquals(merge.parts().stream().map(Path::toString).toList(), from);
                } else {
                    expected.addAll(step.args());
                }
                assertEquals(expected, recorded, step.commandLine());
            }
        }
        JsonNode best = m.readTree(stages.get(2).output().toFile());
        assertEquals(Preset.QUICK.bestRestarts(), best.path("epsilons").size());
        assertEquals("anneal", best.path("solver").asText());
        assertTrue(Files.isRegularFile(dir.resolve("o/net/frustration-best.spins")));
        assertEquals(
                model.toString(),
                m.readTree(stages.get(0).output().toFile()).path("source").asText());
    }
}
