package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Split (sizes as attribute at opset 11, as input at opset 13, equal parts without sizes), Concat in another
 * order, and Flatten at axis 0 and -3 against ONNX Runtime: x -> conv (6 channels, 5x5) -> Split on channels ->
 * Concat of the parts reordered -> Flatten -> MatMul.
 */
class ViewsOracleTest {
    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    static AttributeProto i(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    /** sizes null: equal parts; asInput: opset 13 form. */
    static ModelProto model(long[] sizes, boolean asInput, int parts, long flattenAxis) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("views", 5, WeightInit.HE_NORMAL);
        String x = b.input("x", 2, 5, 5);
        String a = b.conv("a", x, 6, 3, 1, 1, 1, false);
        ModelProto m = b.build(a);
        var g = m.getGraph().toBuilder();
        NodeProto.Builder split = NodeProto.newBuilder()
                .setOpType("Split")
                .setName("split")
                .addInput(a)
                .addAttribute(i("axis", 1));
        for (int k = 0; k < parts; k++) {
            split.addOutput("part" + k);
        }
        if (sizes != null && asInput) {
            split.addInput("sizes");
            g.addInitializer(OnnxTensors.longTensor("sizes", new int[] {sizes.length}, sizes));
        } else if (sizes != null) {
            split.addAttribute(ints("split", sizes));
        }
        g.addNode(split);
        NodeProto.Builder cat = NodeProto.newBuilder()
                .setOpType("Concat")
                .setName("cat")
                .addAttribute(i("axis", 1))
                .addOutput("cat");
        for (int k = parts - 1; k >= 0; k--) {
            cat.addInput("part" + k);
        }
        g.addNode(cat);
        g.addNode(NodeProto.newBuilder()
                .setOpType("Flatten")
                .setName("flat")
                .addInput("cat")
                .addOutput("flat")
                .addAttribute(i("axis", flattenAxis)));
        float[] w = new float[150 * 4];
        SplittableRandom r = new SplittableRandom(9);
        for (int k = 0; k < w.length; k++) {
            w[k] = (float) (r.nextDouble() - 0.5);
        }
        g.addInitializer(OnnxTensors.floatTensor("W", new int[] {150, 4}, w));
        g.addNode(NodeProto.newBuilder()
                .setOpType("MatMul")
                .setName("fc")
                .addInput("flat")
                .addInput("W")
                .addOutput("y"));
        var out = g.getOutput(0).toBuilder().setName("y");
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, out);
        ModelProto.Builder mb = m.toBuilder().setGraph(g);
        mb.setOpsetImport(0, mb.getOpsetImport(0).toBuilder().setVersion(asInput || sizes == null ? 13 : 11));
        return mb.build();
    }

    @Test
    void splitConcatAndFlattenAgreeWithOnnxRuntime() throws Exception {
        long seed = 1;
        for (boolean asInput : new boolean[] {false, true}) {
            for (long[] sizes : new long[][] {{1, 2, 3}, {3, 1, 2}, {4, 2}, {1, 1, 1, 1, 2}}) {
                ModelProto m = model(sizes, asInput, sizes.length, 1);
                OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(m, m, ImportOptions.DEFAULT, seed++);
            }
        }
        for (int parts : new int[] {2, 3, 6}) {
            ModelProto m = model(null, true, parts, parts == 3 ? 0 : -3);
            OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(m, m, ImportOptions.DEFAULT, seed++);
        }
    }
}
