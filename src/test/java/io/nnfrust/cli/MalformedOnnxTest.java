package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.testing.MalformedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every crafted malformed model of {@code src/test/resources/malformed} (a zero, negative or inconsistent weight
 * dimension, zero strides or dilations, a zero pooling kernel, a bad Transpose perm, NaN or infinite weights, short
 * raw data) ends in one line naming the defect, exit code 2, for {@code info} and {@code frustration}.
 */
@Timeout(60)
class MalformedOnnxTest {
    static final Path DIR = Path.of("src/test/resources/malformed");

    @TestFactory
    Stream<DynamicTest> eachCraftedModelGivesOneLine() {
        return MalformedModels.cases().entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    Path p = DIR.resolve(e.getKey() + ".onnx");
                    assertTrue(Files.isRegularFile(p), p + " missing: run MalformedModels.main");
                    for (String cmd : new String[] {"info", "frustration"}) {
                        CliRun.Outcome o = CliRun.run(cmd, p.toString(), "--restarts", "1");
                        if (cmd.equals("info")) {
                            o = CliRun.run(cmd, p.toString());
                        }
                        CliRun.assertOneErrorLine(o, e.getValue().fragments());
                    }
                }));
    }

    @Test
    void committedFilesAreWhatTheGeneratorMakes() throws Exception {
        var cases = MalformedModels.cases();
        try (var files = Files.list(DIR)) {
            assertEquals(
                    cases.size(),
                    files.filter(f -> f.toString().endsWith(".onnx")).count());
        }
        for (var e : cases.entrySet()) {
            assertArrayEquals(
                    e.getValue().model().toByteArray(),
                    Files.readAllBytes(DIR.resolve(e.getKey() + ".onnx")),
                    e.getKey());
        }
    }
}
