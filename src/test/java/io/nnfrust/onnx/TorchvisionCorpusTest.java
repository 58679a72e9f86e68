package io.nnfrust.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            options = options.withInputSize(e.get("input").asInt(), e.get("input").asInt());
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
}
