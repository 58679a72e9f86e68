package io.nnfrust.load;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model identity every result carries (SHA-256, weights' origin, input shape, conventions) and the check that
 * keeps results of different models apart. The SHA-256 of a generated model (streamed) must equal that of its
 * bytes written to a file and loaded from there: two independent paths to one number.
 */
class ModelIdentityTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static String message(Runnable r) {
        NnfrustException e = assertThrows(NnfrustException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void streamedDigestOfAGeneratedModelEqualsTheDigestOfItsFile(@TempDir Path dir) throws Exception {
        ModelLoader.Loaded zoo =
                ModelLoader.loadWithModel("zoo:squeezenet1.1?seed=3", ImportOptions.DEFAULT.withInputSize(32, 32));
        byte[] bytes = zoo.model().toByteArray();
        assertEquals(ModelLoader.sha256(bytes), zoo.network().sha256());
        assertEquals(64, zoo.network().sha256().length());
        Path file = dir.resolve("squeeze.onnx");
        Files.write(file, bytes);
        Network fromFile = ModelLoader.load(file.toString(), ImportOptions.DEFAULT.withInputSize(32, 32));
        assertEquals(zoo.network().sha256(), fromFile.sha256());
        assertEquals("as stored in the file", ModelIdentity.weights(fromFile));
        assertFalse(ModelIdentity.isZoo(fromFile));
        assertTrue(ModelIdentity.isZoo(zoo.network()));
        assertEquals(
                "random " + WeightInit.HE_NORMAL.label() + " initialisation, seed 3 (zoo: not trained)",
                ModelIdentity.weights(zoo.network()));
        // identity JSON: zoo object with its parameters, input shape, node count, options
        JsonNode id = ModelIdentity.toJson(
                M, ModelLoader.load("zoo:shufflenet?groups=8&width=1.0", ImportOptions.DEFAULT.withInputSize(32, 32)));
        assertEquals("8", id.path("zoo").path("groups").asText());
        assertEquals("1.0", id.path("zoo").path("width").asText());
        assertEquals("[1,3,32,32]", id.path("inputShape").toString());
        assertTrue(id.path("nodes").asLong() > 0);
    }

    @Test
    void theLoaderSetsATypedOriginAndTheIdentityIsReadFromIt(@TempDir Path dir) throws Exception {
        ImportOptions o32 = ImportOptions.DEFAULT.withInputSize(32, 32);
        ModelLoader.Loaded zoo = ModelLoader.loadWithModel("zoo:shufflenet?width=1.0&groups=8", o32);
        var z = assertInstanceOf(ModelOrigin.ZooModel.class, zoo.network().origin());
        assertEquals("zoo:shufflenet?width=1.0&groups=8", z.spec());
        assertEquals("shufflenet", z.architecture());
        assertEquals(1, z.seed());
        assertEquals(WeightInit.HE_NORMAL, z.init());
        assertEquals(List.of("width", "groups"), List.copyOf(z.params().keySet()), "parameters in the given order");
        assertEquals(ModelLoader.sha256(zoo.model().toByteArray()), z.sha256());
        JsonNode zj = ModelIdentity.toJson(M, zoo.network());
        assertEquals("zoo:shufflenet?width=1.0&groups=8", zj.path("source").asText());
        assertEquals(z.canonical(), zj.path("zoo").path("spec").asText());
        List<String> keys = new ArrayList<>();
        zj.path("zoo").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("spec", "architecture", "seed", "init", "width", "groups"), keys);

        Path file = Files.write(dir.resolve("shuffle.onnx"), zoo.model().toByteArray());
        Network fromFile = ModelLoader.load(file.toString(), o32);
        var f = assertInstanceOf(ModelOrigin.OnnxFile.class, fromFile.origin());
        assertEquals(file, f.file());
        assertEquals(file.toString(), fromFile.source());
        assertFalse(ModelIdentity.toJson(M, fromFile).has("zoo"));

        // the N3 null network of a zoo network: the parent's source, its own hash, not a zoo network
        Network n3 = OnnxImporter.importModel(
                zoo.model(),
                zoo.network().name() + "#N3-xavier-7",
                new ModelOrigin.ReinitializedN3(z, WeightInit.XAVIER_UNIFORM, 7, "0123456789abcdef"),
                o32);
        assertFalse(ModelIdentity.isZoo(n3));
        assertEquals("null model N3: re-initialised (N3-xavier-7)", ModelIdentity.weights(n3));
        JsonNode nj = ModelIdentity.toJson(M, n3);
        assertEquals("zoo:shufflenet?width=1.0&groups=8", nj.path("source").asText());
        assertEquals("0123456789abcdef", nj.path("sha256").asText());
        assertFalse(nj.has("zoo"));
        assertThrows(IllegalArgumentException.class, () -> new ModelOrigin.OnnxFile("", "abc"));
    }

    @Test
    void resultsOfAnotherModelSizeOrConventionAreRefusedWithTheFirstDifference() {
        ImportOptions o40 = ImportOptions.DEFAULT.withInputSize(40, 40);
        Network a = ModelLoader.load("zoo:squeezenet1.1?seed=3", o40);
        JsonNode id = ModelIdentity.toJson(M, a);
        assertDoesNotThrow(() -> ModelIdentity.requireSame(id, a, "x", "way"));
        assertDoesNotThrow(
                () -> ModelIdentity.requireSame(id, ModelLoader.load("zoo:squeezenet1.1?seed=3", o40), "x", "way"),
                "the same model loaded again");

        Network other = ModelLoader.load("zoo:squeezenet1.1?seed=4", o40);
        String m = message(() -> ModelIdentity.requireSame(id, other, "--reference r.json", "rerun it"));
        assertTrue(
                m.startsWith("--reference r.json was computed on another model (zoo:squeezenet1.1?seed=3, sha256 "
                        + a.sha256().substring(0, 12) + "…) than zoo:squeezenet1.1?seed=4 (sha256 "
                        + other.sha256().substring(0, 12) + "…); rerun it"),
                m);

        Network bigger = ModelLoader.load("zoo:squeezenet1.1?seed=3", ImportOptions.DEFAULT.withInputSize(48, 40));
        m = message(() -> ModelIdentity.requireSame(id, bigger, "spin file s", "way"));
        assertEquals("spin file s was computed at input 1x3x40x40, this run uses 1x3x48x40 (--input-size); way", m);

        Network node = ModelLoader.load("zoo:squeezenet1.1?seed=3", o40.withAdd(AddConvention.NODE));
        m = message(() -> ModelIdentity.requireSame(id, node, "x", "way"));
        assertTrue(m.startsWith("x was computed with --add "), m);

        m = message(() -> ModelIdentity.requireSame(M.createObjectNode(), a, "old.json", "way"));
        assertTrue(m.startsWith("old.json carries no model identity"), m);
        m = message(() -> ModelIdentity.requireSame(null, a, "old.json", "way"));
        assertTrue(m.startsWith("old.json carries no model identity"), m);

        // the same source recorded at another rank: its hash may differ (zoo models are generated per size), and
        // the shape is the difference named
        var odd = (ObjectNode) id.deepCopy();
        odd.put("sha256", "abc");
        odd.putArray("inputShape").add(1).add(3).add(40);
        assertEquals(
                "x was computed at input 1x3x40, this run uses 1x3x40x40 (--input-size); way",
                message(() -> ModelIdentity.requireSame(odd, a, "x", "way")));
        // the same source at the same size with another hash: the file changed (e.g. retrained in place)
        var changed = (ObjectNode) id.deepCopy();
        changed.put("sha256", "0123456789abcdef");
        m = message(() -> ModelIdentity.requireSame(changed, a, "x", "way"));
        assertTrue(m.startsWith("x was computed on another model (zoo:squeezenet1.1?seed=3, sha256 0123456789ab…)"), m);
        // another source: a short hash is shown whole
        odd.put("source", "other.onnx");
        m = message(() -> ModelIdentity.requireSame(odd, a, "x", "way"));
        assertTrue(m.startsWith("x was computed on another model (other.onnx, sha256 abc) than "), m);
    }

    @Test
    void unreadableOrNonOnnxFilesAreOneLineErrors(@TempDir Path dir) throws Exception {
        // a bare name (no folder) that is a zoo network gets the hint
        String m = message(() -> ModelLoader.load("squeezenet1.1.onnx", ImportOptions.DEFAULT));
        assertTrue(
                m.startsWith("model file not found: ")
                        && m.endsWith("did you mean the built-in zoo:squeezenet1.1 "
                                + "(random weights, see 'nnfrust zoo list')?"),
                m);
        m = message(() -> ModelLoader.load(dir.resolve("mine.onnx").toString(), ImportOptions.DEFAULT));
        assertEquals("model file not found: " + dir.resolve("mine.onnx"), m);
        m = message(() -> ModelLoader.load(dir.toString(), ImportOptions.DEFAULT));
        assertEquals("model path is not a readable file: " + dir, m);
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertEquals(
                empty + ": empty file, not an ONNX model",
                message(() -> ModelLoader.load(empty.toString(), ImportOptions.DEFAULT)));
        Path text = Files.writeString(dir.resolve("text.onnx"), "not a model at all\n");
        m = message(() -> ModelLoader.load(text.toString(), ImportOptions.DEFAULT));
        assertTrue(m.startsWith(text + ": not "), m);
        Path noGraph = Files.write(
                dir.resolve("nograph.onnx"),
                ModelProto.newBuilder().setIrVersion(8).build().toByteArray());
        assertEquals(
                noGraph + ": not an ONNX model (no ir_version or graph found)",
                message(() -> ModelLoader.load(noGraph.toString(), ImportOptions.DEFAULT)));
    }
}
