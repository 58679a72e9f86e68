package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.model.Network;
import io.nnfrust.onnx.ModelIdentity;
import io.nnfrust.util.Provenance;

/** The parts every command's JSON output shares. */
final class Outputs {
    private Outputs() {
    }

    /**
     * Sets {@code out.provenance}: schema version, nnfrust version and commit, JDK, ONNX Runtime, command line, run
     * id, start and end ({@link Provenance}), and the model's identity ({@link ModelIdentity}) when {@code net} is
     * not null. Returns the provenance object for command-specific fields.
     */
    static ObjectNode provenance(ObjectMapper m, ObjectNode out, Network net) {
        ObjectNode p = Provenance.current().toJson(m);
        if (net != null) {
            p.set("model", ModelIdentity.toJson(m, net));
        }
        out.set("provenance", p);
        return p;
    }

    /** The header of a spin file written for {@code net} (null: a graph file) by this run. */
    static String spinHeader(ObjectMapper m, Network net, String graphSha256) {
        ObjectNode h = m.createObjectNode();
        if (net != null) {
            h.set("model", ModelIdentity.toJson(m, net));
        } else {
            h.putObject("model").put("sha256", graphSha256).put("kind", "graph-file");
        }
        h.set("provenance", Provenance.current().toJson(m));
        return h.toString();
    }

    /** One stderr line, "nnfrust: warning: ...". */
    static void warn(String text) {
        System.err.println("nnfrust: warning: " + text);
    }
}
