package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.testing.RandomNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnfrust bench null}, {@code bench product --null} and {@code bench inference} through the command line: null kinds parsed to
 * {@code NullKind} (a bad one is a one-line error), the inference baseline built by the library.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path model = dir.resolve("r.onnx");
        Files.write(model, RandomNetworks.build(4, false).toByteArray());
        return model;
    }

    @Test
    void unknownNullKindsAreOneLineErrors() {
        CliRun.assertOneErrorLine(
                CliRun.run("bench", "null", "--models", "zoo:squeezenet1.1", "--nulls", "N1,N4"),
                "--nulls",
                "'N4' is not a null model",
                "use N1, N2 or N3");
        CliRun.assertOneErrorLine(CliRun.run("bench", "null", "--nulls", "he"), "'he' is not a null model");
    }

    @Test
    void nullKindsAreCaseInsensitiveAndEachGetsOneRow() throws Exception {
        Path model = model();
        CliRun.Outcome o = CliRun.run("bench", "null", "--models", model.toString(), "--nulls", "n1,N3");
        assertEquals(0, o.code(), o.err());
        assertEquals(1, o.out().lines().filter(l -> row(l, model, "N1")).count(), o.out());
        assertEquals(1, o.out().lines().filter(l -> row(l, model, "N3")).count(), o.out());
        assertEquals(0, o.out().lines().filter(l -> row(l, model, "N2")).count(), o.out());
    }

    @Test
    void productsOnANullNetwork() throws Exception {
        Path model = model();
        CliRun.Outcome o = CliRun.run(
                "bench", "product", "--models", model.toString(), "--null", "n2", "--vectors", "1,4", "--repeat", "1");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().lines().findFirst().orElseThrow().endsWith(", null network N2 seed 1"), o.out());
        assertEquals(
                2, o.out().lines().filter(l -> l.startsWith(model.toString())).count(), o.out());
        CliRun.assertOneErrorLine(
                CliRun.run("bench", "product", "--models", model.toString(), "--null", "N4"),
                "--null",
                "'N4' is not a null model");
    }

    private static boolean row(String line, Path model, String kind) {
        String[] cells = line.trim().split("\\s+");
        return cells.length > 1 && cells[0].equals(model.toString()) && cells[1].equals(kind);
    }

    /** (RandomNetworks hard-codes batch 1 in a Reshape, so one image per call.) */
    @Test
    void inferenceTimesPlainOnnxRuntimeAndTheSession() throws Exception {
        Path model = model();
        CliRun.Outcome o = CliRun.run(
                "bench",
                "inference",
                model.toString(),
                "--batch",
                "1",
                "--images",
                "3",
                "--repeat",
                "1",
                "--threads",
                "1");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith(model + ": 3 images per pass, batch 1, 1 ONNX Runtime threads"), o.out());
        assertTrue(o.out().contains("plain ONNX Runtime"), o.out());
        assertTrue(o.out().contains("% overhead)"), o.out());
        CliRun.assertOneErrorLine(
                CliRun.run("bench", "inference", model.toString(), "--batch", "4", "--images", "2"),
                "images must be >= batch (4), got 2");
        CliRun.assertOneErrorLine(
                CliRun.run("bench", "inference", model.toString(), "--repeat", "0"), "repeat must be >= 1, got 0");
    }
}
