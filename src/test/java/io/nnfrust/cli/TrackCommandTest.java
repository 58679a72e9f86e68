package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnfrust track} and {@code report --track} end to end on the committed checkpoint series. */
class TrackCommandTest {
    static final Path DIR = Path.of("src/test/resources/track");

    static Object[] common() {
        return new Object[] {
            "track",
            DIR.resolve("series"),
            "--solver",
            "layered",
            "--restarts",
            "2",
            "--nulls",
            "N1",
            "--null-count",
            "1",
            "--images-idx",
            DIR.resolve("test-images-idx3-ubyte.gz"),
            "--labels-idx",
            DIR.resolve("test-labels-idx1-ubyte.gz"),
            "--seed",
            "3",
            "--threads",
            "2",
            "--quiet"
        };
    }

    @Test
    void trackWritesJsonAndCsvThatTheSingleModelCommandAgreesWith(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("t.json"), csv = tmp.resolve("t.csv");
        var o = CliRun.run(CliRun.args(CliRun.concat(common(), "--output", json, "--csv", csv)));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("epoch-0003.onnx"), o.out());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertTrue(doc.get("complete").asBoolean());
        assertEquals(3, doc.get("checkpoints").size());
        assertEquals(4, Files.readAllLines(csv).size());
        assertFalse(Files.exists(tmp.resolve(".t.json.jsonl.lock")), "the checkpoint lock is removed after the run");
        // experiment frustration on the last checkpoint with the same settings and seed: the same ε per solve
        Path single = tmp.resolve("single.json");
        var s = CliRun.run(CliRun.args(
                "experiment",
                "frustration",
                DIR.resolve("series/epoch-0003.onnx"),
                "--solver",
                "layered",
                "--replicas",
                "2",
                "--nulls",
                "N1",
                "--null-count",
                "1",
                "--seed",
                "3",
                "--threads",
                "1",
                "--quiet",
                "--output",
                single));
        assertEquals(0, s.code(), s.err());
        JsonNode a = new ObjectMapper().readTree(single.toFile()).get("results");
        JsonNode b = doc.get("checkpoints").get(2).get("results");
        assertEquals(a.size(), b.size());
        for (int k = 0; k < a.size(); k++) {
            assertEquals(
                    a.get(k).get("epsilon").asDouble(), b.get(k).get("epsilon").asDouble(), 0.0);
            assertEquals(a.get(k).get("seed").asLong(), b.get(k).get("seed").asLong());
        }
        // the report: drawn twice from the same JSON, byte-identical
        Path r1 = tmp.resolve("r1"), r2 = tmp.resolve("r2");
        assertEquals(
                0,
                CliRun.run("report", "--track", json.toString(), "--out", r1.toString())
                        .code());
        assertEquals(
                0,
                CliRun.run("report", "--track", json.toString(), "--out", r2.toString())
                        .code());
        for (String f : new String[] {"track.png", "track.svg", "track.md"}) {
            assertArrayEquals(Files.readAllBytes(r1.resolve(f)), Files.readAllBytes(r2.resolve(f)), f);
        }
        String md = Files.readString(r1.resolve("track.md"));
        assertTrue(
                md.contains("| 3 | "
                        + String.format(
                                Locale.ROOT,
                                "%.4f",
                                doc.get("checkpoints")
                                        .get(2)
                                        .get("accuracy")
                                        .get("top1Rate")
                                        .asDouble())),
                md);
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) throws Exception {
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args(CliRun.concat(common(), "--order", "size"))),
                "--order 'size' is not one of [given, name, epoch]");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args(
                        "track",
                        DIR.resolve("series"),
                        DIR.resolve("other"),
                        "--order",
                        "given",
                        "--restarts",
                        "2",
                        "--nulls",
                        "none",
                        "--quiet")),
                "has another architecture than");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args(
                        "track",
                        DIR.resolve("series"),
                        "--images-idx",
                        DIR.resolve("test-images-idx3-ubyte.gz"),
                        "--quiet")),
                "give --images-idx and --labels-idx together");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args(
                        "track",
                        DIR.resolve("series"),
                        "--images-idx",
                        DIR.resolve("test-labels-idx1-ubyte.gz"),
                        "--labels-idx",
                        DIR.resolve("test-labels-idx1-ubyte.gz"),
                        "--nulls",
                        "none",
                        "--quiet")),
                "is not an IDX image file");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args(CliRun.concat(common(), "--nulls", "N4"))),
                "--nulls 'N4' is not one of [n1, n2, n3]");
        Path missing = tmp.resolve("no/such/folder/t.json");
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args(CliRun.concat(common(), "--output", missing))), "--output");
        assertFalse(Files.exists(missing.getParent()));
        CliRun.assertOneErrorLine(
                CliRun.run(
                        "report",
                        "--track",
                        DIR.resolve("expected.json").toString(),
                        "--out",
                        tmp.resolve("r").toString()),
                "is not the JSON result of 'nnfrust track'");
        assertTrue(Arrays.asList(tmp.toFile().list()).isEmpty());
    }
}
