package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Perturbation;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.onnx.OnnxTensors;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Near-monotonicity (paper eq. 10) end to end on small ONNX networks whose monotonicity is known. */
class MonotonicityExperimentTest {
    @TempDir
    static Path dir;

    static ModelProto network(long seed) {
        return SmallOnnx.network(seed);
    }

    static ModelProto mapWeights(ModelProto m, BiFunction<String, Float, Float> f, long seed) {
        return SmallOnnx.mapWeights(m, f, seed);
    }

    static List<Path> images(String sub, int count) throws Exception {
        return ImageSet.list(SmallOnnx.images(dir.resolve(sub), count, 7), 0);
    }

    static MonotonicityExperiment.Config config(List<Variant> variants, int p, long seed) {
        return new MonotonicityExperiment.Config(
                new ImageInputs(
                        "test",
                        "-",
                        ImportOptions.DEFAULT,
                        Path.of("imgs"),
                        0,
                        ImagePreprocessor.Preset.RAW,
                        8,
                        InferenceSession.Precision.FLOAT32),
                new AmplitudeSchedule(0.01, 50, p, true),
                variants,
                null,
                SolverKind.ALGORITHM1,
                1,
                1,
                WeightInit.HE_NORMAL,
                WeightWriter.BiasPolicy.ZERO,
                seed,
                SolverOptions.DEFAULT);
    }

    static ModelLoader.Loaded loaded(ModelProto m) {
        return new ModelLoader.Loaded(m, OnnxImporter.importModel(m, "mono", "mono", "-", ImportOptions.DEFAULT));
    }

    static SpinFile spins(Network net, Function<Integer, Integer> spinOfNode) {
        double[] s = new double[net.graph().nodeCount()];
        for (int i = 0; i < s.length; i++) {
            s[i] = spinOfNode.apply(i);
        }
        return SpinFile.of(s, net.inputNodes(), net.outputNodes(), Double.NaN);
    }

    static MonotonicityExperiment.Result run(
            List<OrderedNetwork> vs, List<Path> files, MonotonicityExperiment.Config c, int batch) {
        return MonotonicityExperiment.run(
                new ModelLoader.Loaded(vs.get(0).model(), vs.get(0).network()),
                vs,
                new ImageSource(files, new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 8, 8, 8), null, batch),
                c,
                RunControl.simple(1),
                List.of());
    }

    @Test
    void nonnegativeReluNetworkIsMonotoneAlongTheIdentityOrder() throws Exception {
        ModelProto m = mapWeights(network(3), (n, v) -> Math.abs(v), 11);
        ModelLoader.Loaded l = loaded(m);
        List<Path> files = images("nonneg", 6);
        var real = MonotonicityNetworks.real(l, spins(l.network(), i -> 1), "S = I");
        var random = MonotonicityNetworks.randomOrder(l);
        var randomOut = MonotonicityNetworks.halfRandom(real, Variant.RANDOM_OUTPUT);
        var c = config(List.of(Variant.REAL, Variant.RANDOM_ORDER, Variant.RANDOM_OUTPUT), 12, 5);
        var out = run(List.of(real, random, randomOut), files, c, 5);
        assertEquals(6, out.images().size());
        for (var im : out.images()) {
            var v = im.variants().get(Variant.REAL);
            for (int a : v.aligned()) {
                assertEquals(v.outputs(), a, "every logit must grow along S = I");
            }
        }
        var s = MonotonicityStatistics.summarize(Variant.REAL, out.images(), 12);
        assertEquals(0.5, s.lambda().lambda());
        assertEquals(1.0, s.meanOmega());
        assertEquals(6, s.imagesAllAbove());
        // the same perturbation sizes along a random order do not keep every logit aligned
        // along S_x = I every logit rises, so with a random S_y (drawn from the image's order seed after the n0
        // input signs) Omega is the share of +1 output signs, the same for all perturbations of the image
        var seeds = MonotonicityExperiment.Seeds.of(5, files.size());
        for (var im : out.images()) {
            SplittableRandom r = new SplittableRandom(new SplittableRandom(seeds.images()[im.index()]).nextLong());
            Perturbation.randomSigns(r, 192);
            byte[] sy = Perturbation.randomSigns(r, 6);
            int plus = 0;
            for (byte b : sy) {
                plus += b > 0 ? 1 : 0;
            }
            var v = im.variants().get(Variant.RANDOM_OUTPUT);
            for (int p = 0; p < 12; p++) {
                assertEquals(plus, v.aligned()[p], "image " + im.index());
            }
        }
        var sr = MonotonicityStatistics.summarize(Variant.RANDOM_ORDER, out.images(), 12);
        assertTrue(sr.meanOmega() < 0.99, "random order mean Omega " + sr.meanOmega());
        assertTrue(sr.lambda().lambda() < 0.5);
    }

    @Test
    void signFlippedLayerIsMonotoneAlongItsBalancingGauge() throws Exception {
        ModelProto m = mapWeights(network(4), (n, v) -> n.startsWith("conv2") ? -Math.abs(v) : Math.abs(v), 12);
        ModelLoader.Loaded l = loaded(m);
        Network net = l.network();
        // the gauge comes from the frustration computation itself: the graph is balanced, eps = 0
        var r = FrustrationRunner.run(
                new SpinGlass(net.graph()),
                Solvers.byName("algorithm1"),
                SolverOptions.DEFAULT.withInitialFlips(500),
                2,
                9,
                1,
                null);
        assertEquals(0.0, r.best().result().epsilon());
        double[] s = r.best().result().spins();
        SpinFile gauge = SpinFile.of(s, net.inputNodes(), net.outputNodes(), 0);
        byte[] sx = gauge.inputSpins(), sy = gauge.outputSpins();
        for (byte b : sy) {
            assertEquals(-sx[0], b, "one flipped layer: outputs fall when inputs rise");
        }
        List<Path> files = images("flipped", 5);
        var c = config(List.of(Variant.REAL), 10, 6);
        var out = run(List.of(MonotonicityNetworks.real(l, gauge, "gauge")), files, c, 4);
        for (var im : out.images()) {
            for (int a : im.variants().get(Variant.REAL).aligned()) {
                assertEquals(6, a);
            }
        }
        assertEquals(
                0.5,
                MonotonicityStatistics.summarize(Variant.REAL, out.images(), 10)
                        .lambda()
                        .lambda());
        // along S = I the same network moves every logit the other way
        var out2 = run(List.of(MonotonicityNetworks.real(l, spins(net, i -> 1), "I")), files, c, 4);
        for (var im : out2.images()) {
            var v = im.variants().get(Variant.REAL);
            for (int p = 0; p < v.aligned().length; p++) {
                assertEquals(v.ties()[p], v.aligned()[p], "only unmoved logits can be aligned along S = I");
            }
        }
    }

    @Test
    void seedsReproduceTheSameOmegaWhateverTheBatch() throws Exception {
        ModelLoader.Loaded l = loaded(network(5));
        Network net = l.network();
        SplittableRandom rs = new SplittableRandom(3);
        SpinFile sp = spins(net, i -> rs.nextBoolean() ? 1 : -1);
        List<Path> files = images("seeds", 5);
        var vs = List.of(MonotonicityNetworks.real(l, sp, "random"), MonotonicityNetworks.randomOrder(l));
        var c = config(List.of(Variant.REAL, Variant.RANDOM_ORDER), 9, 77);
        var a = run(vs, files, c, 16);
        var b = run(vs, files, c, 2);
        var d = run(vs, files, config(List.of(Variant.REAL, Variant.RANDOM_ORDER), 9, 78), 16);
        boolean differs = false;
        for (int k = 0; k < 5; k++) {
            var x = a.images().get(k);
            var y = b.images().get(k);
            assertArrayEquals(x.deltaNorm(), y.deltaNorm());
            for (Variant v : List.of(Variant.REAL, Variant.RANDOM_ORDER)) {
                assertArrayEquals(
                        x.variants().get(v).aligned(), y.variants().get(v).aligned());
                assertArrayEquals(
                        x.variants().get(v).kept(), y.variants().get(v).kept());
            }
            differs |= !Arrays.equals(x.deltaNorm(), d.images().get(k).deltaNorm());
            // ||delta||_2 = a ||u||_2 with u in (0,1): between 0 and a sqrt(n0)
            for (int p = 0; p < 9; p++) {
                assertTrue(x.deltaNorm()[p] > 0 && x.deltaNorm()[p] < x.amplitude()[p] * Math.sqrt(192));
            }
        }
        assertTrue(differs, "another seed must draw other perturbations");
    }

    @Test
    void n3WeightsWrittenIntoOnnxImportBackToTheNullGraph() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("layouts", 8, WeightInit.HE_NORMAL);
        String x = b.input("x", 2, 6, 6);
        String c = b.relu(b.conv("conv", x, 3, 3, 1, 0, 1, true));
        String f = b.flatten(c);
        String g1 = b.relu(b.gemm("g1", f, 7, 0.5f, false));
        String g2 = b.relu(b.gemm("g2", g1, 5, 2f, true));
        ModelProto m = b.build(b.matMul("mm", g2, 4));
        m = mapWeights(m, (n, v) -> v, 2); // random biases
        ModelLoader.Loaded l = loaded(m);
        Network net = l.network();
        assertEquals(4, net.weights().size());
        for (WeightInit init : WeightInit.values()) {
            SignedGraph n3 = new ReinitializedWeights(init).apply(net.graph(), 42);
            ModelLoader.Loaded back = MonotonicityNetworks.n3Network(l, init, WeightWriter.BiasPolicy.ZERO, 42);
            List<EdgeBlock> want = n3.blocks(), got = back.network().graph().blocks();
            assertEquals(want.size(), got.size());
            int weighted = 0;
            for (int i = 0; i < want.size(); i++) {
                if (want.get(i) instanceof ConvolutionBlock cw) {
                    assertArrayEquals(cw.kernel(), ((ConvolutionBlock) got.get(i)).kernel(), 0f);
                    assertFalse(Arrays.equals(
                            cw.kernel(),
                            ((ConvolutionBlock) net.graph().blocks().get(i)).kernel()));
                    weighted++;
                } else if (want.get(i) instanceof DenseBlock dw) {
                    // alpha 0.5 and 2 are undone on writing and applied again on import: equal up to rounding
                    assertArrayEquals(dw.matrix(), ((DenseBlock) got.get(i)).matrix(), 1e-6f);
                    weighted++;
                }
            }
            assertEquals(4, weighted);
            for (TensorProto t : back.model().getGraph().getInitializerList()) {
                if (t.getName().endsWith(".bias")) {
                    for (float v : OnnxTensors.floats(t)) {
                        assertEquals(0f, v);
                    }
                }
            }
            // ONNX Runtime runs the rewritten model: with zero biases the network is positively homogeneous
            try (InferenceSession s = new InferenceSession(
                    back.model(), back.network(), List.of(), InferenceSession.Precision.FLOAT32, 1)) {
                float[] in = new float[72];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (float) Math.sin(i);
                }
                float[] y1 = s.run(in, 1).get(back.network().outputName());
                float[] in3 = in.clone();
                for (int i = 0; i < in3.length; i++) {
                    in3[i] *= 3;
                }
                float[] y3 = s.run(in3, 1).get(back.network().outputName());
                for (int i = 0; i < y1.length; i++) {
                    assertEquals(3 * y1[i], y3[i], 1e-4 * (1 + Math.abs(y3[i])));
                }
            }
        }
        ModelProto kept = WeightWriter.write(m, net, net.graph(), WeightWriter.BiasPolicy.KEEP);
        assertEquals(
                m.getGraph().getInitializerList().size(),
                kept.getGraph().getInitializerList().size());
        for (int i = 0; i < m.getGraph().getInitializerCount(); i++) {
            assertArrayEquals(
                    OnnxTensors.floats(m.getGraph().getInitializer(i)),
                    OnnxTensors.floats(kept.getGraph().getInitializer(i)),
                    1e-6f);
        }
    }

    @Test
    void spinsOfAnotherNetworkAreRefused() {
        ModelLoader.Loaded l = loaded(network(6));
        SpinFile wrong = SpinFile.of(new double[10], new int[3], new int[2], 0.1);
        var e = assertThrows(NnfrustException.class, () -> MonotonicityNetworks.real(l, wrong, "x.spins"));
        assertTrue(e.getMessage().startsWith("x.spins: spins for 10 nodes"), e.getMessage());
    }

    /**
     * Omega and its ties against ONNX Runtime run directly (its own session, batch 1) on x2 = x1 + a S_x u for
     * random spins: the perturbation rebuilt here from the documented seeds (image seed -> order seed, then one
     * seed per perturbation; u from {@link Perturbation#uniform}), the logits compared by definition:
     * aligned = #{i : s_y,i (y2_i - y1_i) >= 0}, ties = #{i : y2_i = y1_i}. Two logits have zero weights, so they
     * never move and every perturbation has ties.
     */
    @Test
    void omegaAndTiesEqualOnnxRuntimeRunDirectly() throws Exception {
        ModelProto m = network(11);
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            var t = g.getInitializer(i);
            if (t.getName().equals("fc.weight")) {
                float[] w = OnnxTensors.floats(t);
                int in = w.length / 6;
                Arrays.fill(w, 0, in, 0f);
                Arrays.fill(w, 3 * in, 4 * in, 0f);
                g.setInitializer(i, OnnxTensors.withValues(t, w));
            }
        }
        m = m.toBuilder().setGraph(g).build();
        ModelLoader.Loaded l = loaded(m);
        Network net = l.network();
        SplittableRandom rs = new SplittableRandom(4);
        SpinFile sp = spins(net, i -> rs.nextBoolean() ? 1 : -1);
        List<Path> files = images("ort", 3);
        int P = 7;
        var c = config(List.of(Variant.REAL), P, 99);
        var outcome = run(List.of(MonotonicityNetworks.real(l, sp, "random")), files, c, 1);
        byte[] sx = sp.inputSpins(), sy = sp.outputSpins();
        ImagePreprocessor pre = new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 8, 8, 8);
        long[] imageSeeds = MonotonicityExperiment.Seeds.of(99, files.size()).images();
        var env = OrtEnvironment.getEnvironment();
        int checkedTies = 0;
        try (var session = env.createSession(m.toByteArray(), new OrtSession.SessionOptions())) {
            String input = session.getInputNames().iterator().next();
            for (int k = 0; k < files.size(); k++) {
                float[] x1 = pre.load(files.get(k));
                float[] y1 = logits(env, session, input, x1);
                SplittableRandom imageRandom = new SplittableRandom(imageSeeds[k]);
                imageRandom.nextLong(); // the order seed (random orders only)
                var result = outcome.images().get(k).variants().get(Variant.REAL);
                for (int p = 0; p < P; p++) {
                    float[] u = new float[x1.length];
                    Perturbation.uniform(new SplittableRandom(imageRandom.nextLong()), u, u.length);
                    double a = c.amplitudes().amplitude(p);
                    float[] x2 = new float[x1.length];
                    for (int e = 0; e < x1.length; e++) {
                        x2[e] = (float) (x1[e] + a * sx[e] * u[e]);
                    }
                    float[] y2 = logits(env, session, input, x2);
                    int aligned = 0, ties = 0;
                    for (int o = 0; o < y1.length; o++) {
                        double d = (double) y2[o] - y1[o];
                        aligned += sy[o] * d >= 0 ? 1 : 0;
                        ties += y2[o] == y1[o] ? 1 : 0;
                    }
                    assertEquals(aligned, result.aligned()[p], "aligned, image " + k + ", perturbation " + p);
                    assertEquals(ties, result.ties()[p], "ties, image " + k + ", perturbation " + p);
                    checkedTies += ties;
                }
            }
        }
        assertTrue(checkedTies >= 2 * P * files.size(), "the two dead logits tie every time: " + checkedTies);
    }

    private static float[] logits(OrtEnvironment env, OrtSession s, String input, float[] x) throws Exception {
        try (var t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 8, 8});
                var r = s.run(Map.of(input, t))) {
            float[][] y = (float[][]) r.get(0).getValue();
            return y[0];
        }
    }
}
