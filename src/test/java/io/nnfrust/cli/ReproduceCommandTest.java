package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.report.ReportData;
import io.nnfrust.testing.GoldenFiles;
import io.nnfrust.testing.SharedData;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnfrust reproduce --preset quick} on the real SqueezeNet at 96x96 (small counts): every figure in the HTML,
 * PNG and SVG files and the Markdown; a run killed mid-way (a real process, SIGKILL) and restarted redoes no finished
 * stage and ends with the same JSON as an uninterrupted run; {@code report} redraws byte-identical files; the HTML
 * references nothing outside itself.
 */
class ReproduceCommandTest {
    /** Figures: Fig. 5a and 5b across models; per model the null models, the active subnetworks, the layer map and
     * the five of near-monotonicity. */
    static final int FIGURES = 2 + 3 + 5;

    static List<String> args(Path model, Path images, Path out) {
        return List.of(
                "reproduce",
                model.toString(),
                "--input-size",
                "96",
                "96",
                "--preset",
                "quick",
                "--images",
                images.toString(),
                "--preprocess",
                "caffe",
                "--active-images",
                "3",
                "--monotonicity-images",
                "4",
                "--perturbations",
                "8",
                "--threads",
                "2",
                "--out",
                out.toString(),
                "--quiet");
    }

    @Test
    void quickPresetKilledAndResumedEqualsAnUninterruptedRunAndTheReportRedrawsIdentically(@TempDir Path dir)
            throws Exception {
        Path model = SharedData.require("models/squeezenet1.1-caffe.onnx");
        Path images = SharedData.require("data/imagenet-sample");
        Path killed = dir.resolve("killed");
        // the figures print the stage commands, which name the output folder: a fixed folder keeps them comparable
        // with the golden copies byte for byte (a lock keeps two test runs on one machine apart)
        // and so do the model and photo paths: they are read through a link at a fixed place, since the shared
        // folder lies elsewhere on CI (/check/work/shared) than here
        Path fixed = Path.of("/tmp", "nnfrust-golden");
        Files.createDirectories(fixed);
        try (var channel =
                        FileChannel.open(fixed.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                var lock = channel.lock()) {
            Path whole = fixed.resolve("reproduce-quick");
            deleteTree(whole);
            Path shared = fixed.resolve("shared");
            Files.deleteIfExists(shared);
            Files.createSymbolicLink(shared, SharedData.root());
            wholeRun(
                    shared.resolve(SharedData.root().relativize(model)),
                    shared.resolve(SharedData.root().relativize(images)),
                    whole,
                    dir,
                    shared);
            deleteTree(whole);
        }
        kill(model, images, dir, killed);
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private void wholeRun(Path model, Path images, Path whole, Path dir, Path sharedLink) throws Exception {

        CliRun.Outcome o = CliRun.run(args(model, images, whole).toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("estimated time:"), "a plan with an estimate first: " + o.err());
        Path report = whole.resolve("report");
        String html = Files.readString(report.resolve("index.html"));
        List<Path> png = list(report.resolve("figures"), ".png"), svg = list(report.resolve("figures"), ".svg");
        assertEquals(FIGURES, png.size(), png.toString());
        assertEquals(FIGURES, svg.size(), svg.toString());
        assertEquals(FIGURES, count(html, "<img "), "every figure embedded once");
        for (Path p : png) {
            String stem = p.getFileName().toString().replace(".png", "");
            assertTrue(html.contains("id=\"" + stem + "\""), stem);
            assertTrue(Files.isRegularFile(report.resolve("figures").resolve(stem + ".svg")));
            byte[] b = Files.readAllBytes(p);
            assertEquals((byte) 0x89, b[0]);
            assertTrue(Files.readString(report.resolve("figures").resolve(stem + ".svg"))
                    .contains("<svg"));
        }
        assertNoExternalReference(html);
        String md = Files.readString(report.resolve("summary.md"));
        assertTrue(md.contains("## Table 1") && md.contains("Welch") && md.contains("Near-monotonicity"), md);
        assertEquals(FIGURES, count(md, "](figures/"));

        // the golden copies (written before the library redesign): same results, byte-identical SVG figures
        GoldenFiles golden = new GoldenFiles("reproduce-quick", whole).sharedAlias(sharedLink);
        Path sqOut = whole.resolve("squeezenet1.1-caffe");
        for (String f : ReportData.FILES) {
            if (Files.exists(sqOut.resolve(f))) {
                golden.add("squeezenet1.1-caffe/" + f);
            }
        }
        for (Path f : list(sqOut, ".spins")) {
            golden.add("squeezenet1.1-caffe/" + f.getFileName());
        }
        for (Path f : list(sqOut, ".csv")) {
            golden.add("squeezenet1.1-caffe/" + f.getFileName());
        }
        for (Path f : png) {
            golden.add("report/figures/" + f.getFileName());
        }
        for (Path f : svg) {
            golden.add("report/figures/" + f.getFileName());
        }
        golden.check();

        // redrawn from the JSON alone: byte-identical
        Map<String, byte[]> before = snapshot(report);
        CliRun.Outcome r = CliRun.run("report", whole.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, byte[]> after = snapshot(report);
        assertEquals(before.keySet(), after.keySet());
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k + " differs when redrawn"));

        // kept for the comparison with the killed run
        copyTree(whole, dir.resolve("whole"), sharedLink);
    }

    /** Copies the JSON results, with the folder's path and the shared folder's link moved along. */
    private static void copyTree(Path from, Path to, Path sharedLink) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else if (f.toString().endsWith(".json")) { // the results, with the folder's path moved along
                    Files.writeString(
                            t,
                            Files.readString(f)
                                    .replace(from.toString(), to.toString())
                                    .replace(
                                            sharedLink.toString(),
                                            SharedData.root().toString()));
                }
            }
        }
    }

    private void kill(Path model, Path images, Path dir, Path killed) throws Exception {
        Path whole = dir.resolve("whole");
        // killed (SIGKILL) while the null-model stage runs, then restarted
        Path stageManifest =
                killed.resolve("squeezenet1.1-caffe").resolve(".stages").resolve("nulls.json");
        Process p = subprocess(args(model, images, killed));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!Files.exists(stageManifest) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), "the run ended before the null-model stage began");
        Thread.sleep(300);
        p.destroyForcibly().waitFor();
        Path sq = killed.resolve("squeezenet1.1-caffe");
        assertFalse(Files.exists(sq.resolve("nulls.json")), "killed before the stage ended");
        Map<String, byte[]> finished = new TreeMap<>();
        Map<String, Long> times = new TreeMap<>();
        for (String f : List.of(
                "graph.json",
                "frustration-algorithm1.json",
                "frustration-algorithm1.spins",
                "frustration-best.json",
                "frustration-best.spins")) {
            finished.put(f, Files.readAllBytes(sq.resolve(f)));
            times.put(f, Files.getLastModifiedTime(sq.resolve(f)).toMillis());
        }
        CliRun.Outcome again = CliRun.run(args(model, images, killed).toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        for (String stage : List.of("graph", "frustration-algorithm1", "frustration-best")) {
            assertTrue(
                    again.err().contains("squeezenet1.1-caffe/" + stage + "] done with the same options: skipped"),
                    stage + " not skipped: " + again.err());
        }
        assertTrue(
                again.err().contains("squeezenet1.1-caffe/nulls]")
                        && again.err().contains("(continuing)"),
                again.err());
        finished.forEach((f, bytes) -> {
            try {
                assertArrayEquals(bytes, Files.readAllBytes(sq.resolve(f)), f + " rewritten");
                assertEquals(
                        times.get(f), Files.getLastModifiedTime(sq.resolve(f)).toMillis(), f + " rewritten");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        for (String f : ReportData.FILES) {
            JsonNode a = normalized(whole.resolve("squeezenet1.1-caffe").resolve(f), whole);
            JsonNode b = normalized(sq.resolve(f), killed);
            assertEquals(a, b, f + ": the killed and resumed run differs from the uninterrupted one");
        }
    }

    /** Bad input: one line, exit 2, nothing written. */
    @Test
    void badInputIsOneLine(@TempDir Path dir) {
        CliRun.assertOneErrorLine(
                CliRun.run(
                        "reproduce",
                        "zoo:squeezenet1.1",
                        "--out",
                        dir.resolve("o").toString(),
                        "--preset",
                        "fast"),
                "--preset 'fast'",
                "quick or paper");
        CliRun.assertOneErrorLine(
                CliRun.run(
                        "reproduce",
                        "zoo:squeezenet1.1",
                        "--out",
                        dir.resolve("o").toString(),
                        "--images",
                        dir.toString()),
                "--preprocess");
        CliRun.assertOneErrorLine(
                CliRun.run(
                        "reproduce",
                        "zoo:squeezenet1.1",
                        "--out",
                        dir.resolve("no/such/o").toString()),
                "does not exist");
        CliRun.assertOneErrorLine(
                CliRun.run(
                        "reproduce",
                        dir.resolve("missing.onnx").toString(),
                        "--out",
                        dir.resolve("o").toString()),
                "missing.onnx");
        CliRun.assertOneErrorLine(CliRun.run("report", dir.toString()), "holds no results", "reproduce");
        assertFalse(Files.exists(dir.resolve("o")));
    }

    static void assertNoExternalReference(String html) {
        assertFalse(
                html.contains("http:") || html.contains("https:") || html.contains("ftp:"),
                "an absolute URL in the HTML");
        Matcher m = Pattern.compile("(?i)(src|href|url)\\s*[=(]\\s*[\"']?([^\"' )>]*)")
                .matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
            assertTrue(
                    m.group(2).startsWith("data:") || m.group(2).startsWith("#"), "external reference: " + m.group());
        }
        assertTrue(n >= FIGURES);
        assertFalse(
                html.toLowerCase().contains("<script") || html.toLowerCase().contains("<link"),
                "no scripts or linked style sheets");
    }

    private static Process subprocess(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.nnfrust.cli.Main");
        cmd.addAll(args);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** A stage JSON with its run-specific parts removed: provenance, timings, and the output folder's path. */
    static JsonNode normalized(Path f, Path out) throws IOException {
        String text = Files.readString(f).replace(out.toString(), "OUT");
        JsonNode j = new ObjectMapper().readTree(text);
        strip(j);
        return j;
    }

    private static void strip(JsonNode j) {
        if (j instanceof ObjectNode o) {
            o.remove(List.of("provenance", "seconds", "wallSeconds", "secondsPerImage", "inference", "newImages"));
            o.forEach(ReproduceCommandTest::strip);
        } else if (j.isArray()) {
            j.forEach(ReproduceCommandTest::strip);
        }
    }

    private static List<Path> list(Path dir, String ext) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(ext)).sorted().toList();
        }
    }

    private static Map<String, byte[]> snapshot(Path report) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(report)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(report.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
