package io.nnfrust.cli;

import static io.nnfrust.cli.CliRun.args;
import static io.nnfrust.cli.CliRun.concat;
import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.Progress;
import io.nnfrust.util.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promises of docs/reliability.md that are not about malformed models (MalformedOnnxTest, ImportFuzzTest):
 * no silent wrong science, outputs checked before the work and written as one set, checkpoints protected line by
 * line, provenance in every output, progress, and the small things a new user hits (issue 12).
 */
@Timeout(120)
class ReliabilityTest {
    @TempDir
    Path dir;

    private Path model(String name, long seed) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, SmallOnnx.network(seed).toByteArray());
        return p;
    }

    private static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    // ---------------------------------------------------------------------------------- silent wrong science

    @Test
    void referenceOfAnotherModelSizeOrConventionIsRefused() throws Exception {
        Path a = model("a.onnx", 1), b = model("b.onnx", 2);
        Path images = SmallOnnx.images(dir.resolve("imgs"), 2, 5);
        Path ref = dir.resolve("ref.json");
        CliRun.Outcome f =
                CliRun.run(args("frustration", a, "--restarts", 2, "--initial-flips", 50, "--quiet", "--output", ref));
        assertEquals(0, f.code(), f.err());
        String[] active = {
            "experiment",
            "active",
            null,
            "--images",
            images.toString(),
            "--preprocess",
            "raw",
            "--resize",
            "8",
            "--solver",
            "layered",
            "--quiet",
            "--reference",
            ref.toString()
        };
        // another model with the same architecture (same node counts): refused by its SHA-256
        active[2] = b.toString();
        CliRun.assertOneErrorLine(CliRun.run(active), "--reference", "another model");
        // the same model under another convention: refused
        active[2] = a.toString();
        List<String> other = new ArrayList<>(List.of(active));
        other.addAll(List.of("--pool-weight", "max"));
        CliRun.assertOneErrorLine(CliRun.run(other.toArray(String[]::new)), "--pool-weight");
        // the same model, size and conventions: accepted, eps_R taken from the file
        Path out = dir.resolve("act.json");
        List<String> ok = new ArrayList<>(List.of(active));
        ok.addAll(List.of("--output", out.toString()));
        CliRun.Outcome o = CliRun.run(ok.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        assertEquals(
                json(ref).get("epsilonBest").asDouble(),
                json(out).get("epsilonR").asDouble());
        // a reference of another input size
        Path zooRef = dir.resolve("zoo.json");
        assertEquals(
                0,
                CliRun.run(args(
                                "frustration",
                                "zoo:squeezenet1.1",
                                "--input-size",
                                32,
                                32,
                                "--restarts",
                                1,
                                "--solver",
                                "layered",
                                "--quiet",
                                "--output",
                                zooRef))
                        .code());
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "experiment",
                        "active",
                        "zoo:squeezenet1.1",
                        "--input-size",
                        40,
                        40,
                        "--images",
                        images,
                        "--preprocess",
                        "raw",
                        "--resize",
                        48,
                        "--quiet",
                        "--reference",
                        zooRef)),
                "input 1x3x32x32",
                "1x3x40x40");
        // an eps_R that is no frustration
        for (String e : new String[] {"NaN", "-3", "0.7"}) {
            CliRun.assertOneErrorLine(
                    CliRun.run(args(
                            "experiment",
                            "active",
                            a,
                            "--images",
                            images,
                            "--preprocess",
                            "raw",
                            "--resize",
                            8,
                            "--epsilon-r",
                            e)),
                    "--epsilon-r",
                    "[0, 0.5]");
        }
    }

    @Test
    void spinsOfAnotherModelAreRefusedByContent() throws Exception {
        Path a = model("a.onnx", 1), b = model("b.onnx", 2);
        Path images = SmallOnnx.images(dir.resolve("imgs"), 2, 5);
        Path spins = dir.resolve("a.spins");
        assertEquals(
                0,
                CliRun.run(args("frustration", a, "--restarts", 1, "--initial-flips", 50, "--quiet", "--spins", spins))
                        .code());
        SpinFile s = SpinFile.read(spins);
        assertEquals(
                ModelLoader.sha256(Files.readAllBytes(a)),
                s.headerJson().get("model").get("sha256").asText());
        // b has exactly the node counts of a: only the identity in the header tells them apart
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "experiment",
                        "monotonicity",
                        b,
                        "--images",
                        images,
                        "--preprocess",
                        "raw",
                        "--resize",
                        8,
                        "--perturbations",
                        2,
                        "--nulls",
                        "none",
                        "--spins",
                        spins,
                        "--quiet")),
                "spin file",
                "another model");
        CliRun.Outcome ok = CliRun.run(args(
                "experiment",
                "monotonicity",
                a,
                "--images",
                images,
                "--preprocess",
                "raw",
                "--resize",
                8,
                "--perturbations",
                2,
                "--nulls",
                "none",
                "--spins",
                spins,
                "--quiet",
                "--json"));
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    void zooNetworksSayTheirWeightsAreRandom() throws Exception {
        CliRun.Outcome info = CliRun.run("info", "zoo:squeezenet1.1?seed=4&init=xavier", "--input-size", "32", "32");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("random xavier initialisation, seed 4 (zoo: not trained)"), info.out());
        CliRun.Outcome j = CliRun.run("info", "zoo:squeezenet1.1", "--input-size", "32", "32", "--json");
        JsonNode model = new ObjectMapper().readTree(j.out()).get("provenance").get("model");
        assertEquals(1, model.get("zoo").get("seed").asInt());
        assertEquals("he", model.get("zoo").get("init").asText());
        assertTrue(model.get("weights").asText().contains("not trained"));
        assertEquals(64, model.get("sha256").asText().length(), "zoo models get the hash of their generated ONNX");
        assertTrue(CliRun.run("zoo", "list").out().contains("random, not trained"));
        CliRun.Outcome fr = CliRun.run(
                "frustration",
                "zoo:squeezenet1.1",
                "--input-size",
                "32",
                "32",
                "--restarts",
                "1",
                "--solver",
                "layered",
                "--quiet");
        assertTrue(fr.out().contains("not trained"), fr.out());
    }

    // ---------------------------------------------------------------------------------- outputs

    @Test
    void everyOutputPathIsCheckedBeforeTheWorkAndNothingIsHalfWritten() throws Exception {
        Path a = model("a.onnx", 1);
        Path out = dir.resolve("r.json");
        Path missing = dir.resolve("no/such/folder");
        for (String opt : new String[] {"--spins", "--trace"}) {
            CliRun.Outcome o = CliRun.run(
                    args("frustration", a, "--restarts", 1, "--quiet", "--output", out, opt, missing.resolve("f")));
            CliRun.assertOneErrorLine(o, opt, "does not exist");
            assertFalse(o.err().contains("restart"), "no work was done: " + o.err());
            assertFalse(Files.exists(out), "no other output written");
        }
        CliRun.assertOneErrorLine(CliRun.run(args("frustration", a, "--output", dir)), "--output", "folder");
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "experiment",
                        "frustration",
                        a,
                        "--replicas",
                        2,
                        "--nulls",
                        "N1",
                        "--null-count",
                        1,
                        "--output",
                        out,
                        "--csv",
                        missing.resolve("x.csv"))),
                "--csv");
        assertFalse(Files.exists(out) || Files.exists(Path.of(out + ".jsonl")), "no checkpoint started");
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "experiment",
                        "frustration",
                        a,
                        "--replicas",
                        2,
                        "--nulls",
                        "N1",
                        "--null-count",
                        1,
                        "--checkpoint",
                        missing.resolve("cp.jsonl"))),
                "--checkpoint");
        Path images = SmallOnnx.images(dir.resolve("imgs"), 1, 5);
        Files.writeString(dir.resolve("plotfile"), "x");
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "experiment",
                        "monotonicity",
                        a,
                        "--images",
                        images,
                        "--preprocess",
                        "raw",
                        "--resize",
                        8,
                        "--plots",
                        dir.resolve("plotfile"))),
                "--plots",
                "not a folder");
        CliRun.assertOneErrorLine(
                CliRun.run(args(
                        "classify",
                        a,
                        "--images",
                        images,
                        "--preprocess",
                        "raw",
                        "--resize",
                        8,
                        "--csv",
                        missing.resolve("c.csv"))),
                "--csv");
        CliRun.assertOneErrorLine(CliRun.run(args("frustration", a, "--spins", out, "--output", out)), "also given");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void provenanceInEveryJsonAndSpinFile() throws Exception {
        Path a = model("a.onnx", 1);
        Path spins = dir.resolve("a.spins"), out = dir.resolve("a.json");
        CliRun.Outcome o = CliRun.run(args(
                "frustration",
                a,
                "--restarts",
                2,
                "--initial-flips",
                20,
                "--quiet",
                "--spins",
                spins,
                "--output",
                out,
                "--batchnorm",
                "node"));
        assertEquals(0, o.code(), o.err());
        JsonNode p = json(out).get("provenance");
        assertEquals(Provenance.SCHEMA_VERSION, p.get("schemaVersion").asInt());
        assertTrue(
                p.get("gitCommit").asText().matches("[0-9a-f]{40}|unknown"),
                p.get("gitCommit").asText());
        assertTrue(p.get("jdk").asText().startsWith(System.getProperty("java.runtime.version")));
        assertEquals(
                OrtEnvironment.getEnvironment().getVersion(),
                p.get("onnxRuntime").asText(),
                "the version of the ONNX Runtime library that is loaded");
        assertEquals(
                List.of("nnfrust", "frustration", a.toString()),
                List.of(
                        p.get("commandLine").get(0).asText(),
                        p.get("commandLine").get(1).asText(),
                        p.get("commandLine").get(2).asText()));
        assertEquals(
                "node", p.get("model").get("importOptions").get("batchNorm").asText());
        assertEquals(0, p.get("model").get("importOptions").get("inputHeight").asInt());
        assertTrue(!Instant.parse(p.get("end").asText())
                .isBefore(Instant.parse(p.get("start").asText())));
        JsonNode h = SpinFile.read(spins).headerJson();
        assertEquals(p.get("runId"), h.get("provenance").get("runId"), "the files of one run carry one run id");
        assertEquals(p.get("model"), h.get("model"));
        for (String[] cmd : new String[][] {{"info", a.toString(), "--json"}}) {
            JsonNode j = new ObjectMapper().readTree(CliRun.run(cmd).out());
            assertEquals(
                    Provenance.SCHEMA_VERSION,
                    j.get("provenance").get("schemaVersion").asInt());
            assertNotNull(j.get("provenance").get("model").get("sha256"));
        }
    }

    // ---------------------------------------------------------------------------------- checkpoints

    @Test
    void editedCheckpointLinesAreDroppedAndCounted() throws Exception {
        Path a = model("a.onnx", 1);
        Path cp = dir.resolve("cp.jsonl"), full = dir.resolve("full.json"), cut = dir.resolve("cut.json");
        Object[] common = {
            "experiment",
            "frustration",
            a,
            "--replicas",
            3,
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
        assertEquals(0, CliRun.run(args(concat(common, "--output", full))).code());
        assertEquals(
                0,
                CliRun.run(args(concat(common, "--output", cut, "--checkpoint", cp, "--stop-after", 3)))
                        .code());
        List<String> lines = new ArrayList<>(Files.readAllLines(cp));
        assertEquals(4, lines.size());
        // a hand edit of one result (its epsilon) and a line copied in from elsewhere
        lines.set(2, lines.get(2).replaceFirst("\"epsilon\":0\\.", "\"epsilon\":0.0"));
        lines.add(lines.get(1).replace("\"check\":\"", "\"check\":\"0"));
        Files.write(cp, lines);
        CliRun.Outcome r = CliRun.run(args(concat(common, "--output", cut, "--checkpoint", cp, "--resume")));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("dropped 2 of 4 result lines"), r.err());
        assertEquals(json(full).get("groups"), json(cut).get("groups"), "the dropped work ran again, same result");
        // --resume with nothing to resume says so
        CliRun.Outcome n = CliRun.run(args(concat(common, "--resume", "--json")));
        assertEquals(0, n.code());
        assertTrue(n.err().contains("--resume without --checkpoint or --output"), n.err());
    }

    // ---------------------------------------------------------------------------------- resources, progress

    @Test
    void aTinyFileDeclaringBillionsOfNodesIsRefusedAtOnce() throws Exception {
        Path mtx = dir.resolve("huge.mtx");
        Files.writeString(mtx, "%%MatrixMarket matrix coordinate real general\n2000000000 2000000000 1\n1 2 1.0\n");
        long t0 = System.nanoTime();
        CliRun.assertOneErrorLine(CliRun.run("frustration", mtx.toString()), "2,000,000,000 nodes", "GiB");
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "refused before allocating");
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertSame(oom, Main.outOfMemory(new IllegalStateException(new ExecutionException(oom))));
        assertNull(Main.outOfMemory(new IllegalStateException("x")));
        String line = Main.outOfMemoryLine(oom);
        assertTrue(
                line.startsWith("nnfrust: error: out of memory")
                        && line.contains("NNFRUST_JAVA_OPTS=-Xmx")
                        && !line.contains("\n"),
                line);
    }

    @Test
    void progressShowsDoneTotalAndEta() throws Exception {
        Path a = model("a.onnx", 1);
        CliRun.Outcome o = CliRun.run(args("frustration", a, "--restarts", 4, "--threads", 1, "--initial-flips", 20));
        assertTrue(o.err().contains("[1/4, ETA "), o.err());
        assertTrue(o.err().contains("[4/4]"), o.err());
        CliRun.Outcome one = CliRun.run(args("frustration", a, "--restarts", 1, "--threads", 1));
        assertTrue(one.err().contains("1 restart on 1 thread,"), one.err());
        Progress p = new Progress("x", 10, 4, 1, null);
        assertTrue(p.tick().startsWith("5/10, ETA "));
        assertEquals("12 min 5 s", Progress.duration(725));
        assertEquals("3 h 20 min", Progress.duration(12000));
    }

    // ---------------------------------------------------------------------------------- small things

    @Test
    void smallThingsANewUserHits() throws Exception {
        Path a = model("a.onnx", 1);
        Path images = SmallOnnx.images(dir.resolve("imgs"), 2, 5);
        CliRun.assertOneErrorLine(
                CliRun.run(args("classify", a, "--images", images.resolve("img00.png"), "--preprocess", "raw")),
                "is a file",
                "folder");
        CliRun.assertOneErrorLine(CliRun.run("info", "resnet18"), "zoo:resnet18");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        CliRun.assertOneErrorLine(
                CliRun.run(args("classify", a, "--images", empty, "--preprocess", "raw")),
                "holds no images",
                "1 other file");
        CliRun.Outcome unlabelled =
                CliRun.run(args("classify", a, "--images", images, "--preprocess", "raw", "--resize", 8, "-q"));
        assertEquals(0, unlabelled.code(), unlabelled.err());
        assertTrue(unlabelled.err().contains("no labelled images"), unlabelled.err());
        String help = CliRun.run("classify", "--help").out();
        assertTrue(help.replaceAll("\\s+", " ").contains("(0, the default: all)"), help);
        CliRun.Outcome active = CliRun.run("experiment", "active", "--help");
        assertFalse(active.out().contains("D.\n"), active.out());
    }
}
