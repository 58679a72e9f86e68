package io.nnfrust.active;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.TopK;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.StateProbe;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.onnx.OnnxTensors;
import io.nnfrust.testing.RandomNetworks;
import io.nnfrust.testing.SharedData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ActiveSubnetworkTest {
    /** Replaces the values of initializer {@code name}. */
    static ModelProto withWeights(ModelProto m, String name, int[] dims, float... values) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(name)) {
                g.setInitializer(i, OnnxTensors.floatTensor(name, dims, values));
                return m.toBuilder().setGraph(g).build();
            }
        }
        throw new IllegalArgumentException(name);
    }

    /**
     * input x [1,1,1,4] -> 1x1 conv (channel 0: w 1, b 0; channel 1: w 2, b -2.2) -> ReLU -> max-pool 1x2 stride 2
     * -> flatten -> dense 4 -> 3. With x = (1, 1, 1.2, 1.5):
     * conv = (1, 1, 1.2, 1.5 | -0.2, -0.2, 0.2, 0.8); ReLU zeroes c1_0, c1_1.
     * pool p0_0 = max(1, 1): a tie, both edges kept; p0_1 = max(1.2, 1.5): c0_3; p1_0 = max(0, 0): only switched-off
     * inputs, no edge; p1_1 = max(0.2, 0.8): c1_3. Dense rows (0.5,0,0,0), (0,1,0,-1), (-1,0,1,0) give logits
     * (0.5, 0.7, -1): class 1. Dead ends: c0_2 and c1_2 (window losers), hence input i2.
     */
    static ModelProto handBuilt() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("hand", 1, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 1, 4);
        String c = b.conv("conv", x, 2, 1, 1, 0, 1, true);
        String r = b.relu(c);
        String p = b.pool("MaxPool", r, 1, 2, 2, new int[] {0, 0, 0, 0}, false);
        String f = b.flatten(p);
        String y = b.gemm("fc", f, 3);
        ModelProto m = b.build(y);
        m = withWeights(m, "conv.weight", new int[] {2, 1, 1, 1}, 1f, 2f);
        m = withWeights(m, "conv.bias", new int[] {2}, 0f, -2.2f);
        m = withWeights(m, "fc.weight", new int[] {3, 4}, 0.5f, 0, 0, 0, 0, 1, 0, -1, -1, 0, 1, 0);
        return withWeights(m, "fc.bias", new int[] {3}, 0f, 0f, 0f);
    }

    @Test
    void handBuiltNetworkGivesTheActiveSubnetworkWorkedOutByHand() {
        ModelProto m = handBuilt();
        Network net = OnnxImporter.importModel(m, "hand", "hand", "-", ImportOptions.DEFAULT);
        Map<String, float[]> t;
        try (InferenceSession s = new InferenceSession(
                m, net, ActiveSubnetwork.tensorsNeeded(net), InferenceSession.Precision.FLOAT32, 1)) {
            t = s.run(new float[] {1f, 1f, 1.2f, 1.5f}, 1);
        }
        float[] logits = t.get(net.outputName());
        assertArrayEquals(new float[] {0.5f, 0.7f, -1f}, logits, 1e-6f);
        int predicted = TopK.argmax(logits, 0, 3);
        assertEquals(1, predicted);
        ActiveSubnetwork a = ActiveSubnetwork.of(net, t, 0, predicted);
        // node sets: input (4), conv (8), pool (4), fc (3)
        List<NodeSet> sets = net.graph().nodeSets();
        assertEquals(List.of(4, 8, 4, 3), sets.stream().map(NodeSet::size).toList());
        int in = sets.get(0).offset(),
                conv = sets.get(1).offset(),
                pool = sets.get(2).offset(),
                fc = sets.get(3).offset();
        TreeSet<Integer> expected = new TreeSet<>(List.of(
                in,
                in + 1,
                in + 3, // i2 is a dead end
                conv,
                conv + 1,
                conv + 3,
                conv + 4 + 3, // c0_2, c1_2 dead ends; c1_0, c1_1 ReLU zeros
                pool,
                pool + 1,
                pool + 2,
                pool + 3, // p1_0 has no in-edge left but reaches the output
                fc + 1)); // the predicted class only
        TreeSet<Integer> got = new TreeSet<>();
        for (int v = 0; v < a.mask().length; v++) {
            if (a.mask()[v] == 1) {
                got.add(v);
            }
        }
        assertEquals(expected, got);
        assertEquals(12, a.activeNodes());
        // edges: conv i0->c0_0, i1->c0_1, i3->c0_3 (w 1), i3->c1_3 (w 2); pool c0_0, c0_1 -> p0_0 (tie), c0_3 -> p0_1,
        // c1_3 -> p1_1 (w 0.01/sqrt 2); dense p0_0, p0_1, p1_0, p1_1 -> fc1 (w 0, 1, 0, -1)
        double pw = 0.01 / Math.sqrt(2);
        assertEquals(12, a.edgeCount());
        assertEquals(5 + 4 * pw + 2, a.absWeightSum(), 1e-12);
        SpinGlass glass = new SpinGlass(a.graph(), a.mask());
        assertEquals(a.absWeightSum(), glass.absWeightSum(), 1e-12, "backward pass and m^T|A|m must agree");
        // one frustrated cycle i3 -> c0_3 -> p0_1 -> fc1 <- p1_1 <- c1_3 <- i3 (sign product -): its lightest edge
        double epsAct = pw / a.absWeightSum();
        RestartResult exact = new ExactEnumeration().solve(glass, new SplittableRandom(1), SolverOptions.DEFAULT);
        assertEquals(epsAct, exact.epsilon(), 1e-12);
        for (String solver : List.of("algorithm1", "layered", "anneal")) {
            RestartResult r = Solvers.byName(solver)
                    .solve(glass, new SplittableRandom(3), SolverOptions.DEFAULT.withInitialFlips(5));
            assertTrue(r.epsilon() >= epsAct - 1e-12, solver);
            assertEquals(r.epsilon(), r.trackedEpsilon(), 1e-12, solver);
            for (int v = 0; v < glass.nodeCount(); v++) {
                if (a.mask()[v] == 0) {
                    assertTrue(r.spins()[v] == 0, solver + ": dropped nodes keep spin 0");
                }
            }
        }
        // the whole network is more frustrated than nothing: a different graph
        assertNotEquals(a.absWeightSum(), net.graph().absWeightSum());
    }

    @Test
    void maskedGlassEqualsTheExplicitSubgraphOnRandomMasks() {
        SignedGraph g = OnnxImporter.importModel(RandomNetworks.build(3, false), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
        SplittableRandom rnd = new SplittableRandom(5);
        double[] mask = new double[g.nodeCount()];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = rnd.nextInt(4) == 0 ? 0 : 1;
        }
        SpinGlass masked = new SpinGlass(g, mask);
        // explicit subgraph: keep the edges between kept nodes
        List<int[]> ends = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        g.forEachEdge((s, d, w) -> {
            if (mask[s] == 1 && mask[d] == 1) {
                ends.add(new int[] {s, d});
                weights.add(w);
            }
        });
        double abs = weights.stream().mapToDouble(Math::abs).sum();
        assertEquals(abs, masked.absWeightSum(), 1e-9 * abs);
        double[] s = masked.initialSpins(50, new SplittableRandom(2));
        double frustrated = 0;
        for (int k = 0; k < ends.size(); k++) {
            double w = weights.get(k);
            if (s[ends.get(k)[0]] * w * s[ends.get(k)[1]] < 0) {
                frustrated += Math.abs(w);
            }
        }
        assertEquals(frustrated / abs, masked.epsilon(s, false), 1e-9);
        RestartResult r = Solvers.byName("layered").solve(masked, new SplittableRandom(1), SolverOptions.DEFAULT);
        assertEquals(0, r.negativeRowSums());
        assertEquals(r.epsilon(), r.trackedEpsilon(), 1e-9);
    }

    private static Map<String, float[]> runImage(ModelLoader.Loaded l, Path image, List<String> extra) {
        Network net = l.network();
        ImagePreprocessor pre =
                new ImagePreprocessor(ImagePreprocessor.Preset.CAFFE, 256, net.inputShape()[2], net.inputShape()[3]);
        try (InferenceSession s = new InferenceSession(l.model(), net, extra, InferenceSession.Precision.FLOAT32, 2)) {
            return s.run(pre.load(image), 1);
        }
    }

    @Test
    void intermediateTensorsAgreeWithTheGraphsOwnProduct() {
        Path model = SharedData.require("models/squeezenet1.1-caffe.onnx");
        Path image = SharedData.require("data/imagenet-sample/n01440764_tench.JPEG");
        ModelLoader.Loaded l = ModelLoader.loadWithModel(model.toString(), ImportOptions.DEFAULT);
        Network net = l.network();
        NodeProto conv = l.model().getGraph().getNodeList().stream()
                .filter(n -> n.getOpType().equals("Conv") && n.getOutput(0).startsWith("fire9/expand3x3"))
                .findFirst()
                .orElseThrow();
        String inTensor = conv.getInput(0), outTensor = conv.getOutput(0);
        Map<String, float[]> t = runImage(l, image, List.of(inTensor, outTensor));
        StateProbe probe = net.probes().stream()
                .filter(p -> p.tensor().equals(inTensor))
                .findFirst()
                .orElseThrow();
        SignedGraph g = net.graph();
        double[] x = new double[g.nodeCount()], y = new double[g.nodeCount()];
        float[] in = t.get(inTensor);
        for (int e = 0; e < probe.elements(); e++) {
            x[probe.node(e)] = in[e];
        }
        g.multiply(x, y, true);
        NodeSet set = g.nodeSets().stream()
                .filter(s -> s.name().equals(conv.getName().isEmpty() ? conv.getOutput(0) : conv.getName()))
                .findFirst()
                .orElseThrow();
        TensorProto biasTensor = l.model().getGraph().getInitializerList().stream()
                .filter(i -> i.getName().equals(conv.getInput(2)))
                .findFirst()
                .orElseThrow();
        float[] bias = OnnxTensors.floats(biasTensor);
        float[] out = t.get(outTensor);
        assertEquals(set.size(), out.length);
        int plane = set.height() * set.width();
        double maxErr = 0, maxVal = 0;
        for (int k = 0; k < out.length; k++) {
            double mine = y[set.offset() + k] + bias[k / plane];
            maxErr = Math.max(maxErr, Math.abs(mine - out[k]));
            maxVal = Math.max(maxVal, Math.abs(out[k]));
        }
        assertTrue(maxVal > 1, "a real activation, not zeros");
        assertTrue(maxErr < 1e-4 * maxVal, "A x + b vs ONNX Runtime: max error " + maxErr + " of " + maxVal);
    }

    @Test
    void fp16AndFp32FilesGiveTheSameActiveSubnetwork() {
        Path f32 = SharedData.require("models/squeezenet1.1-caffe.onnx");
        Path f16 = SharedData.require("models/squeezenet1.1-caffe-fp16.onnx");
        Path image = SharedData.require("data/imagenet-sample/n01530575_brambling.JPEG");
        ActiveSubnetwork[] a = new ActiveSubnetwork[2];
        int k = 0;
        for (Path p : List.of(f32, f16)) {
            ModelLoader.Loaded l = ModelLoader.loadWithModel(p.toString(), ImportOptions.DEFAULT);
            Map<String, float[]> t = runImage(l, image, ActiveSubnetwork.tensorsNeeded(l.network()));
            float[] logits = t.get(l.network().outputName());
            a[k++] = ActiveSubnetwork.of(l.network(), t, 0, TopK.argmax(logits, 0, logits.length));
        }
        assertEquals(a[0].predictedClass(), a[1].predictedClass());
        assertArrayEquals(a[0].mask(), a[1].mask());
        assertEquals(a[0].edgeCount(), a[1].edgeCount());
        assertEquals(a[0].absWeightSum(), a[1].absWeightSum(), 0.0);
        // a real active subnetwork: a proper, non-trivial part of the network
        int n = a[0].mask().length;
        assertTrue(a[0].activeNodes() > n / 10 && a[0].activeNodes() < n, "active nodes " + a[0].activeNodes());
        assertTrue(a[0].edgeCount() > 0 && a[0].edgeCount() < 340_545_192L);
    }

    /**
     * Max pooling over a crop read as a view (issue 23): the pooling reads a window of the input planes, while the
     * probe tensor is the crop itself. The maxima edges, edge count, Σ|A_act| and active nodes equal those of the
     * same pooling over an input that is already the crop, for values with ties, for every predicted class.
     */
    @Test
    void maxPoolingOverACropKeepsTheEdgesFromTheMaximaOfTheCrop() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("crop", 5, WeightInit.HE_NORMAL);
        ModelProto view = b.build(b.gemm(
                "fc", b.flatten(b.maxPool(b.crop(b.input("x", 2, 6, 7), 1, 2, 4, 4), 2, 1, 0, false)), 3));
        OnnxGraphBuilder t = new OnnxGraphBuilder("twin", 5, WeightInit.HE_NORMAL);
        ModelProto twin = t.build(t.gemm("fc", t.flatten(t.maxPool(t.input("xc", 2, 4, 4), 2, 1, 0, false)), 3));
        float[] fc = OnnxTensors.floats(view.getGraph().getInitializerList().stream()
                .filter(i -> i.getName().equals("fc.weight"))
                .findFirst()
                .orElseThrow());
        twin = withWeights(twin, "fc.weight", new int[] {3, 18}, fc);
        Network nv = OnnxImporter.importModel(view, "v", "v", "-", ImportOptions.DEFAULT);
        Network nt = OnnxImporter.importModel(twin, "t", "t", "-", ImportOptions.DEFAULT);
        assertEquals(0, nv.report().copies());
        assertEquals(2 * 6 * 7 + 18 + 3, nv.graph().nodeCount());
        SplittableRandom r = new SplittableRandom(8);
        for (int trial = 0; trial < 20; trial++) {
            float[] crop = new float[32];
            for (int i = 0; i < crop.length; i++) {
                crop[i] = r.nextInt(3); // ties
            }
            List<String> vt = ActiveSubnetwork.tensorsNeeded(nv), tt = ActiveSubnetwork.tensorsNeeded(nt);
            assertEquals(List.of("xc"), tt);
            assertEquals(1, vt.size());
            for (int cls = 0; cls < 3; cls++) {
                ActiveSubnetwork a = ActiveSubnetwork.of(nv, Map.of(vt.get(0), crop), 0, cls);
                ActiveSubnetwork w = ActiveSubnetwork.of(nt, Map.of("xc", crop), 0, cls);
                assertEquals(w.edgeCount(), a.edgeCount(), "edges");
                assertEquals(w.absWeightSum(), a.absWeightSum(), 1e-12, "Σ|A_act|");
                assertEquals(w.activeNodes(), a.activeNodes(), "active nodes");
                // the maxima edges, the crop's node (c, r, q) = input (c, 1 + r, 2 + q) mapped to the twin's
                List<int[]> got = new ArrayList<>(), want = new ArrayList<>();
                a.graph().blocks().get(0).forEachEdge((src, dst, wt) -> {
                    int c = src / 42, row = src % 42 / 7 - 1, q = src % 7 - 2;
                    assertTrue(row >= 0 && row < 4 && q >= 0 && q < 4, "an edge from outside the crop");
                    got.add(new int[] {(c * 4 + row) * 4 + q, dst - 84 + 32});
                });
                w.graph().blocks().get(0).forEachEdge((src, dst, wt) -> want.add(new int[] {src, dst}));
                assertEquals(sortedPairs(want), sortedPairs(got));
            }
        }
    }

    private static TreeSet<String> sortedPairs(List<int[]> pairs) {
        TreeSet<String> s = new TreeSet<>();
        for (int[] p : pairs) {
            assertTrue(s.add(p[0] + ">" + p[1]), "a repeated edge");
        }
        return s;
    }
}
