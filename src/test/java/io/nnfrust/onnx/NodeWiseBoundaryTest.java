package io.nnfrust.onnx;

import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.k;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.load;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.node;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.reference;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.refused;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.with;
import static io.nnfrust.onnx.ArithmeticAndNodeWiseTest.withF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.StateProbe;
import io.nnfrust.model.WeightInit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The edges of the node-wise operators' rules: which activations zero nodes as a ReLU does (the active subnetwork
 * reads them), the limits of monotone parameters (0 allowed, below refused), the parameters counted, and BatchNorm
 * folding at its limits (zero variance, folded twice, after a dense layer).
 */
class NodeWiseBoundaryTest {
    private static long reluProbes(Network n, String tensor) {
        return n.probes().stream()
                .filter(p -> p.kind() == StateProbe.Kind.RELU && p.tensor().equals(tensor))
                .count();
    }

    private static Network one(NodeProto n, OnnxMl.TensorProto... consts) {
        return load(with(List.of(n), List.of(consts)), ImportOptions.DEFAULT);
    }

    @Test
    void reluAndClipAtZeroZeroNodesOtherActivationsDoNot() {
        assertEquals(1, reluProbes(one(node("Relu", "y", "a")), "y"));
        assertEquals(
                1,
                reluProbes(
                        one(node("Clip", "y", "a", "lo", "hi"), k("lo", new int[0], 0f), k("hi", new int[0], 6f)), "y"),
                "ReLU6: Clip with min 0");
        assertEquals(0, reluProbes(one(node("Clip", "y", "a", "lo"), k("lo", new int[0], -1f)), "y"), "min -1");
        assertEquals(0, reluProbes(one(node("Clip", "y", "a", "lo"), k("lo", new int[0], 1e-3f)), "y"), "min > 0");
        assertEquals(0, reluProbes(one(node("Clip", "y", "a")), "y"), "no min: the lowest float");
        assertEquals(1, reluProbes(one(withF(node("Clip", "y", "a"), "min", 0f)), "y"), "opset 6 attribute min 0");
        assertEquals(0, reluProbes(one(withF(node("Clip", "y", "a"), "min", -2f)), "y"), "attribute min -2");
        assertEquals(0, reluProbes(one(withF(node("Clip", "y", "a"), "max", 6f)), "y"), "attribute max only");
        for (String op : new String[] {"Sigmoid", "Tanh", "Identity", "Softplus"}) {
            assertEquals(0, reluProbes(one(node(op, "y", "a")), "y"), op);
        }
    }

    @Test
    void zeroIsTheLimitOfMonotoneParameters() {
        Network ref = reference();
        for (String op : new String[] {"LeakyRelu", "Elu", "Celu", "HardSigmoid"}) {
            assertEquals(
                    ref.graph().edgeCount(),
                    one(withF(node(op, "y", "a"), "alpha", 0f)).graph().edgeCount(),
                    op);
            assertTrue(
                    refused(with(List.of(withF(node(op, "y", "a"), "alpha", -1e-6f)), List.of()))
                            .contains(op),
                    op);
        }
        one(withF(withF(node("Selu", "y", "a"), "alpha", 0f), "gamma", 1f));
        assertTrue(refused(with(List.of(withF(node("Selu", "y", "a"), "gamma", 0f)), List.of()))
                .contains("gamma 0"));
        assertTrue(refused(with(List.of(withF(node("Selu", "y", "a"), "alpha", -0.1f)), List.of()))
                .contains("Selu"));
        Network prelu = one(node("PRelu", "y", "a", "s"), k("s", new int[] {1, 3, 1, 1}, 0f, 0.2f, 1f));
        assertEquals(ref.parameters() + 3, prelu.parameters(), "PRelu's slopes are parameters");
    }

    private static final OnnxMl.TensorProto[] BN = {
        k("g", new int[] {3}, 2f, 1f, 1f),
        k("be", new int[] {3}, 0, 1, 0),
        k("mu", new int[] {3}, 0, 0, 0),
        k("var", new int[] {3}, 0f, 1f, 3f)
    };

    /** Σ|w| of the edges into conv a's channels (nodes 32..79). */
    private static double[] channelWeight(Network n) {
        double[] s = new double[3];
        n.graph().forEachEdge((src, t, w) -> {
            if (t >= 32 && t < 80) {
                s[(t - 32) / 16] += Math.abs(w);
            }
        });
        return s;
    }

    @Test
    void batchNormFoldsAtZeroVarianceAndTwiceAndRefusesANonPositiveVariance() {
        Network ref = reference();
        NodeProto bn = withF(node("BatchNormalization", "y", "a", "g", "be", "mu", "var"), "epsilon", 0.25f);
        Network once = load(with(List.of(bn), List.of(BN)), ImportOptions.DEFAULT);
        double[] r = channelWeight(ref), f = channelWeight(once);
        double[] scale = {2 / Math.sqrt(0.25), 1 / Math.sqrt(1.25), 1 / Math.sqrt(3.25)};
        for (int c = 0; c < 3; c++) {
            assertEquals(r[c] * scale[c], f[c], 1e-5 * f[c], "once, channel " + c);
        }
        assertEquals(ref.parameters() + 3, once.parameters(), "a bias-free conv gains one bias per channel");
        // folded twice: a -> BN -> BN, the scales multiply and the biases are counted once
        NodeProto bn2 = withF(node("BatchNormalization", "z", "y", "g", "be", "mu", "var"), "epsilon", 0.25f);
        ModelProto twice = with(List.of(bn, bn2), List.of(BN));
        var g = twice.getGraph().toBuilder();
        var out = g.getOutput(0).toBuilder().setName("z");
        g.setOutput(0, out);
        Network t = load(twice.toBuilder().setGraph(g).build(), ImportOptions.DEFAULT);
        double[] tw = channelWeight(t);
        for (int c = 0; c < 3; c++) {
            assertEquals(r[c] * scale[c] * scale[c], tw[c], 1e-5 * tw[c], "twice, channel " + c);
        }
        assertEquals(ref.parameters() + 3, t.parameters(), "the second fold adds no bias");
        assertEquals(2, t.report().batchNormsFolded());
        float[] channelScale = t.weights().stream()
                .filter(w -> w.channelScale() != null)
                .findFirst()
                .orElseThrow()
                .channelScale();
        for (int c = 0; c < 3; c++) {
            assertEquals(scale[c] * scale[c], channelScale[c], 1e-5 * scale[c] * scale[c], "binding scale " + c);
        }
        // variance + epsilon = 0: nothing to divide by
        NodeProto zero = withF(node("BatchNormalization", "y", "a", "g", "be", "mu", "var"), "epsilon", 0f);
        String msg = refused(with(List.of(zero), List.of(BN)));
        assertTrue(msg.contains("channel 0") && msg.contains("--batchnorm node"), msg);
    }

    @Test
    void batchNormAfterADenseLayerFolds() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("bn-dense", 3, WeightInit.HE_NORMAL);
        String x = b.input("x", 2, 2, 2);
        String d = b.gemm("d", b.flatten(x), 3);
        ModelProto m = b.build(d);
        var g = m.getGraph().toBuilder();
        for (var t : BN) {
            g.addInitializer(t);
        }
        g.addNode(withF(node("BatchNormalization", "y", d, "g", "be", "mu", "var"), "epsilon", 0.25f));
        var out = g.getOutput(0).toBuilder().setName("y");
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, out);
        Network plain = load(m, ImportOptions.DEFAULT);
        Network folded = load(m.toBuilder().setGraph(g).build(), ImportOptions.DEFAULT);
        assertEquals(1, folded.report().batchNormsFolded(), "[N, C] input of a Gemm: folded");
        assertEquals(plain.graph().edgeCount(), folded.graph().edgeCount());
        assertEquals(plain.graph().absWeightSum() > 0, true);
        assertTrue(
                Math.abs(folded.graph().absWeightSum() - plain.graph().absWeightSum()) > 1e-6,
                "the dense weights are scaled");
    }
}
