package io.nnfrust.bounds;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.util.NnfrustException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certified interval against brute force (every block kind), the dual bound against an independent dense
 * eigenvalue computation, the certificate read back, and the SDP's determinism and resumption.
 */
class BoundsTest {
    static final FrustrationInterval.Config CONFIG = new FrustrationInterval.Config(
            new MixingMethod.Options(6, 400, 1e-9, 10, 3), DualBound.Scaling.DEGREE, 200, 1e-6, 3, 5);

    /** Small graphs of every block kind: convolution (strided, grouped, padded), pooling, dense, identity, sparse, N2. */
    static List<SignedGraph> graphs() {
        List<SignedGraph> out = new ArrayList<>();
        for (long seed = 1; seed <= 4; seed++) {
            OnnxGraphBuilder b = new OnnxGraphBuilder("conv-pool-dense", seed, WeightInit.HE_NORMAL);
            String x = b.input("x", 1, 3, 3);
            String c = b.conv("c", x, 2, 2, 1, 0, 1, false);
            String p = b.maxPool(c, 2, 1, 0, false);
            out.add(imported(b, b.gemm("fc", b.flatten(p), 2)));
            if (seed > 2) {
                continue; // 27 nodes: 2^27 states for the exact solver
            }
            OnnxGraphBuilder g = new OnnxGraphBuilder("grouped-avg-add", seed, WeightInit.XAVIER_UNIFORM);
            String y = g.input("x", 2, 2, 2);
            String c1 = g.conv("c1", y, 2, 3, 1, 1, 2, false);
            String c2 = g.conv("c2", y, 2, 1, 1, 0, 1, false);
            String a = g.add(c1, c2);
            out.add(imported(g, g.gemm("fc", g.flatten(g.avgPool(a, 2, 2, 0, false)), 1)));
        }
        SignedGraph base = out.get(0);
        out.add(new ShuffledEdges().apply(base, 7)); // PerEdgeConvolutionBlock
        for (long seed = 1; seed <= 12; seed++) {
            out.add(random(8 + (int) seed % 9, 0.5, seed));
        }
        return out;
    }

    static SignedGraph imported(OnnxGraphBuilder b, String output) {
        return OnnxImporter.importModel(b.build(output), "t", "t", "-", ImportOptions.DEFAULT)
                .graph();
    }

    static SignedGraph random(int n, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> e = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && r.nextDouble() < p / 2) {
                    e.add(new int[] {i, j});
                    w.add((r.nextBoolean() ? 1 : -1) * (0.05 + r.nextDouble()));
                }
            }
        }
        int m = e.size();
        int[] s = new int[m], t = new int[m];
        double[] ww = new double[m];
        for (int k = 0; k < m; k++) {
            s[k] = e.get(k)[0];
            t[k] = e.get(k)[1];
            ww[k] = w.get(k);
        }
        return new SignedGraph(
                List.of(new NodeSet(0, "nodes", "Graph", 0, n, 1, 1)),
                List.of(new SparseBlock("random", PlaneLayout.contiguous(0, n, 1, 1), 0, n, s, s, t, ww)));
    }

    @Test
    void theIntervalHoldsTheExactFrustrationOfEverySmallGraph() {
        Set<String> kinds = new HashSet<>();
        int tight = 0, count = 0;
        for (SignedGraph g : graphs()) {
            g.blocks().forEach(b -> kinds.add(b.kind()));
            SpinGlass glass = new SpinGlass(g);
            double exact = new ExactEnumeration()
                    .solve(glass, new SplittableRandom(1), SolverOptions.DEFAULT)
                    .epsilon();
            var r = FrustrationInterval.run(glass, CONFIG, Double.NaN, null, false, null, "", null, s -> {});
            assertTrue(r.epsilonLower() <= exact + 1e-12, "lower " + r.epsilonLower() + " > exact " + exact);
            assertTrue(exact <= r.epsilonUpper() + 1e-12, "upper " + r.epsilonUpper() + " < exact " + exact);
            assertTrue(r.epsilonSdp() <= exact + 1e-9, "SDP " + r.epsilonSdp() + " above exact " + exact);
            assertEquals(r.epsilonLower(), r.certificate().recomputedBound(), 1e-12);
            tight += r.epsilonLower() >= 0.8 * exact ? 1 : 0;
            count++;
        }
        // a bound that is always 0 would pass the inequalities: it must also be useful
        assertTrue(tight >= count * 3 / 4, tight + " of " + count + " bounds within 80 % of exact");
        assertTrue(
                kinds.containsAll(List.of("Conv", "MaxPool", "AvgPool", "Dense", "Residual", "Sparse", "ConvN2")),
                kinds.toString());
    }

    /** The explicit L of a graph: L = D − A_s. */
    static double[][] laplacian(SignedGraph g) {
        int n = g.nodeCount();
        double[][] l = new double[n][n];
        g.forEachEdge((src, dst, w) -> {
            l[src][dst] -= w;
            l[dst][src] -= w;
            l[src][src] += Math.abs(w);
            l[dst][dst] += Math.abs(w);
        });
        return l;
    }

    @Test
    void lanczosAndTheBoundEqualADenseEigenvalueComputation() {
        SplittableRandom r = new SplittableRandom(9);
        for (SignedGraph g : graphs()) {
            SpinGlass glass = new SpinGlass(g);
            int n = g.nodeCount();
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextDouble() * 0.5;
            }
            for (DualBound.Scaling sc : DualBound.Scaling.values()) {
                double[] p = DualBound.scaling(glass, sc);
                double[][] l = laplacian(g);
                double[][] m = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        m[i][j] = (l[i][j] - (i == j ? y[i] : 0)) / Math.sqrt(p[i] * p[j]);
                    }
                }
                double[] ev = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(m)).getEigenvalues();
                double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
                for (double e : ev) {
                    min = Math.min(min, e);
                    max = Math.max(max, e);
                }
                double c = DualBound.lambdaMaxBound(glass, y, p, sc);
                assertTrue(c >= max - 1e-9, "c " + c + " below lambda_max " + max);
                var lz = Lanczos.smallest(DualBound.operator(glass, y, p, false), n, c, 3 * n, 1e-6, 0, 4, null);
                assertEquals(min, lz.theta(), 1e-8 * Math.max(1, Math.abs(min)), sc + " n " + n);
                assertTrue(lz.lowerBound() <= min);
                // the bound from the dense λ_min and from the certificate's formula
                double w = g.absWeightSum();
                double dense = (DualBound.sum(y) + min * DualBound.sum(p)) / (4 * w);
                assertEquals(dense, DualBound.epsilon(DualBound.sum(y), lz.theta(), DualBound.sum(p), w), 1e-8);
            }
        }
    }

    @Test
    void lanczosGuaranteeOnRandomSymmetricMatrices() {
        assertEquals(
                Math.pow(Math.log(1.648 * Math.sqrt(1e6) / 1e-6) / 199, 2), Lanczos.eta(1_000_000, 100, 1e-6), 1e-15);
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 20; t++) {
            int n = 30 + r.nextInt(40);
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    a[i][j] = a[j][i] = r.nextDouble() * 2 - 1;
                }
            }
            double[] ev = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(a)).getEigenvalues();
            double min = Double.MAX_VALUE, gersh = -Double.MAX_VALUE;
            for (double e : ev) {
                min = Math.min(min, e);
            }
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += Math.abs(a[i][j]);
                }
                gersh = Math.max(gersh, s);
            }
            for (int k : new int[] {5, 15, 40}) {
                var lz = Lanczos.smallest(
                        (x, y) -> {
                            for (int i = 0; i < n; i++) {
                                double s = 0;
                                for (int j = 0; j < n; j++) {
                                    s += a[i][j] * x[j];
                                }
                                y[i] = s;
                            }
                        },
                        n,
                        gersh,
                        k,
                        1e-3,
                        0,
                        t,
                        null);
                assertTrue(lz.theta() >= min - 1e-9, "a Ritz value lies above lambda_min");
                assertTrue(lz.lowerBound() <= min, "k " + k + ": bound " + lz.lowerBound() + " above " + min);
            }
        }
        // the tridiagonal eigenvalue by bisection against the dense solver
        double[] alpha = {2, -1, 0.5, 3}, beta = {0, 1, 0.3, -2};
        double[][] t = {{2, 1, 0, 0}, {1, -1, 0.3, 0}, {0, 0.3, 0.5, -2}, {0, 0, -2, 3}};
        double min = Double.MAX_VALUE;
        for (double e : new EigenDecompositionSymmetric(new Array2DRowRealMatrix(t)).getEigenvalues()) {
            min = Math.min(min, e);
        }
        assertEquals(min, Lanczos.smallestEigenvalue(alpha, beta, 4), 1e-13);
        assertTrue(Lanczos.smallestEigenvalue(alpha, beta, 4) <= min);
    }

    @Test
    void theCertificateReadBackReproducesTheBound(@TempDir Path tmp) throws Exception {
        SignedGraph g = graphs().get(1);
        var r = FrustrationInterval.run(new SpinGlass(g), CONFIG, Double.NaN, null, false, null, "", null, s -> {});
        Path f = tmp.resolve("c.npz");
        try (OutputStream os = Files.newOutputStream(f)) {
            r.certificate().write(os);
        }
        Certificate back = Certificate.read(f);
        assertArrayEquals(r.certificate().y(), back.y());
        assertArrayEquals(r.certificate().p(), back.p());
        assertEquals(r.certificate().scalars(), back.scalars());
        assertEquals(r.epsilonLower(), back.recomputedBound(), 0.0);
        assertEquals(r.epsilonLower(), back.scalar("epsilonLower"), 0.0);
        assertEquals(g.absWeightSum(), back.scalar("absWeightSum"), 0.0);
        assertEquals(new ObjectMapper().readTree(r.certificate().meta().toString()), back.meta());
        // byte-identical when written again
        Path f2 = tmp.resolve("c2.npz");
        try (OutputStream os = Files.newOutputStream(f2)) {
            back.write(os);
        }
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(f2));
        Files.writeString(tmp.resolve("bad.npz"), "not a zip");
        var e = Assertions.assertThrows(NnfrustException.class, () -> Certificate.read(tmp.resolve("bad.npz")));
        assertTrue(e.getMessage().contains("is not an nnfrust certificate"), e.getMessage());
    }

    @Test
    void theSdpIsDeterministicThreadIndependentAndResumable(@TempDir Path tmp) {
        SignedGraph g = graphs().get(0);
        SpinGlass glass = new SpinGlass(g);
        var o = new MixingMethod.Options(4, 60, 0, 10, 8);
        var a = MixingMethod.solve(glass, o, false, null);
        var b = MixingMethod.solve(new SpinGlass(g), o, true, null);
        for (int c = 0; c < 4; c++) {
            assertArrayEquals(a.v()[c], b.v()[c]);
        }
        // stopped at sweep 30 and continued: the same V
        double[][][] saved = new double[1][][];
        int[] at = {0};
        MixingMethod.solve(glass, new MixingMethod.Options(4, 30, 0, 10, 8), false, null, null, 0, (v, s) -> {
            saved[0] = new double[v.length][];
            for (int c = 0; c < v.length; c++) {
                saved[0][c] = v[c].clone();
            }
            at[0] = s;
        });
        assertEquals(30, at[0]);
        var resumed = MixingMethod.solve(glass, o, false, null, saved[0], at[0], null);
        for (int c = 0; c < 4; c++) {
            assertArrayEquals(a.v()[c], resumed.v()[c]);
        }
        assertEquals(a.objective(), resumed.objective(), 0.0);
        // every row of V is a unit vector, and the objective never rises between checks
        for (int i = 0; i < g.nodeCount(); i++) {
            double sq = 0;
            for (int c = 0; c < 4; c++) {
                sq += a.v()[c][i] * a.v()[c][i];
            }
            assertEquals(1, sq, 1e-12);
        }
        List<Double> objectives = new ArrayList<>();
        MixingMethod.solve(
                glass,
                new MixingMethod.Options(4, 60, 0, 1, 8),
                false,
                null,
                null,
                0,
                (v, s) -> objectives.add(MixingMethod.objective(glass, v, new double[4][g.nodeCount()], false)));
        for (int k = 1; k < objectives.size(); k++) {
            assertTrue(objectives.get(k) <= objectives.get(k - 1) + 1e-9, "objective rose at " + k);
        }
        assertTrue(EdgeBlock.class.isSealed());
    }
}
