package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.util.NnfrustException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint read as data, without locking or changing it (a finished or merged run): its header and the result
 * lines whose check holds for that header ({@link Checkpoint}); lines that fail their check are left out.
 *
 * @param file   the checkpoint
 * @param header the parsed header line
 * @param lines  the verified result lines, without their check field, in file order
 */
record CheckpointLines(Path file, JsonNode header, List<JsonNode> lines) {
    static CheckpointLines read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NnfrustException("checkpoint " + file + " not found");
        }
        ObjectMapper m = new ObjectMapper();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            JsonNode h = first == null ? null : m.readTree(first);
            if (h == null || !"header".equals(h.path("type").asText()) || !h.has("config")) {
                throw new NnfrustException("checkpoint " + file + " does not start with an nnfrust header line");
            }
            List<JsonNode> lines = new ArrayList<>();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode j = Checkpoint.verified(m, first, line);
                if (j != null) {
                    lines.add(j);
                }
            }
            return new CheckpointLines(file, h, List.copyOf(lines));
        } catch (IOException e) {
            throw new NnfrustException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** The configuration object of the header. */
    JsonNode config() {
        return header.path("config");
    }

    /** The shard the checkpoint belongs to ({@link Shard#ALL} for a whole or merged run). */
    Shard shard() {
        JsonNode s = header.get("shard");
        if (s == null) {
            return Shard.ALL;
        }
        return Shard.parse(s.asText(), Map.of());
    }
}
