package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The small pieces around the solvers, at their boundaries (PIT survivors of the frustration package): option
 * validation exactly at each limit, the energy trace, the layered solver's name and trace ends, the
 * local-minimum flag, and the spin file format at its smallest valid sizes and first invalid ones.
 */
@org.junit.jupiter.api.Timeout(60)
class SmallPartsTest {
    private static SolverOptions options(long nu, int sweeps, double t0, double t1, long trace) {
        return new SolverOptions(nu, -1, sweeps, t0, t1, false, trace);
    }

    @Test
    void solverOptionsAcceptEachLimitAndRefuseOneBeyond() {
        assertEquals(0, options(0, 0, 0.5, 0.5, 0).initialFlips()); // nu = 0, no sweeps, t-end = t-start, no trace
        assertThrows(NnfrustException.class, () -> options(-1, 0, 0.5, 0.5, 0));
        assertThrows(NnfrustException.class, () -> options(0, -1, 0.5, 0.5, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.5000001, 0)); // t-end above t-start
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.0, 0.0, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.0, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, Double.NaN, 0.1, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.1, -1));
        SolverOptions o = SolverOptions.DEFAULT.withMaxIterations(7).withTraceEvery(3).withSweeps(2).withInitialFlips(5)
                .withParallel(true);
        assertEquals(7, o.maxIterations());
        assertEquals(3, o.traceEvery());
        assertEquals(2, o.sweeps());
        assertEquals(5, o.initialFlips());
        assertTrue(o.parallel());
    }

    @Test
    void traceRecordsEveryKthStepAndNothingWhenOff() {
        Trace off = new Trace(0);
        assertFalse(off.due(0));
        off.add(0, 0.5);
        assertEquals(0, off.toArray().length);
        Trace t = new Trace(3);
        assertTrue(t.due(0));
        assertTrue(t.due(3));
        assertFalse(t.due(4));
        for (int k = 0; k < 20; k++) { // past the first capacity of 16 values
            t.add(k, k / 100.0);
        }
        double[] a = t.toArray();
        assertEquals(40, a.length);
        assertEquals(19, a[38]);
        assertEquals(0.19, a[39]);
    }

    @Test
    void layeredTraceStartsAtTheInitialSpinsAndEndsAtTheResult() {
        io.nnfrust.graph.SignedGraph g = io.nnfrust.onnx.OnnxImporter.importModel(
                io.nnfrust.testing.RandomNetworks.build(2, false), "r", "r", "-",
                io.nnfrust.model.ImportOptions.DEFAULT).graph();
        SpinGlass glass = new SpinGlass(g);
        LayeredDescent solver = new LayeredDescent();
        assertEquals("layered", solver.name());
        SolverOptions o = SolverOptions.DEFAULT.withInitialFlips(200).withTraceEvery(1);
        RestartResult r = solver.solve(glass, new SplittableRandom(4), o);
        double[] start = glass.initialSpins(200, new SplittableRandom(4));
        double[] trace = r.trace();
        assertTrue(trace.length >= 4, "at least the start and the end");
        assertEquals(0, trace[0]);
        assertEquals(glass.epsilon(start, false), trace[1], 1e-9, "first point: the initial spins");
        assertEquals(r.steps(), trace[trace.length - 2]);
        assertEquals(r.epsilon(), trace[trace.length - 1], 1e-9, "last point: the result");
        assertTrue(r.localMinimum());
        assertFalse(new RestartResult(0.1, 0.1, 0, 0, 0, 2, new double[0], new double[0]).localMinimum());
    }

    @Test
    void algorithm1TraceHasEveryFlipFromTheStartToTheResult() {
        io.nnfrust.graph.SignedGraph g = io.nnfrust.onnx.OnnxImporter.importModel(
                io.nnfrust.testing.RandomNetworks.build(3, false), "r", "r", "-",
                io.nnfrust.model.ImportOptions.DEFAULT).graph();
        SpinGlass glass = new SpinGlass(g);
        for (String name : new String[] {"algorithm1", "algorithm1-first"}) {
            RestartResult r = Solvers.byName(name).solve(glass, new SplittableRandom(9),
                    SolverOptions.DEFAULT.withInitialFlips(300).withTraceEvery(1));
            double[] t = r.trace();
            assertTrue(r.flips() > 0, name);
            assertEquals(2 * (r.flips() + 2), t.length, name + ": (0), every flip, and the end");
            assertEquals(glass.epsilon(glass.initialSpins(300, new SplittableRandom(9)), false), t[1], 1e-9, name);
            for (int k = 1; k <= r.flips(); k++) {
                assertEquals(k, t[2 * k], name);
                assertTrue(t[2 * k + 1] < t[2 * k - 1], name + ": every greedy flip lowers e");
            }
            assertEquals(r.flips(), t[t.length - 2]);
            assertEquals(r.epsilon(), t[t.length - 1], 1e-9);
        }
        assertEquals("exact", new ExactEnumeration().name());
        assertEquals(0.25, new FrustrationMap.Entry("b", "Conv", "x", "y", 4, 1).fraction());
        assertEquals(0, new FrustrationMap.Entry("b", "Conv", "x", "y", 0, 0).fraction());
    }

    @Test
    void spinFilesRoundTripWithHeaderAndMaskedZeros(@TempDir Path dir) throws Exception {
        SpinFile f = SpinFile.of(new double[] {1, -1, 0.0, -0.0, -3}, new int[] {0, 4}, new int[] {1}, 0.25)
                .withHeader("{\"model\":{\"sha256\":\"ab\"}}");
        assertArrayEquals(new byte[] {1, -1, 1, 1, -1}, f.spins(), "a masked-out 0 is written as +1");
        Path p = dir.resolve("s.spins");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        f.writeTo(bytes);
        Files.write(p, bytes.toByteArray());
        SpinFile back = SpinFile.read(p);
        assertArrayEquals(f.spins(), back.spins());
        assertArrayEquals(f.inputNodes(), back.inputNodes());
        assertArrayEquals(f.outputNodes(), back.outputNodes());
        assertEquals(0.25, back.epsilon());
        assertEquals("ab", back.headerJson().get("model").get("sha256").asText());
        assertEquals(0, new SpinFile(new byte[0], new int[0], new int[0], 0, null).headerJson().size());
        assertEquals(0, f.withHeader("{not json").headerJson().size());
        String h = SpinFile.header(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("name", "m"));
        assertTrue(h.contains("\"model\":{\"name\":\"m\"}") && h.contains("provenance"), h);
    }

    /** Version-1 file: magic, n, nx, ny, epsilon, spins, nodes. */
    private static byte[] v1(long n, int nx, int ny, byte[] spins, int... nodes) {
        ByteBuffer b = ByteBuffer.allocate(32 + spins.length + 4 * nodes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NNFSPIN1".getBytes(StandardCharsets.US_ASCII)).putLong(n).putInt(nx).putInt(ny).putDouble(0.5).put(spins);
        for (int v : nodes) {
            b.putInt(v);
        }
        return b.array();
    }

    @Test
    void spinFileLimits(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("f.spins");
        Files.write(p, v1(0, 0, 0, new byte[0])); // 32 bytes: the smallest valid file
        assertEquals(0, SpinFile.read(p).spins().length);
        Files.write(p, java.util.Arrays.copyOf(v1(0, 0, 0, new byte[0]), 31));
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p)).getMessage().contains("too short"));
        Files.write(p, v1(2, 1, 1, new byte[] {1, -1}, 1, 0)); // node n - 1 is a node
        assertArrayEquals(new int[] {1}, SpinFile.read(p).inputNodes());
        Files.write(p, v1(2, 1, 1, new byte[] {1, -1}, 2, 0)); // node n is not
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p)).getMessage().contains("node 2 of 2"));
        Files.write(p, v1(2, 0, 0, new byte[] {1, 0}));
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p)).getMessage().contains("not +1 or -1"));
        Files.write(p, v1(3, 0, 0, new byte[] {1, 1})); // one spin missing
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p)).getMessage().contains("truncated"));
        // version 2: a header exactly as long as the file allows, then one byte longer
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NNFSPIN2".getBytes(StandardCharsets.US_ASCII)).putInt(h.length).put(h).putLong(0).putInt(0).putInt(0)
                .putDouble(0.5);
        Files.write(p, b.array());
        assertEquals("{}", SpinFile.read(p).header());
        b.putInt(8, h.length + 1);
        Files.write(p, b.array());
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p)).getMessage().contains("header length"));
        b.putInt(8, -1);
        Files.write(p, b.array());
        assertThrows(NnfrustException.class, () -> SpinFile.read(p));
    }
}
