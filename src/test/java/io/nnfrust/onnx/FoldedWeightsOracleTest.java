package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;

/**
 * Weights that exporters compute instead of storing: a kernel made by ConstantOfShape (shape from a constant) and
 * Expand (broadcast of a per-output-channel column), folded at import time, must give the network ONNX Runtime
 * runs; a negative target dimension is a one-line error naming the node.
 */
class FoldedWeightsOracleTest {

    private static ModelProto network(long[] expandTo) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("folded", 2, WeightInit.HE_NORMAL);
        String x = b.input("x", 2, 5, 5);
        String a = b.conv("a", x, 3, 3, 1, 1, 1, false);
        ModelProto m = b.build(a);
        var g = m.getGraph().toBuilder();
        // ones of shape [4, 3, 2, 2] times a per-output-channel column [4, 1, 1, 1] broadcast by Expand
        g.addInitializer(OnnxTensors.longTensor("kshape", new int[] {4}, new long[] {4, 3, 2, 2}));
        g.addNode(NodeProto.newBuilder()
                .setOpType("ConstantOfShape")
                .setName("ones")
                .addInput("kshape")
                .addOutput("ones")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("value")
                        .setType(AttributeProto.AttributeType.TENSOR)
                        .setT(OnnxTensors.floatTensor("v", new int[] {1}, new float[] {0.5f}))));
        g.addInitializer(OnnxTensors.floatTensor("col", new int[] {4, 1, 1, 1}, new float[] {1f, -2f, 0.25f, 3f}));
        g.addInitializer(OnnxTensors.longTensor("to", new int[] {expandTo.length}, expandTo));
        g.addNode(NodeProto.newBuilder()
                .setOpType("Expand")
                .setName("expand")
                .addInput("col")
                .addInput("to")
                .addOutput("colx"));
        g.addNode(NodeProto.newBuilder()
                .setOpType("Mul")
                .setName("kernel")
                .addInput("ones")
                .addInput("colx")
                .addOutput("k"));
        g.addNode(NodeProto.newBuilder()
                .setOpType("Conv")
                .setName("b")
                .addInput(a)
                .addInput("k")
                .addOutput("y"));
        var out = g.getOutput(0).toBuilder().setName("y");
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, out);
        return m.toBuilder().setGraph(g).build();
    }

    @Test
    void kernelsMadeByConstantOfShapeAndExpandAgreeWithOnnxRuntime() throws Exception {
        ModelProto m = network(new long[] {4, 3, 2, 2});
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(m, m, ImportOptions.DEFAULT, 3);
        ModelProto broadcastOnly = network(new long[] {1, 3, 1, 2}); // Expand broadcasts to max(4,1)x3x1x2
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(broadcastOnly, broadcastOnly, ImportOptions.DEFAULT, 4);
    }

    @Test
    void aNegativeTargetDimensionIsAOneLineErrorNamingTheNode() {
        NnfrustException e = assertThrows(
                NnfrustException.class,
                () -> OnnxImporter.importModel(
                        network(new long[] {4, -3, 2, 2}), "f", "f", "-", ImportOptions.DEFAULT));
        assertTrue(
                e.getMessage().contains("Expand node 'expand'")
                        && e.getMessage().contains("invalid dimension -3")
                        && !e.getMessage().contains("\n"),
                e.getMessage());
    }
}
