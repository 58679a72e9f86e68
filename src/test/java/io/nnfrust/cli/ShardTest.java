package io.nnfrust.cli;

import static io.nnfrust.cli.CliRun.args;
import static io.nnfrust.cli.CliRun.concat;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.Checkpoint;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded experiments: N shards (N = 1, 2, 3 and 7, more than there are units of work), one of them killed
 * (--stop-after) and resumed, merged by 'nnfrust merge', then finished by the unsharded command with --resume:
 * the same groups, Welch tests and per-task results as one unsharded run (timing fields aside).
 */
class ShardTest {
    @TempDir
    Path dir;

    /**
     * Runs shard k of n of {@code common} with checkpoint {@code cp}; shard 1 of several is killed after one result
     * ({@code --stop-after 1}) and resumed, as a requeued job.
     */
    private static void runShard(Object[] common, int k, int n, Path cp) {
        if (k == 1 && n > 1) {
            assertEquals(
                    0,
                    CliRun.run(args(concat(common, "--shard", k + "/" + n, "--checkpoint", cp, "--stop-after", 1)))
                            .code());
            CliRun.Outcome r = CliRun.run(args(concat(common, "--shard", k + "/" + n, "--checkpoint", cp, "--resume")));
            assertEquals(0, r.code(), r.err());
        } else {
            CliRun.Outcome r = CliRun.run(args(concat(common, "--shard", k + "/" + n, "--checkpoint", cp)));
            assertEquals(0, r.code(), r.err());
        }
    }

    /** The JSON without timing and provenance: what must be identical. */
    private static JsonNode science(Path p) throws Exception {
        ObjectNode j = (ObjectNode) new ObjectMapper().readTree(p.toFile());
        j.remove("provenance");
        j.remove("wallSeconds");
        j.remove("secondsPerImage");
        for (JsonNode r : j.get("results")) {
            ((ObjectNode) r).remove("seconds");
        }
        return j;
    }

    @Test
    void shardedFrustrationExperimentMergesToTheUnshardedResult() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(4).toByteArray());
        Object[] common = {
            "experiment",
            "frustration",
            model,
            "--replicas",
            3,
            "--nulls",
            "N1,N3",
            "--null-count",
            2,
            "--solver",
            "layered",
            "--threads",
            1,
            "--seed",
            11,
            "--quiet"
        };
        Path whole = dir.resolve("whole.json"), wholeCsv = dir.resolve("whole.csv");
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--output", whole, "--csv", wholeCsv)))
                        .code());
        for (int n : new int[] {1, 2, 3, 7}) {
            List<String> cps = new ArrayList<>();
            for (int k = 1; k <= n; k++) {
                Path cp = dir.resolve("s" + n + "-" + k + ".jsonl");
                cps.add(cp.toString());
                runShard(common, k, n, cp);
            }
            Path merged = dir.resolve("merged" + n + ".jsonl");
            List<String> m = new ArrayList<>(List.of("merge", "--checkpoint", merged.toString()));
            m.addAll(cps);
            CliRun.Outcome mo = CliRun.run(m.toArray(String[]::new));
            assertEquals(0, mo.code(), mo.err());
            assertTrue(mo.out().contains("merged " + n + " of " + n + " shards: 11 results"), mo.out());
            Path out = dir.resolve("merged" + n + ".json");
            CliRun.Outcome fin = CliRun.run(args(concat(common, "--checkpoint", merged, "--resume", "--output", out)));
            assertEquals(0, fin.code(), fin.err());
            assertEquals(science(whole), science(out), n + " shards");
            // in one step: merge --output writes the result itself (the checkpoints name their command)
            Path direct = dir.resolve("direct" + n + ".json"), csv = dir.resolve("direct" + n + ".csv");
            List<String> d = new ArrayList<>(List.of("merge", "--output", direct.toString(), "--csv", csv.toString()));
            d.addAll(cps);
            CliRun.Outcome dm = CliRun.run(d.toArray(String[]::new));
            assertEquals(0, dm.code(), dm.err());
            assertEquals(science(whole), science(direct), n + " shards, merge --output");
            assertEquals(withoutSeconds(wholeCsv), withoutSeconds(csv), n + " shards, CSV");
            assertFalse(
                    Files.list(dir).anyMatch(p -> p.getFileName().toString().contains(".merged-")),
                    "the temporary merged checkpoint is removed");
        }
        // a missing shard with --allow-partial: the result of the shards there, marked incomplete, no new solve
        Path partial = dir.resolve("partial.json");
        CliRun.Outcome po =
                CliRun.run(args("merge", "--output", partial, "--allow-partial", dir.resolve("s3-1.jsonl")));
        assertEquals(0, po.code(), po.err());
        JsonNode pj = new ObjectMapper().readTree(partial.toFile());
        assertFalse(pj.path("complete").asBoolean(true));
        assertTrue(pj.path("solves").asInt() < pj.path("solvesPlanned").asInt(), pj.toString());
        assertTrue(po.out().contains("missing shards [2, 3]"), po.out());
    }

    /** A CSV without its seconds column (timings differ between runs). */
    private static List<String> withoutSeconds(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        int col = List.of(lines.get(0).split(",")).indexOf("seconds");
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            List<String> cells = new ArrayList<>(List.of(l.split(",", -1)));
            if (col >= 0) {
                cells.remove(col);
            }
            out.add(String.join(",", cells));
        }
        return out;
    }

    @Test
    void shardedImageExperimentsMergeToTheUnshardedResult() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(6).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 5, 2);
        // an image file that cannot be decoded: every run skips it and records nothing, so the merged result must
        // find it again (a result without it would say complete false and lose the skipped list)
        Files.writeString(images.resolve("img02b.png"), "not a PNG");
        Object[][] runs = {
            {
                "experiment",
                "active",
                model,
                "--images",
                images,
                "--preprocess",
                "raw",
                "--resize",
                8,
                "--solver",
                "layered",
                "--restarts",
                2,
                "--epsilon-r",
                0.4,
                "--threads",
                1,
                "--quiet"
            },
            {
                "experiment",
                "monotonicity",
                model,
                "--images",
                images,
                "--preprocess",
                "raw",
                "--resize",
                8,
                "--perturbations",
                4,
                "--nulls",
                "random-order",
                "--restarts",
                1,
                "--initial-flips",
                50,
                "--threads",
                1,
                "--quiet"
            }
        };
        for (Object[] common : runs) {
            String name = common[1].toString();
            Path whole = dir.resolve(name + "-whole.json");
            CliRun.Outcome w = CliRun.run(args(concat(common, "--output", whole)));
            assertEquals(0, w.code(), w.err());
            JsonNode wj = science(whole);
            assertTrue(wj.path("complete").asBoolean(), name + ": " + wj.path("complete"));
            assertEquals(1, wj.path("skipped").size(), name + ": " + wj.path("skipped"));
            assertTrue(
                    wj.path("skipped").toString().contains("img02b.png"),
                    wj.path("skipped").toString());
            for (int n : new int[] {1, 2, 3, 7}) { // 7 shards for 6 images (one unusable): one shard has none
                Path all = dir.resolve(name + "-all" + n + ".jsonl");
                List<String> m = new ArrayList<>(List.of("merge", "--checkpoint", all.toString()));
                for (int k = 1; k <= n; k++) {
                    Path cp = dir.resolve(name + "-" + n + "-" + k + ".jsonl");
                    runShard(common, k, n, cp);
                    m.add(cp.toString());
                }
                CliRun.Outcome mo = CliRun.run(m.toArray(String[]::new));
                assertEquals(0, mo.code(), mo.err());
                assertTrue(mo.out().contains("5 results"), mo.out());
                Path out = dir.resolve(name + "-merged" + n + ".json");
                CliRun.Outcome fin = CliRun.run(args(concat(common, "--checkpoint", all, "--resume", "--output", out)));
                assertEquals(0, fin.code(), fin.err());
                JsonNode a = science(whole), b = science(out);
                ((ObjectNode) a).remove("inference");
                ((ObjectNode) b).remove("inference");
                ((ObjectNode) a).remove("newImages");
                ((ObjectNode) b).remove("newImages");
                assertEquals(a, b, name + ", " + n + " shards");
                List<String> d = new ArrayList<>(List.of(
                        "merge",
                        "--output",
                        dir.resolve(name + "-direct" + n + ".json").toString()));
                d.addAll(m.subList(3, m.size()));
                CliRun.Outcome dm = CliRun.run(d.toArray(String[]::new));
                assertEquals(0, dm.code(), dm.err());
                JsonNode c = science(dir.resolve(name + "-direct" + n + ".json"));
                ((ObjectNode) c).remove("inference");
                ((ObjectNode) c).remove("newImages");
                assertEquals(a, c, name + ", " + n + " shards, merge --output");
            }
        }
    }

    @Test
    void shardedRestartsOfFrustrationMergeToTheUnshardedResult() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(8).toByteArray());
        Object[] common = {
            "frustration",
            model,
            "--restarts",
            5,
            "--solver",
            "algorithm1",
            "--initial-flips",
            100,
            "--seed",
            3,
            "--threads",
            1,
            "--map",
            "--quiet"
        };
        Path whole = dir.resolve("f-whole.json"), wholeSpins = dir.resolve("f-whole.spins");
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--output", whole, "--spins", wholeSpins)))
                        .code());
        ObjectMapper om = new ObjectMapper();
        for (int n : new int[] {1, 2, 3, 7}) {
            List<String> m = new ArrayList<>(List.of(
                    "merge",
                    "--output",
                    dir.resolve("f" + n + ".json").toString(),
                    "--spins",
                    dir.resolve("f" + n + ".spins").toString()));
            for (int k = 1; k <= n; k++) {
                Path o = dir.resolve("f" + n + "-" + k + ".json"), sp = dir.resolve("f" + n + "-" + k + ".spins");
                CliRun.Outcome r =
                        CliRun.run(args(concat(common, "--shard", k + "/" + n, "--output", o, "--spins", sp)));
                assertEquals(0, r.code(), r.err());
                m.add(o.toString());
            }
            CliRun.Outcome mo = CliRun.run(m.toArray(String[]::new));
            assertEquals(0, mo.code(), mo.err());
            JsonNode a = om.readTree(whole.toFile()),
                    b = om.readTree(dir.resolve("f" + n + ".json").toFile());
            for (String f : new String[] {
                "epsilonBest",
                "epsilonMean",
                "epsilonSd",
                "bestRestart",
                "epsilons",
                "localMinimum",
                "structurallyBalanced",
                "graph",
                "frustrationMap",
                "solver",
                "weights"
            }) {
                assertEquals(a.get(f), b.get(f), f + ", " + n + " shards");
            }
            for (int i = 0; i < 5; i++) {
                ObjectNode x = (ObjectNode) a.get("restarts").get(i).deepCopy(),
                        y = (ObjectNode) b.get("restarts").get(i).deepCopy();
                x.remove("seconds");
                y.remove("seconds");
                assertEquals(x, y, "restart " + i + ", " + n + " shards");
            }
            assertArrayEquals(
                    SpinFile.read(wholeSpins).spins(),
                    SpinFile.read(dir.resolve("f" + n + ".spins")).spins());
        }
        CliRun.assertOneErrorLine(CliRun.run(args(concat(common, "--shard", "1/2"))), "--shard 1/2 needs --output");
        Path o1 = dir.resolve("f2-1.json");
        CliRun.assertOneErrorLine(
                CliRun.run(args("merge", "--output", dir.resolve("x.json"), o1)), "shard [2] of 2 missing");
    }

    @Test
    void mergeRefusesMixedRunsDuplicatesAndMissingShards() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(4).toByteArray());
        Object[] common = {
            "experiment",
            "frustration",
            model,
            "--replicas",
            2,
            "--nulls",
            "N1",
            "--null-count",
            1,
            "--solver",
            "layered",
            "--threads",
            1,
            "--quiet"
        };
        Path a = dir.resolve("a.jsonl"), b = dir.resolve("b.jsonl"), other = dir.resolve("o.jsonl");
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--seed", 1, "--shard", "1/2", "--checkpoint", a)))
                        .code());
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--seed", 1, "--shard", "2/2", "--checkpoint", b)))
                        .code());
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--seed", 2, "--shard", "2/2", "--checkpoint", other)))
                        .code());
        Path out = dir.resolve("m.jsonl");
        CliRun.assertOneErrorLine(CliRun.run(args("merge", "--checkpoint", out, a, other)), "other options");
        CliRun.assertOneErrorLine(CliRun.run(args("merge", "--checkpoint", out, a, a)), "given twice");
        CliRun.assertOneErrorLine(CliRun.run(args("merge", "--checkpoint", out, a)), "shard 2 of 2 missing");
        CliRun.Outcome partial = CliRun.run(args("merge", "--checkpoint", out, "--allow-partial", a));
        assertEquals(0, partial.code(), partial.err());
        assertTrue(partial.out().contains("missing shards [2]"), partial.out());
        // a result copied into another shard's checkpoint (re-checked so that only the duplicate is wrong)
        List<String> la = Files.readAllLines(a), lb = new ArrayList<>(Files.readAllLines(b));
        String body = la.get(1).substring(0, la.get(1).lastIndexOf(",\"check\"")) + "}";
        lb.add(Checkpoint.class.getName().isEmpty() ? "" : resign(lb.get(0), body));
        Path dup = dir.resolve("dup.jsonl");
        Files.write(dup, lb);
        CliRun.assertOneErrorLine(CliRun.run(args("merge", "--checkpoint", out, a, dup)), "appears in");
        // another nnfrust version
        List<String> lv = new ArrayList<>(Files.readAllLines(b));
        lv.set(0, lv.get(0).replaceFirst("\"nnfrust\":\"[^\"]*\"", "\"nnfrust\":\"0.0.1\""));
        Path ver = dir.resolve("ver.jsonl");
        Files.write(ver, lv);
        CliRun.assertOneErrorLine(CliRun.run(args("merge", "--checkpoint", out, a, ver)), "nnfrust 0.0.1");
        // a shard needs a checkpoint; a shard's checkpoint is not resumed by another shard
        CliRun.assertOneErrorLine(CliRun.run(args(concat(common, "--shard", "1/2"))), "--shard 1/2 needs");
        CliRun.assertOneErrorLine(
                CliRun.run(args(concat(common, "--seed", 1, "--shard", "2/2", "--checkpoint", a, "--resume"))),
                "belongs to shard 1/2");
        // an output that is one of the shards (or a shard's spin file) is refused before anything is read
        byte[] shardA = Files.readAllBytes(a);
        for (String option : List.of("--output", "--csv", "--checkpoint")) {
            List<String> m = new ArrayList<>(
                    List.of("merge", "--output", dir.resolve("r.json").toString()));
            if (option.equals("--output")) {
                m.set(2, a.toString());
            } else {
                m.addAll(List.of(option, a.toString()));
            }
            m.addAll(List.of(a.toString(), b.toString()));
            CliRun.assertOneErrorLine(CliRun.run(m.toArray(String[]::new)), option + " " + a, "is also a shard");
        }
        assertArrayEquals(shardA, Files.readAllBytes(a), "the shard is untouched");
        // a merge that fails while building the result writes nothing: not even the merged checkpoint
        Path fresh = dir.resolve("fresh.jsonl"), result = dir.resolve("fresh.json");
        Path moved = dir.resolve("net-moved.onnx");
        Files.move(model, moved);
        try {
            CliRun.assertOneErrorLine(
                    CliRun.run(args("merge", "--checkpoint", fresh, "--output", result, a, b)), "net.onnx");
        } finally {
            Files.move(moved, model);
        }
        assertFalse(Files.exists(fresh), "a merged checkpoint written by a failed merge");
        assertFalse(Files.exists(result));
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith(".fresh") || n.contains(".tmp"))
                            .toList(),
                    "temporary files left behind");
        }
        // a header line that is not JSON: one line naming the file, not a word about older versions
        List<String> broken = new ArrayList<>(Files.readAllLines(a));
        broken.set(0, "{\"type\":\"header\", this is not JSON");
        Path bad = dir.resolve("bad.jsonl");
        Files.write(bad, broken);
        CliRun.Outcome bo = CliRun.run(args("merge", "--output", result, bad, b));
        CliRun.assertOneErrorLine(bo, "header line of " + bad);
        assertFalse(bo.err().contains("older"), bo.err());
    }

    /**
     * A header whose recorded command was edited and every line re-signed: the command is provenance text only,
     * so merge runs nothing it names and writes only the outputs given to merge, the same result as the honest
     * shards; a header naming a study that merge does not know is refused in one line.
     */
    @Test
    void aForgedShardHeaderCannotChooseWhatMergeRunsOrWhereItWrites() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(4).toByteArray());
        Object[] common = {
            "experiment",
            "frustration",
            model,
            "--replicas",
            2,
            "--nulls",
            "N1",
            "--null-count",
            1,
            "--solver",
            "layered",
            "--threads",
            1,
            "--quiet",
            "--seed",
            1
        };
        Path a = dir.resolve("fa.jsonl"), b = dir.resolve("fb.jsonl");
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--shard", "1/2", "--checkpoint", a)))
                        .code());
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--shard", "2/2", "--checkpoint", b)))
                        .code());
        Path honest = dir.resolve("honest.json");
        assertEquals(0, CliRun.run(args("merge", "--output", honest, a, b)).code());
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "unrelated");
        String[][] forgeries = {
            {"\"--solver\",\"layered\"", "\"--solver\",\"layered\",\"--csv\",\"" + victim + "\""},
            {"\"--solver\",\"layered\"", "\"--solver\",\"layered\",\"--output=" + victim + "\""},
            {"\"--solver\",\"layered\"", "\"--solver\",\"layered\",\"@" + victim + "\""},
            {"[\"experiment\",\"frustration\"", "[\"zoo\",\"export\",\"squeezenet1.1\",\"" + victim + "\""},
        };
        for (String[] f : forgeries) {
            List<Path> forged = forge(List.of(a, b), f[0], f[1]);
            Set<Path> before = files();
            Path json = dir.resolve("merged.json");
            CliRun.Outcome o = CliRun.run(args("merge", "--output", json, forged.get(0), forged.get(1)));
            assertEquals(0, o.code(), o.err());
            assertEquals("unrelated", Files.readString(victim), f[1]);
            Set<Path> after = files();
            after.removeAll(before);
            assertEquals(Set.of(json), after, "merge wrote only its --output: " + f[1]);
            assertEquals(science(honest), science(json), f[1]);
            Files.delete(json);
        }
        // a study merge does not know
        List<Path> forged = forge(List.of(a, b), "\"study\":\"frustration\"", "\"study\":\"zoo\"");
        Path json = dir.resolve("merged.json");
        CliRun.Outcome o = CliRun.run(args("merge", "--output", json, forged.get(0), forged.get(1)));
        CliRun.assertOneErrorLine(o, "names the study 'zoo'", "not one of those merge combines");
        assertEquals("unrelated", Files.readString(victim));
        assertTrue(!Files.exists(json), "nothing written");
        assertFalse(
                Files.readString(Path.of("src/main/java/io/nnfrust/cli/MergeCommand.java"))
                        .contains("runInProcess"),
                "merge runs no command line for the studies with a library merge");
    }

    @Test
    void aForgedImageStudyHeaderIsProvenanceOnly() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(6).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 4, 2);
        Object[] common = {
            "experiment",
            "active",
            model,
            "--images",
            images,
            "--preprocess",
            "raw",
            "--resize",
            8,
            "--solver",
            "layered",
            "--restarts",
            2,
            "--epsilon-r",
            0.4,
            "--threads",
            1,
            "--quiet"
        };
        Path a = dir.resolve("aa.jsonl"), b = dir.resolve("ab.jsonl");
        runShard(common, 1, 2, a);
        runShard(common, 2, 2, b);
        Path honest = dir.resolve("honest-active.json");
        CliRun.Outcome h = CliRun.run(args("merge", "--output", honest, a, b));
        assertEquals(0, h.code(), h.err());
        Path victim = dir.resolve("victim-active.txt");
        Files.writeString(victim, "unrelated");
        // the recorded command names another eps_R and a file to write: neither is read
        List<Path> forged =
                forge(List.of(a, b), "\"--epsilon-r\",\"0.4\"", "\"--epsilon-r\",\"0.1\",\"--csv\",\"" + victim + "\"");
        Set<Path> before = files();
        Path json = dir.resolve("merged-active.json");
        CliRun.Outcome o = CliRun.run(args("merge", "--output", json, forged.get(0), forged.get(1)));
        assertEquals(0, o.code(), o.err());
        assertEquals("unrelated", Files.readString(victim));
        Set<Path> after = files();
        after.removeAll(before);
        assertEquals(Set.of(json), after, "merge wrote only its --output");
        assertEquals(science(honest), science(json));
        assertEquals(0.4, science(json).path("epsilonR").asDouble(), "eps_R from the shards' headers");
        // shards that compared with different eps_R values are not one run
        List<Path> other = forge(List.of(b), "\"value\":0.4", "\"value\":0.3");
        CliRun.Outcome mixed = CliRun.run(args("merge", "--output", json, a, other.get(0)));
        CliRun.assertOneErrorLine(mixed, "compared with eps_R", "merge only the shards of one run");
    }

    /** Copies of {@code shards} with {@code from} replaced by {@code to} in their headers, every line re-signed. */
    private List<Path> forge(List<Path> shards, String from, String to) throws Exception {
        List<Path> forged = new ArrayList<>();
        for (Path p : shards) {
            List<String> lines = new ArrayList<>(Files.readAllLines(p));
            String header = lines.get(0).replace(from, to);
            assertTrue(!header.equals(lines.get(0)), "the forgery applies: " + to);
            List<String> out = new ArrayList<>(List.of(header));
            for (int i = 1; i < lines.size(); i++) {
                String body = lines.get(i).substring(0, lines.get(i).lastIndexOf(",\"check\"")) + "}";
                out.add(resign(header, body));
            }
            Path q = dir.resolve("forged-" + p.getFileName());
            Files.write(q, out);
            forged.add(q);
        }
        return forged;
    }

    private Set<Path> files() throws Exception {
        try (var s = Files.list(dir)) {
            return s.collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static String resign(String header, String body) throws Exception {
        var m = Checkpoint.class.getDeclaredMethod("sign", String.class, String.class);
        m.setAccessible(true);
        return (String) m.invoke(null, header, body);
    }

    @Test
    void aCheckpointIsWrittenByOneRunAtATime() throws Exception {
        Path cp = dir.resolve("c.jsonl");
        ObjectMapper m = new ObjectMapper();
        String header = Checkpoint.header(m, m.createObjectNode().put("x", 1));
        try (Checkpoint first = Checkpoint.open(cp, header, false, new ArrayList<>())) {
            NnfrustException e =
                    assertThrows(NnfrustException.class, () -> Checkpoint.open(cp, header, true, new ArrayList<>()));
            assertTrue(e.getMessage().contains("being written by another run"), e.getMessage());
            first.append("{\"k\":1}");
        }
        assertFalse(Files.exists(dir.resolve(".c.jsonl.lock")), "the lock file is removed");
        try (Checkpoint again = Checkpoint.open(cp, header, true, new ArrayList<>())) {
            assertEquals(1, again.kept(), "released at the end of the first run");
            assertTrue(Files.exists(dir.resolve(".c.jsonl.lock")), "held while the run writes");
        }
        assertFalse(Files.exists(dir.resolve(".c.jsonl.lock")));
    }

    @Test
    void ownedOfCountsTheShardsUnits() {
        for (int n = 1; n <= 7; n++) {
            for (int k = 1; k <= n; k++) {
                Shard s = new Shard(k, n);
                for (int units = 0; units <= 20; units++) {
                    final int u = units;
                    assertEquals(IntStream.range(0, u).filter(s::owns).count(), s.ownedOf(u), s + " of " + u);
                }
            }
        }
    }

    @Test
    void shardsFromTheSlurmArrayEnvironment() {
        assertEquals(
                new Shard(2, 3),
                Shard.parse(
                        "slurm",
                        Map.of("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_MAX", "3")));
        assertEquals(
                new Shard(1, 3),
                Shard.parse(
                        "slurm",
                        Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_MAX", "2")));
        assertEquals(
                new Shard(3, 4),
                Shard.parse("slurm", Map.of("SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_COUNT", "4")));
        assertTrue(assertThrows(NnfrustException.class, () -> Shard.parse("slurm", Map.of()))
                .getMessage()
                .contains("SLURM_ARRAY_TASK_ID is not set"));
        assertThrows(
                NnfrustException.class,
                () -> Shard.parse(
                        "slurm",
                        Map.of(
                                "SLURM_ARRAY_TASK_ID",
                                "1",
                                "SLURM_ARRAY_TASK_MIN",
                                "1",
                                "SLURM_ARRAY_TASK_MAX",
                                "7",
                                "SLURM_ARRAY_TASK_COUNT",
                                "4")));
        assertEquals(new Shard(2, 8), Shard.parse("2/8", Map.of()));
        assertThrows(NnfrustException.class, () -> Shard.parse("9/8", Map.of()));
        assertThrows(NnfrustException.class, () -> Shard.parse("0/8", Map.of()));
        assertThrows(NnfrustException.class, () -> Shard.parse("two", Map.of()));
        assertEquals(Shard.ALL, Shard.parse(null, Map.of()));
        Shard s = new Shard(2, 3);
        assertTrue(s.owns(1) && s.owns(4) && !s.owns(0) && !s.owns(2));
    }
}
