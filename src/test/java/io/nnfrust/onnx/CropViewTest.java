package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.nullmodel.ShuffledParameters;
import io.nnfrust.testing.Edges;
import io.nnfrust.testing.Edges.Edge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A spatial crop ({@code Slice} of H and W) read by a convolution or a pooling is a view (issue 23): no node set of
 * its own, no weight-1 copy edges, the crop a window of the whole planes in the block's geometry. Each network is
 * checked against an independent twin, the same layer over an input that is already the crop (its edges mapped
 * node by node), against the dense matrix of its own edges (every product), against ONNX Runtime (linear networks)
 * and, on a tiny one, by exact enumeration against a brute force over the twin's edges.
 */
@Timeout(120)
class CropViewTest {
    private static final int C = 2, H = 9, W = 8;

    /**
     * x [1,2,9,8] → Conv "a" (3, 3x3, pad 1) → crop (h x w at top, left) → {@code layer}; the twin: xc [1,3,h,w] →
     * {@code layer} with the same weights.
     */
    private record Pair(ModelProto view, ModelProto twin, int top, int left, int h, int w) {}

    private interface Layer {
        String apply(OnnxGraphBuilder b, String x);
    }

    private static Pair pair(long seed, int top, int left, int h, int w, Layer layer) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("crop", seed, WeightInit.HE_NORMAL);
        String a = b.conv("a", b.input("x", C, H, W), 3, 3, 1, 1, 1, false);
        ModelProto view = b.build(layer.apply(b, b.crop(a, top, left, h, w)));
        OnnxGraphBuilder t = new OnnxGraphBuilder("twin", seed + 1, WeightInit.HE_NORMAL);
        ModelProto twin = t.build(layer.apply(t, t.input("xc", 3, h, w)));
        return new Pair(view, sameWeights(view, twin), top, left, h, w);
    }

    /** {@code twin} with every initializer that {@code view} also has replaced by view's (the shared layers). */
    private static ModelProto sameWeights(ModelProto view, ModelProto twin) {
        Map<String, TensorProto> byName = new HashMap<>();
        for (TensorProto t : view.getGraph().getInitializerList()) {
            byName.put(t.getName(), t);
        }
        var g = twin.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto v = byName.get(g.getInitializer(i).getName());
            if (v != null && !g.getInitializer(i).getName().startsWith("crop")) {
                g.setInitializer(i, v);
            }
        }
        return twin.toBuilder().setGraph(g).build();
    }

    private static Network load(ModelProto m) {
        return OnnxImporter.importModel(m, "m", "m", "-", ImportOptions.DEFAULT);
    }

    private static List<Edge> edges(EdgeBlock b) {
        List<Edge> l = new ArrayList<>();
        b.forEachEdge((s, t, w) -> l.add(new Edge(s, t, w)));
        return l;
    }

    /**
     * The view against its twin: no copy, no extra node; the blocks after the crop have the twin's edges once each
     * node of the crop is mapped to the twin's input node (and every later node to the twin's), the same edge
     * counts and Σ|A|.
     */
    private static void assertViewEqualsTwin(Pair p) {
        Network view = load(p.view), twin = load(p.twin);
        SignedGraph g = view.graph(), t = twin.graph();
        assertEquals(0, view.report().copies(), "copies");
        for (NodeSet s : g.nodeSets()) {
            assertNotEquals("Copy", s.operator(), "a Copy node set");
        }
        // nodes: the input and conv "a" (C·H·W + 3·H·W) and the twin's nodes after its input, nothing else
        NodeSet in = t.nodeSets().get(0);
        assertEquals((long) C * H * W + 3L * H * W + t.nodeCount() - in.size(), g.nodeCount(), "nodes");
        NodeSet a = g.nodeSets().get(1);
        int shift = a.end() - in.end(); // later nodes: the twin's node plus this
        List<Edge> mapped = new ArrayList<>();
        long edges = 0;
        double abs = 0;
        for (int k = 1; k < g.blocks().size(); k++) { // block 0 is conv "a"
            EdgeBlock b = g.blocks().get(k);
            edges += b.edgeCount();
            abs += b.absWeightSum();
            for (Edge e : edges(b)) {
                int src = e.source();
                if (a.contains(src)) {
                    int local = src - a.offset(), plane = a.height() * a.width();
                    int c = local / plane, r = local % plane / a.width() - p.top, q = local % a.width() - p.left;
                    assertTrue(r >= 0 && r < p.h && q >= 0 && q < p.w, "edge from outside the crop: " + e);
                    src = in.offset() + (c * p.h + r) * p.w + q;
                } else {
                    src -= shift;
                }
                mapped.add(new Edge(src, e.target() - shift, e.weight()));
            }
        }
        assertEquals(Edges.sorted(edges(t)), Edges.sorted(mapped));
        assertEquals(t.edgeCount(), edges, "edges after the crop");
        assertEquals(t.absWeightSum(), abs, 1e-12 * abs, "Σ|A| after the crop");
        assertEquals(g.blocks().get(0).edgeCount() + t.edgeCount(), g.edgeCount(), "edges");
        assertProductsEqualTheDenseMatrix(g, new SplittableRandom(p.top * 31L + p.left));
    }

    /** Convolutions reading crops of rows, of columns and of both, strided, dilated, padded, grouped, 1x1. */
    @ParameterizedTest(name = "crop {2}x{3} at ({0}, {1}), kernel {4} stride {5} pad {6} dilation {7} groups {8}")
    @CsvSource({
        "2, 1, 5, 6, 3, 1, 1, 1, 1",
        "3, 0, 4, 8, 3, 2, 0, 1, 1",
        "0, 2, 9, 5, 2, 1, 1, 2, 1",
        "1, 1, 7, 6, 1, 1, 0, 1, 1",
        "4, 0, 5, 8, 1, 1, 0, 1, 3",
        "1, 3, 6, 4, 3, 2, 1, 1, 3",
        "0, 0, 8, 7, 3, 1, 2, 1, 1"
    })
    void aCropReadByAConvolutionIsAViewWithTheEdgesOfTheConvolutionOverTheCroppedTensor(
            int top, int left, int h, int w, int k, int stride, int pad, int dilation, int groups) {
        Pair p = pair(
                top + 7L * left,
                top,
                left,
                h,
                w,
                (b, x) -> b.conv(
                        "b", x, 6, k, k, stride, stride, new int[] {pad, pad, pad, pad}, dilation, groups, false));
        assertViewEqualsTwin(p);
    }

    /** Max and average pooling over a crop, with padding and ceil mode, and a dense layer after it. */
    @ParameterizedTest(name = "{0} crop {3}x{4} at ({1}, {2})")
    @CsvSource({
        "MaxPool, 2, 1, 5, 6, 2, 2, 0, false",
        "AveragePool, 1, 0, 6, 8, 3, 2, 1, true",
        "MaxPool, 0, 3, 9, 5, 3, 1, 1, false",
        "AveragePool, 3, 2, 5, 5, 2, 1, 0, false"
    })
    void aCropReadByAPoolingIsAView(
            String op, int top, int left, int h, int w, int k, int stride, int pad, boolean ceil) {
        Pair p = pair(
                top + 7L * left,
                top,
                left,
                h,
                w,
                (b, x) ->
                        b.gemm("fc", b.flatten(b.pool(op, x, k, k, stride, new int[] {pad, pad, pad, pad}, ceil)), 4));
        assertViewEqualsTwin(p);
    }

    /**
     * A·x, Aᵀ·x and the products with several vectors (sequential and parallel) of the graph, of |A| and of its
     * explicit twin, against the dense matrix of the graph's edges.
     */
    private static void assertProductsEqualTheDenseMatrix(SignedGraph g, SplittableRandom r) {
        int n = g.nodeCount();
        double[][] dense = new double[n][n];
        g.forEachEdge((s, t, w) -> dense[t][s] += w);
        double[][] x = new double[3][n];
        for (double[] column : x) {
            for (int i = 0; i < n; i++) {
                column[i] = r.nextDouble() * 2 - 1;
            }
        }
        double[][] want = new double[3][n], wantT = new double[3][n];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    want[c][i] += dense[i][j] * x[c][j];
                    wantT[c][j] += dense[i][j] * x[c][i];
                }
            }
        }
        for (SignedGraph graph : new SignedGraph[] {g, g.explicit()}) {
            for (boolean parallel : new boolean[] {false, true}) {
                double[] y = new double[n], z = new double[n];
                graph.multiply(x[0], y, parallel);
                graph.multiplyTranspose(x[0], z, parallel);
                assertArrayEquals(want[0], y, 1e-12, "A·x");
                assertArrayEquals(wantT[0], z, 1e-12, "Aᵀ·x");
                double[][] ys = new double[3][n], zs = new double[3][n];
                graph.multiplyMany(x, ys, parallel);
                graph.multiplyTransposeMany(x, zs, parallel);
                for (int c = 0; c < 3; c++) {
                    assertArrayEquals(want[c], ys[c], 1e-12, "A·V column " + c);
                    assertArrayEquals(wantT[c], zs[c], 1e-12, "Aᵀ·V column " + c);
                }
            }
        }
        double[] y = new double[n];
        g.absolute().multiply(x[0], y);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += Math.abs(dense[i][j]) * x[0][j];
            }
            assertEquals(s, y[i], 1e-12, "|A|·x at " + i);
        }
    }

    /**
     * The null models keep a convolution's window: N1 and N3 change the kernel of the same geometry, N2 gives every
     * edge of it its own weight. Each null network has the original's edges at the same (source, target) positions
     * (none from outside the crop), N2 the graph's edge weights in another order, and products equal to the dense
     * matrix of its own edges.
     */
    @Test
    void nullModelsKeepTheCropWindow() {
        Pair p = pair(11, 2, 1, 5, 6, (b, x) -> b.conv("b", x, 4, 3, 3, 2, 1, new int[] {1, 0, 1, 2}, 1, 1, false));
        SignedGraph g = load(p.view).graph();
        List<NullModel> models =
                List.of(new ShuffledParameters(), new ShuffledEdges(), new ReinitializedWeights(WeightInit.HE_NORMAL));
        for (NullModel model : models) {
            SignedGraph n = model.apply(g, 3);
            try {
                assertEquals(g.nodeCount(), n.nodeCount());
                for (int k = 0; k < g.blocks().size(); k++) {
                    List<Edge> a = edges(g.blocks().get(k)),
                            b = edges(n.blocks().get(k));
                    assertTrue(positions(a).equals(positions(b)), model.name() + ": edge positions of block " + k);
                }
                if (model instanceof ShuffledEdges) { // N2: the edge weights permuted across the graph
                    assertTrue(weights(edges(g)).equals(weights(edges(n))), "N2: the multiset of edge weights");
                }
                assertProductsEqualTheDenseMatrix(n, new SplittableRandom(4));
            } finally {
                model.release(n);
            }
        }
    }

    private static List<String> positions(List<Edge> edges) {
        return edges.stream().map(e -> e.source() + ">" + e.target()).sorted().toList();
    }

    private static List<Double> weights(List<Edge> edges) {
        return edges.stream().map(Edge::weight).sorted().toList();
    }

    /** Linear networks with a crop: propagation through A equals ONNX Runtime's output. */
    @Test
    void propagationThroughACropEqualsOnnxRuntime() throws Exception {
        Pair conv = pair(5, 2, 1, 5, 6, (b, x) -> b.conv("b", x, 4, 3, 3, 2, 1, new int[] {1, 0, 1, 2}, 1, 1, false));
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(conv.view, conv.view, ImportOptions.DEFAULT, 5);
        Pair rows = pair(6, 3, 0, 4, 8, (b, x) -> b.conv("b", x, 4, 1, 1, 0, 1, false)); // the direct 1x1 path
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(rows.view, rows.view, ImportOptions.DEFAULT, 6);
        int k = 2;
        Pair pool = pair(7, 1, 2, 6, 5, (b, x) -> b.avgPool(x, k, 1, 0, false));
        double scale = k * k * ImportOptions.DEFAULT.poolWeight().weight(k, k); // 0.01/p per edge, not 1/k²
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(
                pool.view, pool.view, ImportOptions.DEFAULT, 7, 1e-4, scale, true);
    }

    /**
     * The frustration of a tiny graph with a crop (x [1,1,4,4] → crop 3x3 → Conv 2x2 to 2 channels, 24 nodes) by
     * exact enumeration equals a brute force over the twin's edges (x [1,1,3,3] → the same Conv): the 7 input nodes
     * outside the crop have no edge and change nothing; a copy would have added 9 nodes and 9 edges of weight 1.
     */
    @Test
    void exactFrustrationOfACropEqualsABruteForceOverTheCroppedNetwork() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("tiny", 3, WeightInit.HE_NORMAL);
        ModelProto view = b.build(b.conv("c", b.crop(b.input("x", 1, 4, 4), 1, 0, 3, 3), 2, 2, 1, 0, 1, false));
        OnnxGraphBuilder t = new OnnxGraphBuilder("tiny", 4, WeightInit.HE_NORMAL);
        ModelProto twin = sameWeights(view, t.build(t.conv("c", t.input("xc", 1, 3, 3), 2, 2, 1, 0, 1, false)));
        SignedGraph g = load(view).graph(), tg = load(twin).graph();
        assertEquals(16 + 8, g.nodeCount());
        assertEquals(2 * 4 * 4, g.edgeCount());
        assertEquals(tg.absWeightSum(), g.absWeightSum(), 1e-12 * tg.absWeightSum());
        double exact = new ExactEnumeration()
                .solve(new SpinGlass(g), new SplittableRandom(1), SolverOptions.DEFAULT)
                .epsilon();
        double brute = bruteForce(tg);
        assertEquals(brute, exact, 1e-12);
        assertTrue(brute > 0, "a frustrated tiny graph (weights of both signs): " + brute);
    }

    /** min over all spin vectors of the frustrated |w| over Σ|w|, from the edge list alone. */
    private static double bruteForce(SignedGraph g) {
        int n = g.nodeCount();
        List<Edge> edges = edges(g);
        double abs = 0;
        for (Edge e : edges) {
            abs += Math.abs(e.weight());
        }
        double best = Double.MAX_VALUE;
        for (long mask = 0; mask < 1L << n; mask++) {
            double f = 0;
            for (Edge e : edges) {
                int si = (mask >> e.source() & 1) == 0 ? 1 : -1, sj = (mask >> e.target() & 1) == 0 ? 1 : -1;
                if (si * e.weight() * sj < 0) {
                    f += Math.abs(e.weight());
                }
            }
            best = Math.min(best, f / abs);
        }
        return best;
    }

    private static List<Edge> edges(SignedGraph g) {
        List<Edge> l = new ArrayList<>();
        g.forEachEdge((s, t, w) -> l.add(new Edge(s, t, w)));
        return l;
    }

    /**
     * What still copies: a strided crop (Slice with step 2) and a Transpose that swaps H and W are not windows of
     * whole planes; they get a Copy node set of weight-1 edges, counted in {@code import.copies}.
     */
    @Test
    void aStridedSliceOrATransposeOfRowsAndColumnsIsStillCopied() {
        for (boolean transpose : new boolean[] {false, true}) {
            OnnxGraphBuilder b = new OnnxGraphBuilder("copy", 9, WeightInit.HE_NORMAL);
            String a = b.conv("a", b.input("x", C, H, W), 3, 3, 1, 1, 1, false);
            ModelProto m = b.build(a);
            var g = m.getGraph().toBuilder();
            if (transpose) {
                g.addNode(NodeProto.newBuilder()
                        .setOpType("Transpose")
                        .setName("t")
                        .addInput(a)
                        .addOutput("v")
                        .addAttribute(AttributeProto.newBuilder()
                                .setName("perm")
                                .setType(AttributeProto.AttributeType.INTS)
                                .addAllInts(List.of(0L, 1L, 3L, 2L))));
            } else {
                g.addInitializer(OnnxTensors.longTensor("starts", new int[] {1}, new long[] {1}));
                g.addInitializer(OnnxTensors.longTensor("ends", new int[] {1}, new long[] {W}));
                g.addInitializer(OnnxTensors.longTensor("axes", new int[] {1}, new long[] {3}));
                g.addInitializer(OnnxTensors.longTensor("steps", new int[] {1}, new long[] {2}));
                g.addNode(NodeProto.newBuilder()
                        .setOpType("Slice")
                        .setName("s")
                        .addInput(a)
                        .addInput("starts")
                        .addInput("ends")
                        .addInput("axes")
                        .addInput("steps")
                        .addOutput("v"));
            }
            int vh = transpose ? W : H, vw = transpose ? H : W / 2; // columns 1, 3, 5, 7
            g.addInitializer(OnnxTensors.floatTensor("k", new int[] {2, 3, 1, 1}, new float[] {1, -2, 3, -4, 5, -6}));
            g.addNode(NodeProto.newBuilder()
                    .setOpType("Conv")
                    .setName("b")
                    .addInput("v")
                    .addInput("k")
                    .addOutput("y"));
            var out = g.getOutput(0).toBuilder().setName("y");
            out.getTypeBuilder().getTensorTypeBuilder().clearShape();
            g.setOutput(0, out);
            Network net = load(m.toBuilder().setGraph(g).build());
            assertEquals(1, net.report().copies(), transpose ? "transpose" : "strided slice");
            NodeSet copy = net.graph().nodeSets().get(2);
            assertEquals("Copy", copy.operator());
            assertEquals(3 * vh * vw, copy.size());
            EdgeBlock ib = net.graph().blocks().get(1);
            assertEquals(copy.size(), ib.edgeCount());
            assertEquals(copy.size(), ib.absWeightSum(), 0);
            assertTrue(ib instanceof IdentityBlock);
        }
    }
}
