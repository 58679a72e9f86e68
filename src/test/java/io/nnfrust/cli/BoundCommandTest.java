package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.bounds.Certificate;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnfrust bound} end to end on a small CNN, its certificate checked by scripts/verify_bound.py (NumPy and
 * SciPy, independent of nnfrust: the explicit matrix from export-mtx and its exact smallest eigenvalue).
 */
class BoundCommandTest {
    /** Three convolutions on 8x8 with 4-8 channels, max pooling, a dense layer: a CNN-like signed graph. */
    static Path smallCnn(Path dir, long seed) throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("cnn", seed, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 8, 8);
        String c1 = b.relu(b.conv("c1", x, 4, 3, 1, 1, 1, true));
        String c2 = b.relu(b.conv("c2", c1, 8, 3, 1, 1, 1, true));
        String p = b.maxPool(c2, 2, 2, 0, false);
        String c3 = b.relu(b.conv("c3", p, 8, 3, 1, 1, 1, true));
        Path f = dir.resolve("cnn" + seed + ".onnx");
        Files.write(f, b.build(b.gemm("fc", b.flatten(c3), 4)).toByteArray());
        return f;
    }

    @Test
    void theCertificateIsCheckedIndependentlyBySciPy(@TempDir Path tmp) throws Exception {
        Path model = smallCnn(tmp, 3);
        Path cert = tmp.resolve("c.npz"), json = tmp.resolve("b.json"), state = tmp.resolve("sdp.state");
        var o = CliRun.run(CliRun.args(
                "bound",
                model,
                "--solver",
                "layered",
                "--restarts",
                "2",
                "--certificate",
                cert,
                "--output",
                json,
                "--state",
                state,
                "--threads",
                "2",
                "--quiet"));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().startsWith("eps in ["), o.out());
        assertFalse(Files.exists(state), "the SDP state is removed when the run ends");
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        double lo = j.get("epsilonLower").asDouble(), hi = j.get("epsilonUpper").asDouble();
        assertTrue(lo > 0.5 * hi && lo <= hi, lo + " " + hi);
        assertEquals(lo, Certificate.read(cert).recomputedBound(), 0.0);
        // thread count does not change the result
        Path json1 = tmp.resolve("b1.json");
        assertEquals(
                0,
                CliRun.run(CliRun.args(
                                "bound",
                                model,
                                "--solver",
                                "layered",
                                "--restarts",
                                "2",
                                "--output",
                                json1,
                                "--threads",
                                "1",
                                "--quiet"))
                        .code());
        JsonNode j1 = new ObjectMapper().readTree(json1.toFile());
        assertEquals(lo, j1.get("epsilonLower").asDouble(), 0.0);
        assertEquals(hi, j1.get("epsilonUpper").asDouble(), 0.0);

        Path mtx = tmp.resolve("a.mtx");
        assertEquals(0, CliRun.run(CliRun.args("export-mtx", model, mtx)).code());
        boolean scipy = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy, scipy.sparse.linalg, scipy.io")
                        .start()
                        .waitFor()
                == 0;
        Assumptions.assumeTrue(
                scipy,
                "SKIPPED the SciPy check: /usr/bin/python3 with numpy and scipy is absent "
                        + "(Debian: python3-scipy)");
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/verify_bound.py", mtx.toString(), cert.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(4, out.lines().filter(l -> l.startsWith("PASS")).count(), out);
        // a forged claim (a higher lambda bound, the bound recomputed to match) fails the independent check
        Certificate c = Certificate.read(cert);
        var sc = new LinkedHashMap<>(c.scalars());
        sc.put("lambdaLowerBound", c.scalar("theta") + 0.05);
        sc.put(
                "epsilonLower",
                DualBound.epsilon(
                        DualBound.sum(c.y()),
                        c.scalar("theta") + 0.05,
                        DualBound.sum(c.p()),
                        c.scalar("absWeightSum")));
        Path forged = tmp.resolve("forged.npz");
        try (var os = Files.newOutputStream(forged)) {
            new Certificate(c.y(), c.p(), sc, c.meta()).write(os);
        }
        Process q = new ProcessBuilder("/usr/bin/python3", "scripts/verify_bound.py", mtx.toString(), forged.toString())
                .redirectErrorStream(true)
                .start();
        String outQ = new String(q.getInputStream().readAllBytes());
        assertTrue(q.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, q.exitValue(), outQ);
        assertTrue(outQ.contains("FAIL lambda_min(M)"), outQ);
    }

    @Test
    void theSpinsOfTheUpperEndAreWrittenAndReadBack(@TempDir Path tmp) throws Exception {
        Path model = smallCnn(tmp, 2);
        Path spins = tmp.resolve("ub.spins"), json = tmp.resolve("p.json");
        var o = CliRun.run(CliRun.args(
                "bound",
                model,
                "--restarts",
                "0",
                "--roundings",
                "2",
                "--polish-rounds",
                "6",
                "--polish-sweeps",
                "20",
                "--polish-t",
                "0.1,0.01",
                "--spins-out",
                spins,
                "--output",
                json,
                "--quiet"));
        assertEquals(0, o.code(), o.err());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        double hi = j.get("epsilonUpper").asDouble();
        assertTrue(j.get("polishBest").asDouble() <= j.get("roundingBest").asDouble(), j.toString());
        assertEquals(
                6,
                j.path("provenance")
                        .path("config")
                        .path("polish")
                        .path("rounds")
                        .asInt(),
                j.toString());
        SpinFile f = SpinFile.read(spins);
        assertEquals(hi, f.epsilon(), 0.0);
        // the file's spins are the upper end's: bounding with them as --spins (no polish) gives the same ε_ub
        Path json2 = tmp.resolve("s.json");
        var o2 = CliRun.run(CliRun.args(
                "bound",
                model,
                "--spins",
                spins,
                "--roundings",
                "0",
                "--polish-rounds",
                "0",
                "--output",
                json2,
                "--quiet"));
        assertEquals(0, o2.code(), o2.err());
        JsonNode j2 = new ObjectMapper().readTree(json2.toFile());
        assertEquals(hi, j2.get("epsilonUpper").asDouble(), 1e-12);
        assertTrue(j2.get("upperSource").asText().startsWith("spins "), j2.toString());
        // spins of a null network are written marked as such and refused as spins of the model
        Path nullSpins = tmp.resolve("n1.spins");
        var o3 = CliRun.run(CliRun.args(
                "bound",
                model,
                "--null",
                "N1",
                "--restarts",
                "0",
                "--roundings",
                "1",
                "--polish-rounds",
                "0",
                "--spins-out",
                nullSpins,
                "--quiet"));
        assertEquals(0, o3.code(), o3.err());
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--spins", nullSpins, "--quiet")), "belong to a null network");
    }

    @Test
    void badInputIsOneLine(@TempDir Path tmp) throws Exception {
        Path model = smallCnn(tmp, 1);
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--confidence", "1", "--quiet")),
                "--confidence must lie strictly between 0 and 1");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--scaling", "trace", "--quiet")),
                "--scaling 'trace' is not one of [degree, identity]");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--restarts", "0", "--roundings", "0", "--quiet")),
                "no upper bound");
        // the library names its parameters; the command gives them back as its own flags
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--rank", "1", "--quiet")), "--rank must be in 2..64");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--sdp-sweeps", "0", "--quiet")), "--sdp-sweeps must be >= 1");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--lanczos-steps", "5", "--quiet")),
                "--lanczos-steps must be >= 10");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--lanczos-margin", "0", "--quiet")),
                "--lanczos-margin must lie strictly between 0 and 1");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--polish-rounds", "-1", "--quiet")),
                "--polish-rounds must be >= 0");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--polish-t", "0.1,0.2", "--quiet")),
                "--polish-t need 0 < end <= start");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--polish-t", "0.1", "--quiet")),
                "--polish-t takes two temperatures");
        Path spins = tmp.resolve("s.spins");
        Files.write(spins, new byte[] {1, 2, 3});
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args("bound", model, "--spins", spins, "--quiet")), "s.spins");
        Path state = tmp.resolve("state");
        Files.writeString(state, "junk");
        CliRun.assertOneErrorLine(
                CliRun.run(CliRun.args("bound", model, "--state", state, "--restarts", "1", "--quiet")),
                "is not an nnfrust SDP state file");
    }
}
