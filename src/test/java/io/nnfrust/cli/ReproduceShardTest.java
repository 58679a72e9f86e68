package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.experiment.Checkpoint;
import io.nnfrust.report.ReportData;
import io.nnfrust.testing.SmallOnnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reproduce --shard K/N} in two rounds with {@code --merge-only} between and after (the cluster protocol of
 * docs/cluster.md) ends with the same JSON as one unsharded run, for N = 1, 2, 3 and 7 shards (7: more shards than
 * restart parts and images, so some shards have nothing to do in some stages).
 */
class ReproduceShardTest {
    @TempDir
    Path dir;

    private List<String> args(Path model, Path images, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "reproduce",
                model.toString(),
                "--preset",
                "quick",
                "--images",
                images.toString(),
                "--preprocess",
                "raw",
                "--resize",
                "8",
                "--restarts",
                "3",
                "--best-restarts",
                "3",
                "--active-images",
                "5",
                "--monotonicity-images",
                "5",
                "--perturbations",
                "4",
                "--threads",
                "1",
                "--out",
                out.toString(),
                "--quiet",
                "--no-report"));
        a.addAll(List.of(more));
        return a;
    }

    private static CliRun.Outcome run(List<String> a) {
        CliRun.Outcome o = CliRun.run(a.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        return o;
    }

    @Test
    void twoRoundsOfShardsMergedEqualOneRun() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(5).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 5, 3);
        Path whole = dir.resolve("whole");
        run(args(model, images, whole));
        for (int n : new int[] {1, 2, 3, 7}) { // 7: more shards than restart parts (3) and images (5)
            Path out = dir.resolve("sharded" + n);
            for (int k = 1; k <= n; k++) {
                CliRun.Outcome o = run(args(model, images, out, "--shard", k + "/" + n));
                assertTrue(
                        n == 1 || o.err().contains("waiting for"),
                        "the image stages wait for the merged spins: " + o.err());
            }
            CliRun.Outcome m1 = run(args(model, images, out, "--merge-only"));
            if (n > 1) {
                assertTrue(m1.err().contains("merged " + n + " of " + n + " shard checkpoints"), m1.err());
                assertTrue(m1.err().contains("incomplete"), "the image stages have no shards yet: " + m1.err());
                assertTrue(m1.err().contains("2 stages not complete"), m1.err());
            }
            for (int k = 1; k <= n; k++) {
                CliRun.Outcome o = run(args(model, images, out, "--shard", k + "/" + n));
                assertFalse(o.err().contains("waiting for"), o.err());
            }
            CliRun.Outcome m2 = run(args(model, images, out, "--merge-only"));
            assertFalse(m2.err().contains("not complete"), m2.err());
            for (String f : ReportData.FILES) {
                JsonNode a =
                        ReproduceCommandTest.normalized(whole.resolve("net").resolve(f), whole);
                JsonNode b = ReproduceCommandTest.normalized(out.resolve("net").resolve(f), out);
                assertEquals(a, b, f + " of " + n + " shards");
            }
        }
    }

    /**
     * Shard checkpoints of {@code reproduce} whose headers were edited (another command, an extra output, an
     * argument file) and every line re-signed: {@code --merge-only} runs nothing the files name and writes nowhere
     * but the run's own folder.
     */
    @Test
    void forgedShardHeadersCannotChooseWhatMergeOnlyRunsOrWhereItWrites() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(5).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 5, 3);
        Path out = dir.resolve("out");
        for (int k = 1; k <= 2; k++) {
            run(args(model, images, out, "--shard", k + "/2"));
        }
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "unrelated");
        List<Path> shards;
        try (var s = Files.list(out.resolve("net"))) {
            shards = s.filter(p -> p.getFileName().toString().matches(".*\\.shard-\\d-of-2\\.jsonl"))
                    .sorted()
                    .toList();
        }
        assertFalse(shards.isEmpty(), "the shards wrote checkpoints");
        for (Path p : shards) {
            List<String> lines = new ArrayList<>(Files.readAllLines(p));
            String header = lines.get(0)
                    .replace(
                            "[\"experiment\",",
                            "[\"zoo\",\"export\",\"squeezenet1.1\",\"" + victim + "\",\"experiment\",")
                    .replace("\"--threads\"", "\"--csv\",\"" + victim + "\",\"@" + victim + "\",\"--threads\"");
            assertTrue(!header.equals(lines.get(0)), "the forgery applies to " + p);
            List<String> forged = new ArrayList<>(List.of(header));
            for (int i = 1; i < lines.size(); i++) {
                String body = lines.get(i).substring(0, lines.get(i).lastIndexOf(",\"check\"")) + "}";
                forged.add(resign(header, body));
            }
            Files.write(p, forged);
        }
        Set<Path> before = files(dir);
        CliRun.Outcome o = CliRun.run(args(model, images, out, "--merge-only").toArray(String[]::new));
        assertEquals("unrelated", Files.readString(victim), "the victim file is untouched: " + o.err());
        for (Path p : files(dir)) {
            assertTrue(before.contains(p) || p.startsWith(out), "written outside the run's folder: " + p);
        }
    }

    private static Set<Path> files(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }

    private static String resign(String header, String body) throws Exception {
        var m = Checkpoint.class.getDeclaredMethod("sign", String.class, String.class);
        m.setAccessible(true);
        return (String) m.invoke(null, header, body);
    }
}
