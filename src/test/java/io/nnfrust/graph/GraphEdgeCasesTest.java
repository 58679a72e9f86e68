package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Validation at the edges of the graph layer, and parallel products equal to sequential ones exactly. */
class GraphEdgeCasesTest {
    @TempDir
    Path dir;

    @Test
    void everyWindowDimensionMustBePositive() {
        int[] ok = {5, 5, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0};
        new WindowGeometry(ok[0], ok[1], ok[2], ok[3], ok[4], ok[5], ok[6], ok[7], ok[8], ok[9], ok[10], ok[11]);
        for (int k = 0; k < 10; k++) {
            int[] a = ok.clone();
            a[k] = 0;
            int[] b = a;
            assertThrows(
                    IllegalArgumentException.class,
                    () -> new WindowGeometry(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]),
                    "argument " + k + " = 0");
        }
        // one is allowed everywhere
        new WindowGeometry(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
    }

    @Test
    void parallelProductsEqualSequentialOnesExactly() {
        SignedGraph g = ModelLoader.load("zoo:squeezenet1.1", ImportOptions.DEFAULT.withInputSize(48, 48))
                .graph();
        SplittableRandom r = new SplittableRandom(2);
        double[] x = new double[g.nodeCount()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        double[] ys = new double[x.length],
                yp = new double[x.length],
                zs = new double[x.length],
                zp = new double[x.length];
        g.multiply(x, ys, false);
        g.multiply(x, yp, true);
        g.multiplyTranspose(x, zs, false);
        g.multiplyTranspose(x, zp, true);
        assertArrayEquals(ys, yp, 0.0, "A x");
        assertArrayEquals(zs, zp, 0.0, "A^T x");
        double norm = 0;
        for (double v : ys) {
            norm += Math.abs(v);
        }
        assertTrue(norm > 0);
        assertThrows(IllegalArgumentException.class, () -> g.multiply(new double[3], new double[x.length], false));
        assertThrows(IllegalArgumentException.class, () -> g.multiplyTranspose(x, new double[3], true));
    }

    @Test
    void matrixMarketIndicesAtTheBoundsAndLineNumbersInMessages() throws Exception {
        Path ok = dir.resolve("ok.mtx");
        Files.writeString(ok, "%%MatrixMarket matrix coordinate real general\n% comment\n3 3 2\n3 1 1.5\n1 3 -2\n");
        GraphFileReader.Loaded l = GraphFileReader.read(ok);
        assertEquals(3, l.graph().nodeCount());
        assertEquals(2, l.graph().edgeCount());
        assertEquals("3", l.labels().get(2));
        assertEquals(3, l.labels().size());
        for (String bad : new String[] {"4 1 1", "0 2 1", "2 0 1", "1 4 1"}) {
            Path p = dir.resolve("bad.mtx");
            Files.writeString(p, "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1\n" + bad + "\n");
            NnfrustException e = assertThrows(NnfrustException.class, () -> GraphFileReader.read(p));
            assertTrue(e.getMessage().contains("bad.mtx:4") && e.getMessage().contains("outside 1..3"), e.getMessage());
        }
        Path self = dir.resolve("self.tsv");
        Files.writeString(self, "a b 1\nc c 2\n");
        assertTrue(assertThrows(NnfrustException.class, () -> GraphFileReader.read(self))
                .getMessage()
                .contains("self.tsv:2"));
        assertThrows(NnfrustException.class, () -> GraphFileReader.read(dir.resolve("none.mtx")));
    }

    @Test
    void theMemoryEstimateIsItsDocumentedFormula() {
        // 72 bytes per edge, 8 per node, 48 per node and thread
        assertEquals(72.0 * 1000 + 8.0 * 10 + 48.0 * 10 * 3, GraphFileReader.estimateBytes(10, 1000, 3));
        assertEquals(
                72.0 * 7 + 8.0 * 2_000_000_000L + 48.0 * 2_000_000_000L * 2,
                GraphFileReader.estimateBytes(2_000_000_000L, 7, 2));
    }
}
