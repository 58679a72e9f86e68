package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gemm (transA, transB, alpha; the weight on either side) and MatMul (weight right, and weight left of a column)
 * against a brute-force matrix read from the initializer by the ONNX definitions alone: Y = alpha·A'·B' with
 * A' = transA ? Aᵀ : A and B' = transB ? Bᵀ : B. Every edge input element k → output o must carry the matrix
 * entry, and A·x and Aᵀ·x of the imported graph must equal the brute-force products.
 */
@Timeout(60)
class DenseImportOracleTest {
    static final int IN = 12, OUT = 5;

    /** input [1,3,2,2] -> Flatten [1,12] -> the node under test. */
    static ModelProto base() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("dense", 9, WeightInit.HE_NORMAL);
        String x = b.input("x", 3, 2, 2);
        return b.build(b.gemm("fc", b.flatten(x), OUT, 1f, true));
    }

    /** Replaces the Gemm by {@code node} with weight W of {@code dims}; x is the Flatten output. */
    static ModelProto with(NodeProto.Builder node, int[] dims, float[] w, NodeProto... extra) {
        ModelProto m = base();
        var g = m.getGraph().toBuilder();
        int at = -1;
        String flat = null;
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Gemm")) {
                at = i;
                flat = g.getNode(i).getInput(0);
            }
        }
        String out = g.getNode(at).getOutput(0);
        g.removeNode(at);
        for (NodeProto e : extra) {
            g.addNode(e);
        }
        for (int i = 0; i < node.getInputCount(); i++) {
            if (node.getInput(i).equals("X")) {
                node.setInput(i, flat);
            }
        }
        g.addNode(node.addOutput(out));
        g.clearInitializer();
        g.addInitializer(OnnxTensors.floatTensor("W", dims, w));
        if (extra.length > 0) {
            g.addInitializer(OnnxTensors.longTensor("col", new int[] {2}, new long[] {IN, 1}));
        }
        var o = g.getOutput(0).toBuilder();
        o.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, o);
        return m.toBuilder().setGraph(g).build();
    }

    static AttributeProto ia(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    static AttributeProto fa(String name, float v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    @Test
    void everyGemmAndMatMulLayoutEqualsTheBruteForceMatrix() {
        SplittableRandom r = new SplittableRandom(5);
        int cases = 0;
        for (boolean weightLeft : new boolean[] {false, true}) {
            for (int trans = 0; trans <= 1; trans++) {
                for (float alpha : new float[] {1f, 0.5f, -2f}) {
                    // the matrix entry M[o][k] of Y = M x that the ONNX definition gives, built from W's layout
                    int[] dims;
                    NodeProto.Builder n =
                            NodeProto.newBuilder().setOpType("Gemm").setName("g");
                    if (!weightLeft) { // Y[1,out] = alpha X[1,in] B', B' = trans ? W^T (W [out,in]) : W (W [in,out])
                        dims = trans == 1 ? new int[] {OUT, IN} : new int[] {IN, OUT};
                        n.addInput("X")
                                .addInput("W")
                                .addAttribute(ia("transB", trans))
                                .addAttribute(fa("alpha", alpha));
                    } else { // Y[out,1] = alpha A' X^T, A' = trans ? W^T (W [in,out]) : W (W [out,in]); transB=1
                        dims = trans == 1 ? new int[] {IN, OUT} : new int[] {OUT, IN};
                        n.addInput("W")
                                .addInput("X")
                                .addAttribute(ia("transA", trans))
                                .addAttribute(ia("transB", 1))
                                .addAttribute(fa("alpha", alpha));
                    }
                    float[] w = random(r);
                    int[] d = dims;
                    boolean left = weightLeft, tr = trans == 1;
                    check(
                            with(n, dims, w),
                            (o, k) -> alpha * entry(w, d, left, tr, o, k),
                            "Gemm weightLeft=" + weightLeft + " trans=" + trans + " alpha=" + alpha);
                    cases++;
                }
            }
        }
        // MatMul X[1,in] @ W[in,out]
        float[] w1 = random(r);
        check(
                with(
                        NodeProto.newBuilder()
                                .setOpType("MatMul")
                                .setName("m")
                                .addInput("X")
                                .addInput("W"),
                        new int[] {IN, OUT},
                        w1),
                (o, k) -> w1[k * OUT + o],
                "MatMul weight right");
        // MatMul W[out,in] @ X^T, the column made by a Reshape to [in, 1]
        float[] w2 = random(r);
        NodeProto reshape = NodeProto.newBuilder()
                .setOpType("Reshape")
                .setName("to_col")
                .addInput("flatten_1")
                .addInput("col")
                .addOutput("xcol")
                .build();
        ModelProto probe = base();
        String flat = null;
        for (NodeProto p : probe.getGraph().getNodeList()) {
            if (p.getOpType().equals("Gemm")) {
                flat = p.getInput(0);
            }
        }
        reshape = reshape.toBuilder().setInput(0, flat).build();
        check(
                with(
                        NodeProto.newBuilder()
                                .setOpType("MatMul")
                                .setName("m")
                                .addInput("W")
                                .addInput("xcol"),
                        new int[] {OUT, IN},
                        w2,
                        reshape),
                (o, k) -> w2[o * IN + k],
                "MatMul weight left");
        assertEquals(12, cases);
    }

    /** Entry (o, k) of M for weight W of layout {@code dims}. */
    static float entry(float[] w, int[] dims, boolean weightLeft, boolean trans, int o, int k) {
        // W is stored row-major with dims [d0, d1]
        if (!weightLeft) {
            return trans ? w[o * dims[1] + k] : w[k * dims[1] + o];
        }
        return trans ? w[k * dims[1] + o] : w[o * dims[1] + k];
    }

    static float[] random(SplittableRandom r) {
        float[] w = new float[IN * OUT];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return w;
    }

    interface Matrix {
        double at(int o, int k);
    }

    static void check(ModelProto m, Matrix ref, String what) {
        Network net = OnnxImporter.importModel(m, what, what, "-", ImportOptions.DEFAULT);
        int[] in = net.inputNodes(), out = net.outputNodes();
        assertEquals(IN, in.length, what);
        assertEquals(OUT, out.length, what);
        Map<Long, Double> edges = new HashMap<>();
        net.graph().forEachEdge((s, t, wt) -> edges.merge((long) s << 32 | t, wt, Double::sum));
        assertEquals(IN * OUT, edges.size(), what + ": one edge per (input, output)");
        int n = net.graph().nodeCount();
        double[] x = new double[n], y = new double[n], z = new double[n], yRef = new double[n], zRef = new double[n];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        for (int o = 0; o < OUT; o++) {
            for (int k = 0; k < IN; k++) {
                double want = (float) ref.at(o, k);
                Double got = edges.get((long) in[k] << 32 | out[o]);
                assertNotNull(got, what + ": edge " + k + " -> " + o);
                assertEquals(want, got, 1e-6 * Math.max(1, Math.abs(want)), what + ": weight " + k + " -> " + o);
                yRef[out[o]] += want * x[in[k]];
                zRef[in[k]] += want * x[out[o]];
            }
        }
        net.graph().multiply(x, y);
        net.graph().multiplyTranspose(x, z);
        assertArrayEquals(yRef, y, 1e-9, what + ": A x");
        assertArrayEquals(zRef, z, 1e-9, what + ": A^T x");
    }
}
