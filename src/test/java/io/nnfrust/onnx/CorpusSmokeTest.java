package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fast cross-section of the PyTorch-export corpus, one file per test, for mutation testing (PIT runs only the
 * tests that cover a mutated line, and the full {@link TorchvisionCorpusTest} is one 25-second factory): the
 * files that exercise constant folding of Shape/Gather/Concat, Split and Transpose (ShuffleNet v2, dynamic axes),
 * Sub/Mul/Div by constants (Inception v3's input transform), training-mode BatchNorm folding, Concat (DenseNet,
 * GoogLeNet), and the three refused constructs. Counts are the independent Python counter's (manifest.json).
 */
class CorpusSmokeTest {
    static JsonNode entry(String file) throws Exception {
        for (JsonNode e : TorchvisionCorpusTest.manifest().get("files")) {
            if (e.get("file").asText().equals(file)) {
                return e;
            }
        }
        throw new IllegalArgumentException(file);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "inception_v3-train-op13-none.onnx",
                "googlenet-eval-op13-none.onnx",
                "shufflenet_v2_x1_0-eval-op17-all.onnx",
                "shufflenet_v2_x1_0-train-op11-batch.onnx",
                "resnet18-train-op11-all.onnx",
                "squeezenet1_1-eval-op13-none.onnx",
                "regnet_x_400mf-eval-op13-none.onnx",
                "mnasnet0_5-train-op13-none.onnx",
                "densenet121-eval-op13-none.onnx",
                "mobilenet_v2-train-op13-none.onnx"
            })
    void importsWithTheIndependentCounts(String file) throws Exception {
        JsonNode e = entry(file);
        Network net = TorchvisionCorpusTest.load(e, ImportOptions.DEFAULT);
        JsonNode x = e.get("expected");
        assertEquals(x.get("nodes").asLong(), net.graph().nodeCount(), "nodes");
        assertEquals(x.get("edges").asLong(), net.graph().edgeCount(), "edges");
        assertEquals(x.get("params").asLong(), net.parameters(), "parameters");
        assertEquals(e.get("opset").asInt(), net.report().opset());
        assertTrue(Double.isFinite(net.graph().absWeightSum()) && net.graph().absWeightSum() > 0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "mobilenet_v3_small-eval-op13-none.onnx",
                "efficientnet_b0-eval-op13-none.onnx",
                "convnext_tiny-eval-op13-none.onnx"
            })
    void refusedConstructsAreNamedInOneLine(String file) throws Exception {
        JsonNode e = entry(file);
        NnfrustException ex =
                assertThrows(NnfrustException.class, () -> TorchvisionCorpusTest.load(e, ImportOptions.DEFAULT));
        String msg = ex.getMessage();
        assertFalse(msg.contains("\n"), msg);
        assertTrue(
                msg.contains(TorchvisionCorpusTest.CONSTRUCT.get(e.get("arch").asText())), msg);
        assertTrue(msg.contains("node '") && msg.contains("docs/conventions.md"), msg);
    }

    /** BatchNorm folding (training-mode export, BatchNorm kept) against ONNX Runtime on the eval-mode export. */
    @Test
    void batchNormFoldingMatchesOnnxRuntime() throws Exception {
        var eval = TorchvisionCorpusTest.proto("resnet18-linear-eval.onnx");
        var train = TorchvisionCorpusTest.proto("resnet18-linear-train.onnx");
        OnnxRuntimeOracleTest.assertMatchesOnnxRuntime(train, eval, ImportOptions.DEFAULT, 6, 1e-3);
    }
}
