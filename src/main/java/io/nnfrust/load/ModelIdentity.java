package io.nnfrust.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/**
 * What a result was computed on: the model's SHA-256 (for {@code zoo:} models, of the generated ONNX bytes, with
 * the architecture, seed and initialisation), where its weights come from, its input shape and the import
 * options. Written as the {@code model} object of every JSON output and spin file, and compared when a result
 * of one run is fed to another ({@code --reference}, {@code --spins}), so that numbers of different networks,
 * input sizes or conventions are never mixed.
 */
public final class ModelIdentity {
    private ModelIdentity() {}

    /** The key of the identity object inside the {@code provenance} object. */
    public static final String MODEL = "model";
    // the keys of the identity object (readers such as the report use them)
    public static final String SOURCE = "source";
    public static final String NAME = "name";
    public static final String SHA256 = "sha256";
    public static final String WEIGHTS = "weights";
    public static final String ZOO = "zoo";
    public static final String INPUT_SHAPE = "inputShape";
    public static final String NODES = "nodes";
    public static final String IMPORT_OPTIONS = "importOptions";

    /** Whether {@code net} is a built-in zoo network (random weights, not trained). */
    public static boolean isZoo(Network net) {
        return net.origin() instanceof ModelOrigin.ZooModel;
    }

    /**
     * Where the weights come from, for every output: "as stored in the file", for zoo networks "random he
     * initialisation, seed 1 (zoo: not trained)", for N3 null networks "null model N3: re-initialised (N3-he-1)".
     */
    public static String weights(Network net) {
        return switch (net.origin()) {
            case ModelOrigin.ReinitializedN3 n3 -> "null model N3: re-initialised (" + n3.label() + ")";
            case ModelOrigin.ZooModel z ->
                "random " + z.init().label() + " initialisation, seed " + z.seed() + " (zoo: not trained)";
            case ModelOrigin.OnnxFile f -> "as stored in the file";
            case ModelOrigin.InMemory m -> "as stored in the file";
        };
    }

    /** The identity object. */
    public static ObjectNode toJson(ObjectMapper m, Network net) {
        ObjectNode o = m.createObjectNode();
        o.put(SOURCE, net.source());
        o.put(NAME, net.name());
        o.put(SHA256, net.sha256());
        o.put(WEIGHTS, weights(net));
        if (net.origin() instanceof ModelOrigin.ZooModel z) {
            ObjectNode zj = o.putObject(ZOO);
            zj.put("spec", z.canonical());
            zj.put("architecture", z.architecture());
            zj.put("seed", z.seed());
            zj.put("init", z.init().label());
            z.params().forEach(zj::put);
        }
        var shape = o.putArray(INPUT_SHAPE);
        for (int d : net.inputShape()) {
            shape.add(d);
        }
        o.put(NODES, net.graph().nodeCount());
        o.set(IMPORT_OPTIONS, net.options().toJson(m));
        return o;
    }

    /**
     * Checks that {@code identity} (the {@code model} object of an earlier output) describes the same graph as
     * {@code net}: same SHA-256, input shape and conventions (add, pooling weight, BatchNorm). Throws a one-line
     * error naming {@code what} and the first difference.
     */
    public static void requireSame(JsonNode identity, Network net, String what, String wayOut) {
        if (identity == null || identity.isMissingNode() || !identity.has(SHA256)) {
            throw new NnfrustException(what + " carries no model identity (written by an older nnfrust or another "
                    + "tool), so it cannot be checked against " + net.name() + "; " + wayOut);
        }
        String sha = identity.path(SHA256).asText();
        // the same source at another input size (zoo models are generated per size, so their hash differs too)
        boolean sameSource = identity.path(SOURCE).asText().equals(net.source());
        if (!sha.equals(net.sha256()) && !(sameSource && !sameShape(identity, net))) {
            throw new NnfrustException(what + " was computed on another model ("
                    + identity.path(SOURCE).asText()
                    + ", sha256 " + abbrev(sha) + ") than " + net.source() + " (sha256 " + abbrev(net.sha256())
                    + "); " + wayOut);
        }
        StringBuilder shape = new StringBuilder();
        for (JsonNode d : identity.path(INPUT_SHAPE)) {
            shape.append(shape.isEmpty() ? "" : "x").append(d.asInt());
        }
        String here = shapeText(net.inputShape());
        if (!shape.toString().equals(here)) {
            throw new NnfrustException(what + " was computed at input " + shape + ", this run uses " + here
                    + " (--input-size); " + wayOut);
        }
        JsonNode opts = identity.path(IMPORT_OPTIONS);
        ObjectNode mine = net.options().toJson(new ObjectMapper());
        for (String k : new String[] {"add", "poolWeight", "batchNorm"}) {
            String theirs = opts.path(k).asText();
            if (!theirs.equals(mine.get(k).asText())) {
                throw new NnfrustException(what + " was computed with --" + flag(k) + " " + theirs + ", this run uses "
                        + mine.get(k).asText() + "; " + wayOut);
            }
        }
    }

    private static boolean sameShape(JsonNode identity, Network net) {
        JsonNode s = identity.path(INPUT_SHAPE);
        if (s.size() != net.inputShape().length) {
            return false;
        }
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i).asInt() != net.inputShape()[i]) {
                return false;
            }
        }
        return true;
    }

    private static String flag(String k) {
        return switch (k) {
            case "poolWeight" -> "pool-weight";
            case "batchNorm" -> "batchnorm";
            default -> k.toLowerCase(Locale.ROOT);
        };
    }

    private static String shapeText(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int d : s) {
            b.append(b.isEmpty() ? "" : "x").append(d);
        }
        return b.toString();
    }

    private static String abbrev(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }
}
