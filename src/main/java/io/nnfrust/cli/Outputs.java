package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.model.Network;
import io.nnfrust.util.Provenance;

/** The parts every command's JSON output shares. */
final class Outputs {
    private Outputs() {}

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

    /** As above for a source that may be a graph file ({@code spec} as given on the command line). */
    static ObjectNode provenance(ObjectMapper m, ObjectNode out, GraphSource src, String spec) {
        ObjectNode p = provenance(m, out, src.network());
        if (src.network() == null) {
            p.set("model", model(m, src, spec));
        }
        return p;
    }

    /** The identity of a source: {@link ModelIdentity} for a network, source and sha256 for a graph file. */
    static ObjectNode model(ObjectMapper m, GraphSource src, String spec) {
        if (src.network() != null) {
            return ModelIdentity.toJson(m, src.network());
        }
        ObjectNode g = m.createObjectNode();
        g.put("source", spec).put("sha256", src.sha256()).put("kind", "graph-file");
        return g;
    }

    /** One stderr line, "nnfrust: warning: ...". */
    static void warn(String text) {
        System.err.println("nnfrust: warning: " + text);
    }
}
