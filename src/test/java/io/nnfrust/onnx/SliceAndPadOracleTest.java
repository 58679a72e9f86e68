package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.util.NnfrustException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slice and Pad against ONNX Runtime on random specifications: starts and ends negative, past either end and at
 * the 64-bit limits ONNX exporters write for "to the end", steps of either sign and larger than one, one to three
 * of the axes C, H, W in any order, as positive or negative axes (opset 13, all as inputs); and zero Pads of random
 * widths on random sides read by a convolution or an average pooling (max pooling is not linear, so ONNX Runtime
 * cannot be its oracle here). The networks, x → Conv → Slice (→ 1×1 Conv) and x → Conv → Pad → Conv|AveragePool,
 * are linear, so the graph's propagation must equal ONNX Runtime's output element by element.
 */
class SliceAndPadOracleTest {

    /** A start (or end) as exporters write them: in range, negative, past either end, or a 64-bit limit. */
    private static long bound(SplittableRandom r, long d, boolean start, boolean forward) {
        return switch (r.nextInt(6)) {
            case 0 -> start == forward ? Long.MIN_VALUE : Long.MAX_VALUE; // "from the first" / "to the last"
            case 1 -> start == forward ? -d - r.nextInt(3) : d + r.nextInt(3); // past that end: clamped
            case 2 -> -1 - r.nextInt((int) d); // negative: counted from the end
            default -> start == forward ? r.nextInt((int) d) : r.nextInt((int) d + 1);
        };
    }

    /** The network of {@code seed}; {@code sliceOnly}: without the convolution that may read the slice. */
    private static ModelProto sliced(long seed, boolean sliceOnly) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        OnnxGraphBuilder b = new OnnxGraphBuilder("slice", seed, WeightInit.HE_NORMAL);
        int c = 2 + r.nextInt(4), h = 3 + r.nextInt(5), w = 3 + r.nextInt(5);
        String x = b.input("x", 2, h, w);
        String a = b.conv("a", x, c, 3, 1, 1, 1, false);
        ModelProto m = b.build(a);
        var g = m.getGraph().toBuilder();
        int[] dims = {1, c, h, w};
        int count = 1 + r.nextInt(3);
        int[] axes = {1, 2, 3};
        for (int i = 2; i > 0; i--) { // random order of the axes
            int j = r.nextInt(i + 1), t = axes[i];
            axes[i] = axes[j];
            axes[j] = t;
        }
        long[] st = new long[count], en = new long[count], ax = new long[count], sp = new long[count];
        for (int k = 0; k < count; k++) {
            int axis = axes[k];
            long d = dims[axis];
            ax[k] = r.nextBoolean() ? axis : axis - 4; // negative axes count from the end
            sp[k] = r.nextInt(3) == 0 ? -(1 + r.nextInt(3)) : 1 + r.nextInt(3);
            st[k] = bound(r, d, true, sp[k] > 0);
            en[k] = bound(r, d, false, sp[k] > 0);
        }
        int[] n = {count};
        g.addInitializer(OnnxTensors.longTensor("starts", n, st));
        g.addInitializer(OnnxTensors.longTensor("ends", n, en));
        g.addInitializer(OnnxTensors.longTensor("axes", n, ax));
        g.addInitializer(OnnxTensors.longTensor("steps", n, sp));
        g.addNode(NodeProto.newBuilder()
                .setOpType("Slice")
                .setName("slice")
                .addInput(a)
                .addInput("starts")
                .addInput("ends")
                .addInput("axes")
                .addInput("steps")
                .addOutput("s"));
        String y = "s";
        boolean after = r.nextBoolean();
        if (after && !sliceOnly) { // a 1x1 convolution reads the slice: whole planes, or a copy of a spatial crop
            long[] shape = ortShape(sliced(seed, true));
            int channels = shape.length == 4 ? (int) shape[1] : 0;
            if (channels > 0 && shape[2] > 0 && shape[3] > 0) {
                float[] k = new float[2 * channels];
                for (int i = 0; i < k.length; i++) {
                    k[i] = (float) (r.nextDouble() - 0.5);
                }
                g.addInitializer(OnnxTensors.floatTensor("k", new int[] {2, channels, 1, 1}, k));
                g.addNode(NodeProto.newBuilder()
                        .setOpType("Conv")
                        .setName("after")
                        .addInput("s")
                        .addInput("k")
                        .addOutput("y"));
                y = "y";
            }
        }
        var out = g.getOutput(0).toBuilder().setName(y);
        out.getTypeBuilder().getTensorTypeBuilder().clearShape();
        g.setOutput(0, out);
        return m.toBuilder().setGraph(g).build();
    }

    /** Shape of ONNX Runtime's output for a zero input. */
    private static long[] ortShape(ModelProto m) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        var in = m.getGraph().getInput(0).getType().getTensorType().getShape();
        long[] shape = in.getDimList().stream().mapToLong(d -> d.getDimValue()).toArray();
        int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[n]), shape);
                OrtSession.Result res = s.run(Map.of("x", t))) {
            return ((OnnxTensor) res.get(0)).getInfo().getShape();
        }
    }

    @Test
    @Timeout(120)
    void randomSlicesAgreeWithOnnxRuntime() throws Exception {
        int compared = 0;
        for (long seed = 1; seed <= 120; seed++) {
            ModelProto m = sliced(seed, false);
            try {
                OnnxImporter.importModel(m, "s", "s", "-", ImportOptions.DEFAULT);
            } catch (NnfrustException e) { // refused as empty: ONNX Runtime must find it empty too
                assertEquals(0, Arrays.stream(ortShape(sliced(seed, true))).reduce(1, (x, z) -> x * z), e.getMessage());
                assertTrue(e.getMessage().contains("is empty"), e.getMessage());
                continue;
            }
            OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(m, m, ImportOptions.DEFAULT, seed);
            compared++;
        }
        assertTrue(compared >= 60, "only " + compared + " non-empty slices");
    }

    @Test
    @Timeout(120)
    void randomZeroPadsBeforeConvolutionAndPoolingAgreeWithOnnxRuntime() throws Exception {
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            OnnxGraphBuilder b = new OnnxGraphBuilder("pad", seed, WeightInit.HE_NORMAL);
            String x = b.input("x", 2, 4 + r.nextInt(4), 4 + r.nextInt(4));
            String a = b.conv("a", x, 3, 3, 1, 0, 1, false);
            boolean conv = r.nextBoolean();
            int k = 2 + r.nextInt(2); // the pooling window's side
            int[] pads = new int[4]; // top, left, bottom, right
            for (int side = 0; side < 4; side++) {
                pads[side] =
                        r.nextInt(conv ? 3 : 2); // ONNX Runtime fuses Pad into a pooling, whose pads must stay < kernel
            }
            String p = b.pad(a, pads);
            // the padded zeros count in an AveragePool's mean (Pad then pool), whatever count_include_pad says
            String y = conv
                    ? b.conv("b", p, 2, 2 + r.nextInt(2), 1 + r.nextInt(2), 0, 1, false)
                    : b.avgPool(p, k, 1 + r.nextInt(2), 0, false); // ceil: see the class comment
            ModelProto m = b.build(y);
            // a pooling edge weighs the paper's 0.01/p (p = k for a k×k window), the average's 1/k²: ONNX Runtime's
            // output times k²·0.01/k; run it unoptimised, as its Pad-into-AveragePool fusion drops the padded zeros
            double scale =
                    conv ? 1.0 : k * k * ImportOptions.DEFAULT.poolWeight().weight(k, k);
            OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(m, m, ImportOptions.DEFAULT, seed, 1e-4, scale, conv);
        }
    }
}
