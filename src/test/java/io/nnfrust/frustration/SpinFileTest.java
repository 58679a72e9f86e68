package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.util.NnfrustException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The spin file format: round trip with header and masked zeros, its smallest valid sizes and first invalid ones. */
@Timeout(60)
class SpinFileTest {
    private static SolverOptions options(long nu, int sweeps, double t0, double t1, long trace) {
        return new SolverOptions(nu, -1, sweeps, t0, t1, false, trace);
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
        assertEquals(
                0,
                new SpinFile(new byte[0], new int[0], new int[0], 0, null)
                        .headerJson()
                        .size());
        assertEquals(0, f.withHeader("{not json").headerJson().size());
        String h = SpinFile.header(new ObjectMapper().createObjectNode().put("name", "m"));
        assertTrue(h.contains("\"model\":{\"name\":\"m\"}") && h.contains("provenance"), h);
    }

    /** Version-1 file: magic, n, nx, ny, epsilon, spins, nodes. */
    private static byte[] v1(long n, int nx, int ny, byte[] spins, int... nodes) {
        ByteBuffer b = ByteBuffer.allocate(32 + spins.length + 4 * nodes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NNFSPIN1".getBytes(StandardCharsets.US_ASCII))
                .putLong(n)
                .putInt(nx)
                .putInt(ny)
                .putDouble(0.5)
                .put(spins);
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
        Files.write(p, Arrays.copyOf(v1(0, 0, 0, new byte[0]), 31));
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p))
                .getMessage()
                .contains("too short"));
        Files.write(p, v1(2, 1, 1, new byte[] {1, -1}, 1, 0)); // node n - 1 is a node
        assertArrayEquals(new int[] {1}, SpinFile.read(p).inputNodes());
        Files.write(p, v1(2, 1, 1, new byte[] {1, -1}, 2, 0)); // node n is not
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p))
                .getMessage()
                .contains("node 2 of 2"));
        Files.write(p, v1(2, 0, 0, new byte[] {1, 0}));
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p))
                .getMessage()
                .contains("not +1 or -1"));
        Files.write(p, v1(3, 0, 0, new byte[] {1, 1})); // one spin missing
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p))
                .getMessage()
                .contains("truncated"));
        // version 2: a header exactly as long as the file allows, then one byte longer
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put("NNFSPIN2".getBytes(StandardCharsets.US_ASCII))
                .putInt(h.length)
                .put(h)
                .putLong(0)
                .putInt(0)
                .putInt(0)
                .putDouble(0.5);
        Files.write(p, b.array());
        assertEquals("{}", SpinFile.read(p).header());
        b.putInt(8, h.length + 1);
        Files.write(p, b.array());
        assertTrue(assertThrows(NnfrustException.class, () -> SpinFile.read(p))
                .getMessage()
                .contains("header length"));
        b.putInt(8, -1);
        Files.write(p, b.array());
        assertThrows(NnfrustException.class, () -> SpinFile.read(p));
    }
}
