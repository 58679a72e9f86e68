package io.nnfrust.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.onnx.RuntimeModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A zero Pad read by an AveragePool means: the padded zeros count in each window's mean (ONNX operators
 * specification). ONNX Runtime 1.19's graph optimisation fuses the two and drops them; the session must give the
 * specified result, computed here by hand.
 */
class PadAveragePoolTest {

    @Test
    void paddedZerosCountInTheMeanAsTheSpecificationSays() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("pad-avg", 1, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 3, 3);
        int[] pads = {1, 1, 0, 1}; // top, left, bottom, right
        ModelProto m = b.build(b.avgPool(b.pad(x, pads), 2, 1, 0, false));
        assertTrue(RuntimeModel.padFeedsAveragePool(m));
        Network net = OnnxImporter.importModel(m, "pad-avg", "pad-avg", "-", ImportOptions.DEFAULT);
        float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        // padded 4x5 image, then every 2x2 window's sum / 4
        float[][] p = new float[3 + pads[0] + pads[2]][3 + pads[1] + pads[3]];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                p[i + pads[0]][j + pads[1]] = in[3 * i + j];
            }
        }
        int oh = p.length - 1, ow = p[0].length - 1;
        float[] expected = new float[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                expected[i * ow + j] = (p[i][j] + p[i][j + 1] + p[i + 1][j] + p[i + 1][j + 1]) / 4f;
            }
        }
        assertTrue(RuntimeModel.of(m, net, List.of(), true).needsUnoptimisedGraph());
        try (InferenceSession s = new InferenceSession(m, net, List.of(), InferenceSession.Precision.FLOAT32, 1)) {
            assertArrayEquals(expected, s.run(in, 1).get(net.outputName()), 1e-6f);
        }
        OnnxGraphBuilder plain = new OnnxGraphBuilder("plain", 1, WeightInit.HE_NORMAL);
        assertFalse(
                RuntimeModel.padFeedsAveragePool(plain.build(plain.avgPool(plain.input("x", 1, 3, 3), 2, 1, 1, false))),
                "an AveragePool with its own pads keeps the optimisations");
    }
}
