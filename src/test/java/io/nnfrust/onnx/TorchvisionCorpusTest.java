package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.Algorithm1;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/**
 * Real exporter output: torchvision architectures exported by PyTorch's own {@code torch.onnx.export} (eval and
 * training mode, opsets 11/13/17, static and dynamic axes; narrow widths so that the files are small), made by
 * {@code scripts/torchvision_corpus.py}. Every in-scope file must import with exactly the node, edge and
 * parameter counts of the script's independent counter (Python, written from docs/conventions.md, no shared
 * code); every variant of one architecture must give the same counts (the default BatchNorm convention makes
 * eval and training exports equal); the out-of-scope ones must be refused in one line naming the construct.
 */
class TorchvisionCorpusTest {
    static final String DIR = "/torchvision/";

    static JsonNode manifest() throws IOException {
        try (InputStream in = TorchvisionCorpusTest.class.getResourceAsStream(DIR + "manifest.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static byte[] bytes(String file) throws IOException {
        try (InputStream in = TorchvisionCorpusTest.class.getResourceAsStream(DIR + file)) {
            return in.readAllBytes();
        }
    }

    static Network load(JsonNode e, ImportOptions options) throws IOException {
        String file = e.get("file").asText();
        var proto = ModelLoader.parse(bytes(file), file);
        if (e.get("dynamic").asText().equals("all")) {
            options =
                    options.withInputSize(e.get("input").asInt(), e.get("input").asInt());
        }
        return OnnxImporter.importModel(proto, file, file, "-", options);
    }

    /** The refused architectures and the construct each message must name. */
    static final Map<String, String> CONSTRUCT = Map.of(
            "mobilenet_v3_small", "HardSwish",
            "efficientnet_b0", "SiLU",
            "convnext_tiny", "LayerNorm");

    @TestFactory
    @Timeout(300)
    List<DynamicTest> everyExportImportsWithTheIndependentCounts() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode e : manifest().get("files")) {
            if (e.has("exportError")) {
                continue;
            }
            String file = e.get("file").asText();
            if (e.get("inScope").asBoolean()) {
                tests.add(DynamicTest.dynamicTest(file, () -> {
                    Network net = load(e, ImportOptions.DEFAULT);
                    JsonNode x = e.get("expected");
                    assertEquals(x.get("nodes").asLong(), net.graph().nodeCount(), "nodes");
                    assertEquals(x.get("edges").asLong(), net.graph().edgeCount(), "edges");
                    assertEquals(x.get("params").asLong(), net.parameters(), "parameters");
                    assertEquals(0, net.report().copies(), "no activation copied");
                    assertEquals(e.get("opset").asInt(), net.report().opset());
                }));
            } else {
                tests.add(DynamicTest.dynamicTest(file, () -> {
                    NnfrustException ex = assertThrows(NnfrustException.class, () -> load(e, ImportOptions.DEFAULT));
                    String msg = ex.getMessage();
                    assertFalse(msg.contains("\n"), msg);
                    assertTrue(msg.contains(CONSTRUCT.get(e.get("arch").asText())), msg);
                    assertTrue(msg.contains("node '"), msg);
                    assertTrue(msg.contains("docs/conventions.md"), msg);
                    assertFalse(msg.contains("must be an activation tensor"), msg);
                }));
            }
        }
        assertTrue(tests.size() >= 50, "corpus present: " + tests.size());
        return tests;
    }

    static OnnxMl.ModelProto proto(String file) throws IOException {
        return ModelLoader.parse(bytes(file), file);
    }

    /**
     * ONNX Runtime as the oracle of the linear parts of real exports (ShuffleNet v2, MobileNet v2, ResNet-18,
     * DenseNet-121 trunks with identity activations and pooling, zero biases and shifts, BatchNorms of random
     * scale of either sign after convolutions): propagating an input through A gives ONNX Runtime's output, for
     * the eval-mode export (BatchNorm fused by PyTorch) and for the training-mode export (BatchNorm kept, folded by
     * nnfrust) alike. Under --batchnorm node the training-mode graph does not reproduce the network.
     */
    @TestFactory
    @Timeout(300)
    List<DynamicTest> linearPartsAgreeWithOnnxRuntime() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String arch : List.of("resnet18", "shufflenet_v2_x1_0", "mobilenet_v2", "densenet121")) {
            tests.add(DynamicTest.dynamicTest(arch, () -> {
                var eval = proto(arch + "-linear-eval.onnx");
                var train = proto(arch + "-linear-train.onnx");
                // ORT computes in float32 through ~100 layers; nnfrust propagates in double
                OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(eval, eval, ImportOptions.DEFAULT, 5, 1e-3);
                OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(train, eval, ImportOptions.DEFAULT, 6, 1e-3);
                double eps = epsilon(arch + "-eval-op13-none.onnx", ImportOptions.DEFAULT); // frustration runs
                assertTrue(eps > 0 && eps < 0.5, arch + " epsilon " + eps);
                Network t = OnnxImporter.importModel(train, "t", "t", "-", ImportOptions.DEFAULT);
                assertTrue(t.report().batchNormsFolded() > 0, "training export keeps BatchNorm nodes to fold");
                assertThrows(
                        AssertionFailedError.class,
                        () -> OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(
                                train, eval, ImportOptions.DEFAULT.withBatchNorm(BatchNormConvention.NODE), 7, 1e-3));
            }));
        }
        return tests;
    }

    /**
     * The same torchvision ResNet-18 exported in eval mode (BatchNorm fused into the convolutions by PyTorch) and
     * in training mode (BatchNorm kept) has the same weights in nnfrust's default convention, so the same ε for
     * the same seed; under --batchnorm node the weights differ by the BatchNorm factors and so does ε.
     */
    @Test
    @Timeout(300)
    void resnet18EvalAndTrainingExportsGiveTheSameFrustration() throws IOException {
        double[] fold = new double[2], node = new double[2];
        String[] files = {"resnet18-eval-op13-none.onnx", "resnet18-train-op13-none.onnx"};
        for (int i = 0; i < 2; i++) {
            fold[i] = epsilon(files[i], ImportOptions.DEFAULT);
            node[i] = epsilon(files[i], ImportOptions.DEFAULT.withBatchNorm(BatchNormConvention.NODE));
        }
        assertEquals(fold[0], fold[1], 0.0, "default (fold): eval and training exports, same ε");
        assertEquals(fold[0], node[0], 0.0, "eval export: BatchNorm already fused, conventions agree");
        assertTrue(
                Math.abs(node[1] - fold[1]) > 1e-4,
                "node convention on the training export: " + node[1] + " vs " + fold[1]);
    }

    private static double epsilon(String file, ImportOptions options) throws IOException {
        Network net = OnnxImporter.importModel(proto(file), file, file, "-", options);
        var glass = new SpinGlass(net.graph());
        var r = FrustrationRunner.run(
                glass, new Algorithm1(Algorithm1.Pick.MOST_NEGATIVE), SolverOptions.DEFAULT, 1, 1, 2, x -> {});
        return r.best().result().epsilon();
    }
}
