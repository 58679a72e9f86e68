package io.nnfrust.nullmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.CsrMatrix;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.PerEdgeConvolutionBlock;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.Edges;
import io.nnfrust.testing.RandomNetworks;
import io.nnfrust.util.FeistelPermutation;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NullModelTest {
    private static SignedGraph network(long seed) {
        return OnnxImporter.importModel(RandomNetworks.build(seed, false), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
    }

    private static float[] weightsOf(EdgeBlock b) {
        return b instanceof ConvolutionBlock c ? c.kernel() : ((DenseBlock) b).matrix();
    }

    @Test
    void n1KeepsEachLayersMultisetPositionsAndWeightSharing() {
        SignedGraph g = network(1);
        SignedGraph n1 = new ShuffledParameters().apply(g, 5);
        CsrMatrix a = CsrMatrix.of(g), b = CsrMatrix.of(n1);
        assertArrayEquals(a.rowStart, b.rowStart);
        assertArrayEquals(a.column, b.column, "edge positions must not move");
        boolean anyChanged = false;
        for (int k = 0; k < g.blocks().size(); k++) {
            EdgeBlock x = g.blocks().get(k), y = n1.blocks().get(k);
            if (x instanceof ConvolutionBlock || x instanceof DenseBlock) {
                float[] wx = weightsOf(x).clone(), wy = weightsOf(y).clone();
                anyChanged |= !Arrays.equals(wx, wy);
                Arrays.sort(wx);
                Arrays.sort(wy);
                assertArrayEquals(wx, wy, "layer " + x.name() + " must keep its multiset of parameters");
            } else {
                assertSame(x, y, "pooling and residual blocks are never changed");
            }
        }
        assertTrue(anyChanged);
        // weight sharing: walking both blocks' edges in the same order, each edge's kernel entry (identified by
        // its value in the original kernel, whose entries are distinct) carries that entry's N1 value
        for (int k = 0; k < n1.blocks().size(); k++) {
            if (g.blocks().get(k) instanceof ConvolutionBlock c0) {
                ConvolutionBlock c1 = (ConvolutionBlock) n1.blocks().get(k);
                Map<Double, Integer> entryOf = new HashMap<>();
                float[] k0 = c0.kernel();
                for (int e = 0; e < k0.length; e++) {
                    entryOf.put((double) k0[e], e);
                }
                assertEquals(k0.length, entryOf.size(), "test needs distinct kernel values");
                List<Double> w0 = new ArrayList<>(), w1 = new ArrayList<>();
                c0.forEachEdge((s0, t0, w) -> w0.add(w));
                c1.forEachEdge((s0, t0, w) -> w1.add(w));
                assertEquals(w0.size(), w1.size());
                for (int e = 0; e < w0.size(); e++) {
                    assertEquals(c1.kernel()[entryOf.get(w0.get(e))], w1.get(e), 0.0);
                }
            }
        }
    }

    @Test
    void n1IsReproducibleAndSeedDependent() {
        SignedGraph g = network(2);
        ShuffledParameters n1 = new ShuffledParameters();
        assertEquals(n1.apply(g, 7).absWeightSum(), n1.apply(g, 7).absWeightSum(), 0.0);
        double[] x = new double[g.nodeCount()];
        Arrays.fill(x, 1);
        double[] y7 = new double[x.length], y7b = new double[x.length], y8 = new double[x.length];
        n1.apply(g, 7).multiply(x, y7);
        n1.apply(g, 7).multiply(x, y7b);
        n1.apply(g, 8).multiply(x, y8);
        assertArrayEquals(y7, y7b, 0.0);
        assertFalse(Arrays.equals(y7, y8));
    }

    @Test
    void n3MatchesTheChosenDistributionPerLayer() {
        SignedGraph g = ModelLoader.load("zoo:alexnet-torch", ImportOptions.DEFAULT.withInputSize(224, 224))
                .graph();
        for (WeightInit init : WeightInit.values()) {
            SignedGraph n3 = new ReinitializedWeights(init).apply(g, 3);
            for (EdgeBlock b : n3.blocks()) {
                if (!(b instanceof ConvolutionBlock || b instanceof DenseBlock)) {
                    continue;
                }
                float[] w = weightsOf(b);
                int fanIn, fanOut;
                if (b instanceof ConvolutionBlock c) {
                    int rf = c.geometry().kernelHeight * c.geometry().kernelWidth;
                    fanIn = c.input().channels / c.groups() * rf;
                    fanOut = c.outChannels() * rf;
                } else {
                    DenseBlock d = (DenseBlock) b;
                    fanIn = d.inFeatures();
                    fanOut = d.outFeatures();
                }
                double mean = 0, sq = 0;
                for (float v : w) {
                    mean += v;
                    sq += (double) v * v;
                }
                mean /= w.length;
                double var = sq / w.length - mean * mean;
                double sd = init.std(fanIn, fanOut);
                // sampling error of the mean is sd/sqrt(N); of the variance ~ sd^2 * sqrt(2/N) (normal) or less
                assertEquals(0, mean, 6 * sd / Math.sqrt(w.length), init + " " + b.name());
                assertEquals(sd * sd, var, 6 * sd * sd * Math.sqrt(2.0 / w.length), init + " " + b.name());
            }
            assertEquals(new ReinitializedWeights(init).apply(g, 3).absWeightSum(), n3.absWeightSum(), 0.0);
        }
    }

    @Test
    void n3FanInOfAGroupedConvolutionCountsOneGroupsChannels() {
        SignedGraph g =
                ModelLoader.load("zoo:shufflenet", ImportOptions.DEFAULT).graph();
        SignedGraph n3 = new ReinitializedWeights(WeightInit.HE_NORMAL).apply(g, 5);
        int grouped = 0;
        for (EdgeBlock b : n3.blocks()) {
            if (b instanceof ConvolutionBlock c && c.groups() > 1 && c.kernel().length >= 2000) {
                grouped++;
                int rf = c.geometry().kernelHeight * c.geometry().kernelWidth;
                double sd = WeightInit.HE_NORMAL.std(c.input().channels / c.groups() * rf, c.outChannels() * rf);
                double sq = 0;
                for (float v : c.kernel()) {
                    sq += (double) v * v;
                }
                double var = sq / c.kernel().length;
                // fan-in of one group: a wrong fan-in (all channels, or times the groups) is off by >= the groups
                assertEquals(sd * sd, var, 6 * sd * sd * Math.sqrt(2.0 / c.kernel().length), b.name());
            }
        }
        assertTrue(grouped >= 3, "ShuffleNet has grouped convolutions: " + grouped);
    }

    @Test
    void nullModelsAreNamedAsInThePaper() {
        assertEquals("N1", new ShuffledParameters().name());
        assertEquals("N2", new ShuffledEdges().name());
        assertEquals("N3-he", new ReinitializedWeights(WeightInit.HE_NORMAL).name(), "N3 and its initialisation");
    }

    private static double[] learnableEdgeWeights(SignedGraph g) {
        List<Double> w = new ArrayList<>();
        for (EdgeBlock b : g.blocks()) {
            if (!(b instanceof PoolingBlock || b instanceof IdentityBlock)) {
                b.forEachEdge((s, t, x) -> w.add(x));
            }
        }
        double[] a = w.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    @Test
    void n2IsABijectionOfTheLearnableEdgeWeights() {
        SignedGraph g = network(3);
        SignedGraph n2 = new ShuffledEdges().apply(g, 9);
        CsrMatrix a = CsrMatrix.of(g), b = CsrMatrix.of(n2);
        assertArrayEquals(a.rowStart, b.rowStart);
        assertArrayEquals(a.column, b.column, "edge positions must not move");
        assertArrayEquals(learnableEdgeWeights(g), learnableEdgeWeights(n2), 0.0, "same multiset of edge weights");
        for (int k = 0; k < g.blocks().size(); k++) {
            EdgeBlock x = g.blocks().get(k);
            if (x instanceof PoolingBlock || x instanceof IdentityBlock) {
                assertSame(x, n2.blocks().get(k), "pooling and residual edges are never changed");
            }
        }
        // weight sharing destroyed: the edges of one kernel entry no longer share one value
        EdgeBlock conv = null;
        for (EdgeBlock x : n2.blocks()) {
            if (x instanceof PerEdgeConvolutionBlock) {
                conv = x;
                break;
            }
        }
        Set<Double> values = new HashSet<>();
        conv.forEachEdge((s, t, w) -> values.add(w));
        EdgeBlock original = g.blocks().get(n2.blocks().indexOf(conv));
        assertTrue(values.size() > ((ConvolutionBlock) original).kernel().length, "weights must no longer be shared");
        // different seeds permute differently; the same seed reproduces
        assertFalse(Arrays.equals(CsrMatrix.of(new ShuffledEdges().apply(g, 10)).value, b.value));
        assertArrayEquals(b.value, CsrMatrix.of(new ShuffledEdges().apply(g, 9)).value, 0.0);
    }

    @Test
    void n2BlocksAreConsistentWithTheirExplicitForm() {
        SignedGraph n2 = new ShuffledEdges().apply(network(4), 2);
        CsrMatrix csr = CsrMatrix.of(n2);
        int n = n2.nodeCount();
        SplittableRandom r = new SplittableRandom(1);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        double[] y1 = new double[n], y2 = new double[n], z1 = new double[n], z2 = new double[n];
        csr.multiply(x, y1);
        n2.multiply(x, y2, true);
        csr.multiplyTranspose(x, z1);
        n2.multiplyTranspose(x, z2, true);
        assertArrayEquals(y1, y2, 1e-12);
        assertArrayEquals(z1, z2, 1e-12);
        double abs = 0;
        for (double v : csr.value) {
            abs += Math.abs(v);
        }
        assertEquals(abs, n2.absWeightSum(), 1e-9 * abs);
        List<Edges.Edge> out = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            n2.forEachOutEdge(v, (s, t, w) -> out.add(new Edges.Edge(s, t, w)));
        }
        assertEquals(Edges.ofCsr(csr), Edges.sorted(out));
        // |A| of the N2 graph agrees with the explicit absolute values
        assertEquals(abs, n2.absolute().absWeightSum(), 1e-9 * abs);
    }

    /**
     * N2 with its convolution weights mapped off-heap is the same graph as on the heap: same explicit edges, same
     * products bit for bit, same |A| and 1-pattern views; after release it refuses to be used instead of reading
     * unmapped memory, and no file is left in the mapping folder.
     */
    @Test
    void n2MappedOffHeapEqualsN2OnTheHeap(@TempDir Path dir) throws Exception {
        SignedGraph g = network(4);
        ShuffledEdges n2 = new ShuffledEdges(new N2Storage(N2Storage.Mode.AUTO, dir));
        SignedGraph heap = n2.apply(g, 7, ShuffledEdges.Storage.HEAP);
        SignedGraph mapped = n2.apply(g, 7, ShuffledEdges.Storage.MAPPED);
        long mappedBlocks = mapped.blocks().stream()
                .filter(b ->
                        b instanceof PerEdgeConvolutionBlock pe && pe.store().isMapped())
                .count();
        assertTrue(mappedBlocks > 0, "no convolution was mapped");
        assertTrue(heap.blocks().stream()
                .noneMatch(b ->
                        b instanceof PerEdgeConvolutionBlock pe && pe.store().isMapped()));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "the mapped file is deleted once mapped");
        }
        CsrMatrix a = CsrMatrix.of(heap), b = CsrMatrix.of(mapped);
        assertArrayEquals(a.column, b.column);
        assertArrayEquals(a.value, b.value, 0.0);
        int n = g.nodeCount();
        double[] x = new double[n];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        for (Function<SignedGraph, SignedGraph> view : List.<Function<SignedGraph, SignedGraph>>of(
                v -> v,
                SignedGraph::absolute,
                v -> new SignedGraph(
                        v.nodeSets(),
                        v.blocks().stream().map(EdgeBlock::pattern).toList()))) {
            double[] y1 = new double[n], y2 = new double[n];
            view.apply(heap).multiply(x, y1, true);
            view.apply(heap).multiplyTranspose(x, y1, true);
            view.apply(mapped).multiply(x, y2, true);
            view.apply(mapped).multiplyTranspose(x, y2, true);
            assertArrayEquals(y1, y2, 0.0);
        }
        // the pattern counts edges: P·1 summed is the edge count
        double[] ones = new double[n], count = new double[n];
        Arrays.fill(ones, 1);
        new SignedGraph(
                        mapped.nodeSets(),
                        mapped.blocks().stream().map(EdgeBlock::pattern).toList())
                .multiply(ones, count, true);
        assertEquals((double) mapped.edgeCount(), Arrays.stream(count).sum(), 0.0);
        assertEquals(heap.absWeightSum(), mapped.absWeightSum(), 0.0);
        new ShuffledEdges().release(mapped);
        new ShuffledEdges().release(mapped); // twice is harmless
        double[] y = new double[n];
        Assertions.assertThrows(IllegalStateException.class, () -> mapped.multiply(x, y, false));
        heap.multiply(x, y, false); // releasing one graph leaves others alone
    }

    @Test
    void n2StorageFollowsItsPolicy() {
        SignedGraph g = network(4);
        assertEquals(ShuffledEdges.Storage.MAPPED, policy("mapped").storageFor(g, 1));
        assertEquals(ShuffledEdges.Storage.HEAP, policy("heap").storageFor(g, 1));
        N2Storage auto = policy("auto"); // a tiny network fits the heap
        assertEquals(ShuffledEdges.Storage.HEAP, auto.storageFor(g, 2));
        // auto maps exactly when 4 bytes x convolution edges x networks side by side pass 40 % of the heap
        long conv = ShuffledEdges.convolutionEdges(g);
        long convByHand = g.blocks().stream()
                .filter(b -> b instanceof ConvolutionBlock)
                .mapToLong(EdgeBlock::edgeCount)
                .sum();
        assertEquals(convByHand, conv);
        assertTrue(
                conv > 0 && conv < ShuffledEdges.learnableEdges(g),
                "the test network has convolutions and dense blocks");
        double limit = 0.4 * Runtime.getRuntime().maxMemory();
        int below = (int) Math.floor(limit / (4.0 * conv) * 0.999),
                above = (int) Math.ceil(limit / (4.0 * conv) * 1.001);
        assertEquals(ShuffledEdges.Storage.HEAP, auto.storageFor(g, below));
        assertEquals(ShuffledEdges.Storage.MAPPED, auto.storageFor(g, above));
        NnfrustException e = Assertions.assertThrows(NnfrustException.class, () -> policy("disk"));
        assertTrue(
                e.getMessage().contains("-Dnnfrust.n2.storage=disk is not one of heap, mapped, auto"), e.getMessage());
        // the default, and the folder of the mapped files, from the properties (read at the edge)
        assertEquals(N2Storage.Mode.AUTO, N2Storage.of(new Properties()).mode());
        assertEquals(
                Path.of(System.getProperty("java.io.tmpdir")),
                N2Storage.of(new Properties()).mappedDir());
    }

    /** The budget decides the storage of the networks built side by side and checks the mapping folder up front. */
    @Test
    void n2BudgetDecidesTheStorageAndChecksTheFolder(@TempDir Path dir) {
        SignedGraph g = network(4);
        N2Storage auto = new N2Storage(N2Storage.Mode.AUTO, dir);
        assertEquals(N2Storage.Mode.HEAP, N2Budget.require(g, 3, 2, auto).mode(), "a tiny network fits the heap");
        assertEquals(
                N2Storage.Mode.MAPPED,
                N2Budget.require(g, 3, 2, auto.fixed(ShuffledEdges.Storage.MAPPED))
                        .mode());
        N2Storage nowhere = new N2Storage(N2Storage.Mode.MAPPED, dir.resolve("absent"));
        NnfrustException e = Assertions.assertThrows(NnfrustException.class, () -> N2Budget.require(g, 1, 1, nowhere));
        assertTrue(e.getMessage().contains("which is not a folder"), e.getMessage());
        assertEquals(
                N2Storage.Mode.MAPPED, N2Budget.require(g, 0, 4, nowhere).mode(), "no N2 network: nothing checked");
        // heap bytes: 4 per learnable edge on the heap plus 48 per node; mapped convolutions leave the heap
        assertEquals(
                4.0 * ShuffledEdges.learnableEdges(g) + 48.0 * g.nodeCount(),
                N2Budget.bytes(g, ShuffledEdges.Storage.HEAP),
                0.0);
        assertEquals(
                4.0 * (ShuffledEdges.learnableEdges(g) - ShuffledEdges.convolutionEdges(g)) + 48.0 * g.nodeCount(),
                N2Budget.bytes(g, ShuffledEdges.Storage.MAPPED),
                0.0);
    }

    private static N2Storage policy(String mode) {
        Properties p = new Properties();
        p.setProperty("nnfrust.n2.storage", mode);
        p.setProperty("nnfrust.n2.dir", "/some/where");
        N2Storage s = N2Storage.of(p);
        assertEquals(Path.of("/some/where"), s.mappedDir());
        return s;
    }

    @Test
    void n2IsTheFeistelPermutationOfTheCanonicalEdgeWeights() {
        for (long net = 5; net <= 8; net++) {
            checkN2AgainstFeistel(network(net), 31 + net);
        }
    }

    private static void checkN2AgainstFeistel(SignedGraph g, long seed) {
        // independent path: the original learnable edge weights listed in canonical order, permuted with pi directly
        int total = (int) ShuffledEdges.learnableEdges(g);
        float[] source = new float[total];
        int at = 0;
        for (EdgeBlock b : g.blocks()) {
            if (b instanceof ConvolutionBlock c) {
                PerEdgeConvolutionBlock.canonicalOrder(c, source, at);
                at += (int) c.edgeCount();
            } else if (b instanceof DenseBlock d) {
                System.arraycopy(d.matrix(), 0, source, at, d.matrix().length);
                at += d.matrix().length;
            }
        }
        assertEquals(total, at);
        FeistelPermutation pi = new FeistelPermutation(total, seed);
        SignedGraph n2 = new ShuffledEdges().apply(g, seed);
        long e = 0;
        for (EdgeBlock b : n2.blocks()) {
            if (b instanceof PerEdgeConvolutionBlock p) {
                for (long k = 0; k < p.edgeCount(); k++, e++) {
                    float expected = source[(int) pi.inverse(e)];
                    assertEquals(expected, p.canonicalWeight(k), 0.0, "edge " + e);
                    assertEquals(expected, ShuffledEdges.weightOf(g, seed, e), 0.0, "pointwise query, edge " + e);
                }
            } else if (b instanceof DenseBlock d) {
                for (float w : d.matrix()) {
                    assertEquals(source[(int) pi.inverse(e)], w, 0.0);
                    e++;
                }
            }
        }
        assertEquals(total, e);
    }
}
