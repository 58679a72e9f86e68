package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.testing.RandomNetworks;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ONNX Runtime as an independent oracle of the whole importer: for a linear network with zero biases (convs
 * with groups/strides/dilation/asymmetric pads, Pad, Concat, channel shuffle, residual Add, Gemm, MatMul) the
 * network function is exactly propagation through A: z = x + A z solved by forward substitution. The outputs
 * must agree with ONNX Runtime's under both Add conventions.
 */
class OnnxRuntimeOracleTest {
    @Test
    void autoPadAndNodeWiseOperatorsAgreeWithOnnxRuntime() throws Exception {
        OnnxGraphBuilder b = new OnnxGraphBuilder("autopad", 3, WeightInit.XAVIER_UNIFORM);
        String x = b.input("x", 2, 9, 10);
        x = b.convAutoPad("same_upper", x, 3, 3, 2, "SAME_UPPER");
        x = b.nodeWise("Identity", x);
        x = b.convAutoPad("same_lower", x, 2, 2, 1, "SAME_LOWER");
        x = b.nodeWise("Dropout", x);
        x = b.convAutoPad("valid", x, 2, 3, 1, "VALID");
        ModelProto proto = b.build(b.matMul("fc", b.flatten(x), 4));
        assertMatchesOnnxRuntime(proto, AddConvention.MERGE, 11);
    }

    private static void assertMatchesOnnxRuntime(ModelProto proto, AddConvention add, long seed) throws Exception {
        assertMatchesOnnxRuntime(proto, proto, ImportOptions.DEFAULT.withAdd(add), seed);
    }

    /**
     * Propagation of a random input through the graph of {@code graphModel} equals ONNX Runtime's output of
     * {@code runModel} (the same network, possibly exported differently).
     */
    static void assertMatchesOnnxRuntime(ModelProto graphModel, ModelProto runModel, ImportOptions options, long seed)
            throws Exception {
        assertMatchesOnnxRuntime(graphModel, runModel, options, seed, 1e-4);
    }

    /**
     * As above, with tolerance {@code relTol}·(1 + |expected|), or for {@code relTol} &gt; 1e-4 (deep float32
     * networks accumulate rounding) {@code relTol}·max|expected|.
     */
    static void assertMatchesOnnxRuntime(
            ModelProto graphModel, ModelProto runModel, ImportOptions options, long seed, double relTol)
            throws Exception {
        assertMatchesOnnxRuntime(graphModel, runModel, options, seed, relTol, 1.0, true);
    }

    /**
     * As above, the graph's outputs compared with {@code scale} times ONNX Runtime's (a pooling edge weighs the
     * paper's 0.01/p, not an average's 1/(kh·kw)); {@code optimize} false runs ONNX Runtime without its graph
     * optimisations (its Pad-into-AveragePool fusion changes the result, see docs/testing.md).
     */
    static void assertMatchesOnnxRuntime(
            ModelProto graphModel,
            ModelProto runModel,
            ImportOptions options,
            long seed,
            double relTol,
            double scale,
            boolean optimize)
            throws Exception {
        ModelProto proto = runModel;
        Network net = OnnxImporter.importModel(graphModel, "r", "r", "-", options);
        SignedGraph g = net.graph();
        int[] shape = net.inputShape();
        int inputSize = net.inputNodes().length;
        float[] x = new float[inputSize];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < inputSize; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] expected;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        if (!optimize) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
        }
        try (so;
                OrtSession s = env.createSession(proto.toByteArray(), so);
                OnnxTensor t = OnnxTensor.createTensor(
                        env,
                        FloatBuffer.wrap(x),
                        Arrays.stream(shape).asLongStream().toArray());
                OrtSession.Result res = s.run(Map.of(net.inputName(), t))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            expected = new float[fb.remaining()];
            fb.get(expected);
        }
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) (expected[i] * scale);
        }
        double[] x0 = new double[g.nodeCount()];
        for (int i = 0; i < inputSize; i++) {
            x0[net.inputNodes()[i]] = x[i];
        }
        double[] z = x0.clone();
        for (int step = 0; step < g.nodeSets().size(); step++) {
            double[] next = x0.clone();
            g.multiply(z, next);
            z = next;
        }
        int[] outNodes = net.outputNodes();
        assertEquals(expected.length, outNodes.length);
        double max = 0;
        for (float e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = relTol > 1e-4 ? relTol * max : relTol * (1 + Math.abs(expected[i]));
            assertEquals(expected[i], z[outNodes[i]], tol, "output " + i + " (max |output| " + max + ")");
        }
    }

    @ParameterizedTest(name = "seed {0} add {1}")
    @CsvSource({"1,MERGE", "2,NODE", "3,MERGE", "4,NODE", "5,MERGE", "6,MERGE", "7,NODE", "8,MERGE"})
    void propagationThroughAEqualsOnnxRuntime(long seed, AddConvention add) throws Exception {
        assertMatchesOnnxRuntime(RandomNetworks.build(seed, true), add, seed * 31);
    }
}
