package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an image experiment feeds the network: the model (spec, SHA-256, import options) and the images (folder,
 * limit, preprocessing, precision). Part of every image experiment's checkpoint header.
 */
public record ImageInputs(String model, String sha256, String importOptions, String images, int limit,
                          String preprocess, int resize, String precision) {
    /** Adds the fields to a configuration object. */
    void putJson(ObjectNode c) {
        c.put("model", model);
        c.put("sha256", sha256);
        c.put("importOptions", importOptions);
        c.put("images", images);
        c.put("limit", limit);
        c.put("preprocess", preprocess);
        c.put("resize", resize);
        c.put("precision", precision);
    }

    /**
     * The finished images among checkpoint lines: lines of type "image" whose index, file name and seed still
     * match {@code files} and the per-image {@code seeds}, parsed by {@code parse}, by image index.
     */
    static <R> Map<Integer, R> finishedImages(List<JsonNode> lines, List<Path> files, long[] seeds,
                                              Function<JsonNode, R> parse) {
        Map<Integer, R> done = new HashMap<>();
        for (JsonNode j : lines) {
            if (!"image".equals(j.path("type").asText())) {
                continue;
            }
            int k = j.path("index").asInt(-1);
            if (k >= 0 && k < files.size() && files.get(k).getFileName().toString().equals(j.path("file").asText())
                    && j.path("seed").asLong() == seeds[k]) {
                done.put(k, parse.apply(j));
            }
        }
        return done;
    }
}
