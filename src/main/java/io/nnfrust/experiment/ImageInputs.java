package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.model.ImportOptions;

/**
 * What an image experiment feeds the network: the model (spec, SHA-256, import options) and the images (folder,
 * limit, preprocessing, precision). Part of every image experiment's checkpoint header.
 */
public record ImageInputs(
        String model,
        String sha256,
        ImportOptions importOptions,
        String images,
        int limit,
        String preprocess,
        int resize,
        String precision) {
    /** Adds the fields to a configuration object. */
    void putJson(ObjectNode c) {
        c.put("model", model);
        c.put("sha256", sha256);
        c.set("importOptions", importOptions.toJson(new ObjectMapper()));
        c.put("images", images);
        c.put("limit", limit);
        c.put("preprocess", preprocess);
        c.put("resize", resize);
        c.put("precision", precision);
    }
}
