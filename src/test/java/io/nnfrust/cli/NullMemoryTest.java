package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * N2 holds one float per learnable edge: a run whose N2 networks do not fit in the heap is refused up front in one
 * line with the estimate and the way out (a real JVM with a small heap: SqueezeNet's N2 needs 1.5 GB).
 */
class NullMemoryTest {
    @Test
    void n2ThatDoesNotFitIsRefusedBeforeAnySolve() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-Xmx300m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.nnfrust.cli.Main",
                "experiment",
                "frustration",
                "zoo:squeezenet1.1",
                "--replicas",
                "2",
                "--nulls",
                "N1,N2",
                "--null-count",
                "2",
                "--solver",
                "layered",
                "--threads",
                "2",
                "--quiet"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), out);
        List<String> errors =
                out.lines().filter(l -> l.startsWith("nnfrust: error:")).toList();
        assertEquals(1, errors.size(), out);
        assertTrue(
                errors.get(0).contains("2 null networks N2 built side by side (")
                        && errors.get(0).contains("learnable edges")
                        && errors.get(0).contains("-Xmx")
                        && errors.get(0).contains("--threads 1"),
                errors.get(0));
        assertTrue(!out.contains("replica"), "refused before any solve: " + out);
    }
}
