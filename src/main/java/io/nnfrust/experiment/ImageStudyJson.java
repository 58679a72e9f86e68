package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** JSON parts and file writing shared by the image studies' result codecs (active subnetwork, near-monotonicity). */
final class ImageStudyJson {
    private ImageStudyJson() {}

    /** The mapper of every result document: indented output. */
    static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The document as the result file holds it: indented, with a final newline. */
    static String text(ObjectMapper m, ObjectNode doc) {
        try {
            return m.writeValueAsString(doc) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code text} to {@code file} atomically. */
    static void write(Path file, String text) {
        AtomicFiles.write(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes {@code json} to {@code jsonFile} and, when {@code csvFile} is not null, the CSV to it, as one set: both
     * paths are checked before anything is written and both files appear together ({@link OutputSet}).
     */
    static void writeBoth(Path jsonFile, String json, Path csvFile, Supplier<String> csv) {
        OutputSet outs = new OutputSet().file("JSON output", jsonFile).file("CSV output", csvFile);
        try {
            outs.stage(jsonFile, os -> os.write(json.getBytes(StandardCharsets.UTF_8)));
            if (csvFile != null) {
                String table = csv.get();
                outs.stage(csvFile, os -> os.write(table.getBytes(StandardCharsets.UTF_8)));
            }
            outs.commit();
        } finally {
            outs.discard();
        }
    }

    /** The unusable files as the JSON array {@code skipped} of {file, reason}. */
    static void putSkipped(ObjectNode out, List<ImageSet.Skipped> skipped) {
        ArrayNode sk = out.putArray("skipped");
        for (ImageSet.Skipped s : skipped) {
            sk.addObject().put("file", s.file().toString()).put("reason", s.reason());
        }
    }

    static List<ImageSet.Skipped> skippedOf(JsonNode a) {
        List<ImageSet.Skipped> out = new ArrayList<>();
        for (JsonNode s : a) {
            out.add(new ImageSet.Skipped(
                    Path.of(s.path("file").asText()), s.path("reason").asText()));
        }
        return out;
    }

    /** The provenance block: the run's {@link Provenance} and the model's identity. */
    static ObjectNode provenance(ObjectMapper m, Provenance p, JsonNode model) {
        ObjectNode o = p.toJson(m);
        o.set("model", model);
        return o;
    }

    /** The provenance of a run read back from its block (its end time is not kept). */
    static Provenance provenanceOf(JsonNode p) {
        List<String> args = new ArrayList<>();
        JsonNode cl = p.path("commandLine");
        for (int i = 1; i < cl.size(); i++) {
            args.add(cl.get(i).asText());
        }
        try {
            return new Provenance(
                    args,
                    Instant.parse(p.path("start").asText()),
                    p.path("runId").asText());
        } catch (RuntimeException e) {
            throw new NnfrustException("provenance block without a valid start time: " + p.path("start"));
        }
    }
}
