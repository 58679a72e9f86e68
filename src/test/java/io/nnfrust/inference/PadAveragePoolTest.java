package io.nnfrust.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A zero Pad read by an AveragePool means: the padded zeros count in each window's mean (ONNX operators
 * specification). ONNX Runtime 1.19's graph optimisation fused the two and dropped them (1.0 instead of 0.25 at
 * [0] here), and nnfrust ran such models unoptimised; fixed upstream in 1.21 (microsoft/onnxruntime#23190), so since
 * nnfrust moved to 1.23.2 the guard is gone and this test is its oracle: the session and ONNX Runtime with every
 * optimisation must give the specified result, computed here by hand (checked to fail with 1.19.2).
 */
class PadAveragePoolTest {

    @Test
    void paddedZerosCountInTheMeanAsTheSpecificationSays() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("pad-avg", 1, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 3, 3);
        int[] pads = {1, 1, 0, 1}; // top, left, bottom, right
        ModelProto m = b.build(b.avgPool(b.pad(x, pads), 2, 1, 0, false));
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
        try (InferenceSession s = new InferenceSession(m, net, List.of(), InferenceSession.Precision.FLOAT32, 1)) {
            assertArrayEquals(expected, s.run(in, 1).get(net.outputName()), 1e-6f);
        }
        // ONNX Runtime itself, with every graph optimisation: fixed upstream in 1.21 (microsoft/onnxruntime#23190);
        // 1.19.2 gave 1.0 at [0] here instead of 0.25
        var env = OrtEnvironment.getEnvironment();
        try (var options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (var session = env.createSession(m.toByteArray(), options);
                    var tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {1, 1, 3, 3});
                    var result = session.run(
                            Map.of(session.getInputNames().iterator().next(), tensor))) {
                float[] got = new float[expected.length];
                ((OnnxTensor) result.get(0)).getFloatBuffer().get(got);
                assertArrayEquals(expected, got, 1e-6f, "ONNX Runtime " + env.getVersion() + " with all optimisations");
            }
        }
    }
}
