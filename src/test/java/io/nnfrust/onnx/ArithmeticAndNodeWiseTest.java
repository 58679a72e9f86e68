package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Element-wise arithmetic and node-wise activations, each on a small network x [1,2,4,4] -> conv a (3 channels)
 * [-> conv b]: what acts on nodes adds no edge (a bias adds its parameters), a residual Add of two activations
 * merges or gets its own node set, and every construct outside the paper's model is refused in one line naming it.
 */
class ArithmeticAndNodeWiseTest {
    static final int[] A = {1, 3, 4, 4};

    record Built(ModelProto model, Network plain) {}

    /** x -> conv a -> conv b (both 3 channels, 4x4, padding 1); the extra nodes read "a" and "b" and write "y". */
    static ModelProto with(List<NodeProto> extra, List<OnnxMl.TensorProto> consts) {
        OnnxGraphBuilder bld = new OnnxGraphBuilder("ar", 2, WeightInit.HE_NORMAL);
        String x = bld.input("x", 2, 4, 4);
        String a = bld.conv("a", x, 3, 3, 1, 1, 1, false);
        String b = bld.conv("b", x, 3, 3, 1, 1, 1, false);
        ModelProto m = bld.build(b);
        var g = m.getGraph().toBuilder();
        for (var t : consts) {
            g.addInitializer(t);
        }
        for (NodeProto n : extra) {
            g.addNode(n);
        }
        var out = g.getOutput(0).toBuilder().setName("y");
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, out);
        if (!a.equals("a") || !b.equals("b")) {
            throw new IllegalStateException(a + " " + b);
        }
        return m.toBuilder().setGraph(g).build();
    }

    static NodeProto node(String op, String out, String... in) {
        NodeProto.Builder n =
                NodeProto.newBuilder().setOpType(op).setName(out + "_" + op).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        return n.build();
    }

    static NodeProto withF(NodeProto n, String attr, float v) {
        return n.toBuilder()
                .addAttribute(AttributeProto.newBuilder()
                        .setName(attr)
                        .setType(AttributeProto.AttributeType.FLOAT)
                        .setF(v))
                .build();
    }

    static OnnxMl.TensorProto k(String name, int[] dims, float... v) {
        return OnnxTensors.floatTensor(name, dims, v);
    }

    static Network load(ModelProto m, ImportOptions o) {
        return OnnxImporter.importModel(m, "t", "t", "-", o);
    }

    static String refused(ModelProto m) {
        NnfrustException e = assertThrows(NnfrustException.class, () -> load(m, ImportOptions.DEFAULT));
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    /** The network of a and b with "y" = a through the identity (the reference counts). */
    static Network reference() {
        return load(with(List.of(node("Identity", "y", "a")), List.of()), ImportOptions.DEFAULT);
    }

    @Test
    void constantsActOnNodes() {
        Network ref = reference();
        OnnxMl.TensorProto bias = k("k", new int[] {1, 3, 1, 1}, 0.5f, -1f, 2f);
        OnnxMl.TensorProto pos = k("p", new int[] {1}, 2.5f);
        for (NodeProto n :
                new NodeProto[] {node("Add", "y", "a", "k"), node("Add", "y", "k", "a"), node("Sub", "y", "a", "k")}) {
            Network net = load(with(List.of(n), List.of(bias)), ImportOptions.DEFAULT);
            assertEquals(ref.graph().nodeCount(), net.graph().nodeCount(), n.getOpType());
            assertEquals(ref.graph().edgeCount(), net.graph().edgeCount(), n.getOpType());
            assertEquals(ref.parameters() + 3, net.parameters(), n.getOpType() + ": a bias counts its parameters");
        }
        for (NodeProto n :
                new NodeProto[] {node("Mul", "y", "a", "p"), node("Mul", "y", "p", "a"), node("Div", "y", "a", "p")}) {
            Network net = load(with(List.of(n), List.of(pos)), ImportOptions.DEFAULT);
            assertEquals(ref.graph().edgeCount(), net.graph().edgeCount(), n.getOpType());
            assertEquals(ref.graph().absWeightSum(), net.graph().absWeightSum(), 0.0, "a scale acts on nodes");
        }
        for (float bad : new float[] {-1f, 0f, Float.POSITIVE_INFINITY}) {
            String msg = refused(with(List.of(node("Mul", "y", "a", "p")), List.of(k("p", new int[] {1}, bad))));
            assertTrue(msg.contains("not a positive number"), msg);
        }
        assertTrue(
                refused(with(List.of(node("Div", "y", "p", "a")), List.of(pos))).contains("divided by an activation"));
        assertTrue(refused(with(List.of(node("Sub", "y", "k", "a")), List.of(bias)))
                .contains("negates"));
        assertTrue(refused(with(List.of(node("Sub", "y", "a", "b")), List.of())).contains("difference of two"));
        String wide = refused(with(
                List.of(node("Add", "y", "a", "k")), List.of(k("k", new int[] {2, 3, 1, 1}, 1, 2, 3, 4, 5, 6))));
        assertTrue(wide.contains("would broadcast"), wide);
        assertTrue(refused(with(List.of(node("Add", "y", "a")), List.of())).contains("two inputs"));
    }

    @Test
    void residualSumsMergeOrGetTheirOwnNodes() {
        ModelProto m = with(List.of(node("Add", "y", "a", "b")), List.of());
        Network ref = reference();
        int plane = 3 * 16;
        Network merge = load(m, ImportOptions.DEFAULT);
        assertEquals(ref.graph().nodeCount(), merge.graph().nodeCount(), "merge: the sum lands on a's nodes");
        assertEquals(ref.graph().edgeCount() + plane, merge.graph().edgeCount(), "one weight-1 edge per element of b");
        Network own = load(m, ImportOptions.DEFAULT.withAdd(AddConvention.NODE));
        assertEquals(ref.graph().nodeCount() + plane, own.graph().nodeCount());
        assertEquals(ref.graph().edgeCount() + 2 * plane, own.graph().edgeCount());
        assertEquals(merge.graph().absWeightSum() + plane, own.graph().absWeightSum(), 1e-9);
        // an addend used elsewhere too cannot take the sum (a feeds both sums): the first sum lands on b, the
        // second on the first sum's nodes; no new node set, one identity block per non-merged addend
        ModelProto shared = with(List.of(node("Add", "s", "a", "b"), node("Add", "y", "s", "a")), List.of());
        Network sh = load(shared, ImportOptions.DEFAULT);
        assertEquals(ref.graph().nodeCount(), sh.graph().nodeCount());
        assertEquals(ref.graph().edgeCount() + 2 * plane, sh.graph().edgeCount());
        // addends of different shapes
        ModelProto pooled = with(List.of(node("GlobalAveragePool", "g", "b"), node("Add", "y", "a", "g")), List.of());
        String p = refused(pooled);
        assertTrue(p.contains("different shapes") || p.contains("broadcast"), p);
    }

    @Test
    void gatesAreRefusedByName() {
        assertTrue(refused(with(List.of(node("Sigmoid", "s", "a"), node("Mul", "y", "a", "s")), List.of()))
                .contains("SiLU"));
        assertTrue(refused(with(List.of(node("HardSigmoid", "s", "a"), node("Mul", "y", "s", "a")), List.of()))
                .contains("HardSwish"));
        assertTrue(refused(with(
                        List.of(
                                node("GlobalAveragePool", "g", "b"),
                                node("Sigmoid", "s", "g"),
                                node("Mul", "y", "a", "s")),
                        List.of()))
                .contains("squeeze-and-excitation"));
        assertTrue(refused(with(List.of(node("Erf", "e", "b"), node("Mul", "y", "a", "e")), List.of()))
                .contains("GELU"));
        assertTrue(refused(with(List.of(node("Mul", "y", "a", "b")), List.of())).contains("gate or attention"));
        assertTrue(refused(with(List.of(node("Div", "y", "a", "b")), List.of())).contains("quotient"));
    }

    @Test
    void monotoneActivationsAddNoEdgeAndDecreasingOnesAreRefused() {
        Network ref = reference();
        List<NodeProto> fine = new ArrayList<>();
        for (String op : new String[] {
            "Relu", "Sigmoid", "Tanh", "Softplus", "Softsign", "Erf", "Identity", "Selu", "Dropout", "Clip"
        }) {
            fine.add(node(op, "y", "a"));
        }
        fine.add(withF(node("LeakyRelu", "y", "a"), "alpha", 0.1f));
        fine.add(withF(node("Elu", "y", "a"), "alpha", 0.5f));
        fine.add(withF(node("Celu", "y", "a"), "alpha", 2f));
        fine.add(withF(node("HardSigmoid", "y", "a"), "alpha", 0.3f));
        for (NodeProto n : fine) {
            Network net = load(with(List.of(n), List.of()), ImportOptions.DEFAULT);
            assertEquals(ref.graph().nodeCount(), net.graph().nodeCount(), n.getOpType());
            assertEquals(ref.graph().edgeCount(), net.graph().edgeCount(), n.getOpType());
        }
        for (String op : new String[] {"LeakyRelu", "Elu", "Celu", "HardSigmoid"}) {
            String msg = refused(with(List.of(withF(node(op, "y", "a"), "alpha", -0.5f)), List.of()));
            assertTrue(msg.contains(op) && msg.contains("-0.5"), msg);
        }
        Network prelu = load(
                with(List.of(node("PRelu", "y", "a", "s")), List.of(k("s", new int[] {1, 3, 1, 1}, 0.1f, 0.2f, 0f))),
                ImportOptions.DEFAULT);
        assertEquals(ref.graph().edgeCount(), prelu.graph().edgeCount());
        String msg = refused(with(
                List.of(node("PRelu", "y", "a", "s")), List.of(k("s", new int[] {1, 3, 1, 1}, 0.1f, -0.2f, 0f))));
        assertTrue(msg.contains("PRelu") || msg.contains("slope"), msg);
        assertTrue(refused(with(List.of(withF(node("Selu", "y", "a"), "gamma", -1f)), List.of()))
                .contains("Selu"));
    }

    @Test
    void batchNormFoldsIntoTheConvolutionOrActsOnNodes() {
        OnnxMl.TensorProto[] bn = {
            k("g", new int[] {3}, 2f, -0.5f, 1f),
            k("be", new int[] {3}, 0, 1, 0),
            k("mu", new int[] {3}, 0.1f, 0.2f, 0.3f),
            k("var", new int[] {3}, 4f, 1f, 0.25f)
        };
        NodeProto n = withF(node("BatchNormalization", "y", "a", "g", "be", "mu", "var"), "epsilon", 0f);
        ModelProto m = with(List.of(n), List.of(bn));
        Network ref = reference(),
                fold = load(m, ImportOptions.DEFAULT),
                nodes = load(m, ImportOptions.DEFAULT.withBatchNorm(BatchNormConvention.NODE));
        assertEquals(ref.graph().edgeCount(), fold.graph().edgeCount());
        assertEquals(ref.graph().absWeightSum(), nodes.graph().absWeightSum(), 1e-12, "node: weights untouched");
        // fold: a's weights of channel c scaled by gamma_c / sqrt(var_c + eps) = 1, -0.5, 2
        double[] scale = {1, 0.5, 2};
        double[] perChannelRef = new double[3], perChannelFold = new double[3];
        int offsetA = 32; // after the 2x4x4 input
        ref.graph().forEachEdge((s, t, w) -> {
            if (t >= offsetA && t < offsetA + 48) {
                perChannelRef[(t - offsetA) / 16] += Math.abs(w);
            }
        });
        fold.graph().forEachEdge((s, t, w) -> {
            if (t >= offsetA && t < offsetA + 48) {
                perChannelFold[(t - offsetA) / 16] += Math.abs(w);
            }
        });
        for (int c = 0; c < 3; c++) {
            assertEquals(perChannelRef[c] * scale[c], perChannelFold[c], 1e-5 * perChannelFold[c], "channel " + c);
        }
        assertEquals(ref.parameters() + 3, fold.parameters(), "fold: one bias per channel");
        assertEquals(ref.parameters() + 6, nodes.parameters(), "node: scale and shift per channel");
    }
}
