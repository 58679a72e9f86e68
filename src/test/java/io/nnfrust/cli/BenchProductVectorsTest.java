package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.testing.RandomNetworks;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nnfrust bench product --vectors}: one table row per model and R, one-line errors for bad values. */
class BenchProductVectorsTest {
    @TempDir
    Path dir;

    @Test
    void printsOneRowPerVectorCount() throws Exception {
        Path model = dir.resolve("r.onnx");
        Files.write(model, RandomNetworks.build(4, false).toByteArray());
        CliRun.Outcome o =
                CliRun.run("bench", "product", "--models", model.toString(), "--vectors", "1,3,8", "--repeat", "1");
        assertEquals(0, o.code(), o.err());
        long rows = o.out().lines().filter(l -> l.startsWith(model.toString())).count();
        assertEquals(3, rows, o.out());
        assertTrue(o.out().contains("dgemm limit 62.0e9"), o.out());
        assertTrue(
                o.out()
                        .lines()
                        .anyMatch(
                                l -> l.startsWith(model.toString()) && l.trim().endsWith("1.00x")),
                o.out());
    }

    @Test
    void badValuesGetOneLine() {
        CliRun.assertOneErrorLine(
                CliRun.run("bench", "product", "--models", "zoo:squeezenet1.1", "--vectors", "4,0"),
                "--vectors",
                "got 0");
        CliRun.assertOneErrorLine(CliRun.run("bench", "product", "--vectors", "-2"), "--vectors", "got -2");
        CliRun.assertOneErrorLine(CliRun.run("bench", "product", "--vectors", "100000"), "--vectors", "1..256");
        CliRun.assertOneErrorLine(CliRun.run("bench", "product", "--vectors", "4", "--dgemm", "0"), "--dgemm");
        CliRun.assertOneErrorLine(CliRun.run("bench", "product", "--repeat", "0"), "--repeat", "got 0");
    }
}
