package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.Edges;
import io.nnfrust.testing.Edges.Edge;
import io.nnfrust.testing.RandomNetworks;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On random small networks covering every block type and both Add conventions: the matrix-free products
 * (sequential and parallel), edge counts, |A| sums and per-node edge enumeration equal the explicit CSR.
 */
class GraphConsistencyTest {
    static Stream<Arguments> networks() {
        List<Arguments> l = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            for (AddConvention add : AddConvention.values()) {
                l.add(Arguments.of(seed, seed % 3 == 0, add));
            }
        }
        return l.stream();
    }

    @ParameterizedTest(name = "seed {0} linear {1} add {2}")
    @MethodSource("networks")
    void matrixFreeEqualsExplicit(long seed, boolean linear, AddConvention add) throws Exception {
        ModelProto proto = RandomNetworks.build(seed, linear);
        Network net = OnnxImporter.importModel(proto, "r", "r", "-", ImportOptions.DEFAULT.withAdd(add));
        SignedGraph g = net.graph();
        CsrMatrix csr = CsrMatrix.of(g);
        int n = g.nodeCount();
        assertEquals(g.edgeCount(), csr.entryCount());
        double abs = 0;
        for (double v : csr.value) {
            abs += Math.abs(v);
        }
        assertEquals(abs, g.absWeightSum(), 1e-9 * abs);

        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        double[] yCsr = new double[n], ySeq = new double[n], yPar = new double[n];
        csr.multiply(x, yCsr);
        g.multiply(x, ySeq, false);
        g.multiply(x, yPar, true);
        assertArrayEquals(yCsr, ySeq, 1e-12);
        assertArrayEquals(ySeq, yPar, 0.0, "parallel product must be bit-identical to sequential");
        double[] zCsr = new double[n], zSeq = new double[n], zPar = new double[n];
        csr.multiplyTranspose(x, zCsr);
        g.multiplyTranspose(x, zSeq, false);
        g.multiplyTranspose(x, zPar, true);
        assertArrayEquals(zCsr, zSeq, 1e-12);
        assertArrayEquals(zSeq, zPar, 0.0);

        // per-node enumeration reproduces the CSR rows (in-edges) and columns (out-edges)
        List<Edge> in = new ArrayList<>(), out = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            final int node = v;
            g.forEachInEdge(v, (s, t, w) -> {
                assertEquals(node, t);
                in.add(new Edge(s, t, w));
            });
            g.forEachOutEdge(v, (s, t, w) -> {
                assertEquals(node, s);
                out.add(new Edge(s, t, w));
            });
        }
        List<Edge> want = Edges.ofCsr(csr);
        assertEquals(want, Edges.sorted(in));
        assertEquals(want, Edges.sorted(out));

        // acyclic and topologically numbered: every edge goes to a later node set
        for (Edge e : want) {
            assertTrue(g.setOf(e.source()) < g.setOf(e.target()), "edge " + e + " goes backwards");
        }

        // Matrix Market export lists every entry
        StringWriter sw = new StringWriter();
        csr.writeMatrixMarket(sw);
        String[] lines = sw.toString().split("\n");
        assertEquals("%%MatrixMarket matrix coordinate real general", lines[0]);
        assertEquals(n + " " + n + " " + csr.entryCount(), lines[2]);
        assertEquals(3 + csr.entryCount(), lines.length);
    }
}
