package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an image experiment feeds the network: the model (spec, SHA-256, import options) and the images (folder,
 * limit, preprocessing, precision). Part of every image experiment's checkpoint header; {@link #putJson} and
 * {@link #fromJson} are its codec (field names of the header: model, sha256, importOptions, images, limit,
 * preprocess, resize, precision).
 *
 * @param model      the model as given (zoo:NAME or an .onnx file)
 * @param sha256     SHA-256 of the model file
 * @param images     folder of images, made absolute and normal
 * @param limit      the first {@code limit} images in name order (0: all)
 * @param preprocess the normalisation preset
 * @param resize     shorter image side before the centre crop
 * @param precision  element type ONNX Runtime computes in
 */
public record ImageInputs(
        String model,
        String sha256,
        ImportOptions importOptions,
        Path images,
        int limit,
        ImagePreprocessor.Preset preprocess,
        int resize,
        InferenceSession.Precision precision) {
    public ImageInputs {
        if (model == null || sha256 == null || importOptions == null || images == null) {
            throw new NnfrustException("image inputs need a model, its sha256, import options and an image folder");
        }
        if (preprocess == null || precision == null) {
            throw new NnfrustException("image inputs need a preprocessing preset and a precision");
        }
        if (limit < 0) {
            throw new NnfrustException("limit must be >= 0, got " + limit);
        }
        if (resize < 1) {
            throw new NnfrustException("resize must be >= 1, got " + resize);
        }
        images = images.toAbsolutePath().normalize();
    }

    /** Adds the fields to a configuration object. */
    public void putJson(ObjectNode c) {
        c.put("model", model);
        c.put("sha256", sha256);
        c.set("importOptions", importOptions.toJson(new ObjectMapper()));
        c.put("images", images.toString());
        c.put("limit", limit);
        c.put("preprocess", preprocess.label());
        c.put("resize", resize);
        c.put("precision", precision.name().toLowerCase(Locale.ROOT));
    }

    /** The inputs of a configuration object written by {@link #putJson}. */
    public static ImageInputs fromJson(JsonNode c) {
        return new ImageInputs(
                StudyJson.text(c, "model"),
                StudyJson.text(c, "sha256"),
                StudyJson.importOptions(c.path("importOptions")),
                Path.of(StudyJson.text(c, "images")),
                c.path("limit").asInt(),
                ImagePreprocessor.Preset.parse(StudyJson.text(c, "preprocess")),
                c.path("resize").asInt(),
                StudyJson.enumOf(InferenceSession.Precision.class, StudyJson.text(c, "precision"), "precision"));
    }

    /** The image files, in name order, at most {@link #limit}. */
    public List<Path> list() {
        return ImageSet.list(images, limit);
    }

    /** The preprocessing for {@code net}'s input; the network must take 3-channel images [1,3,H,W]. */
    public ImagePreprocessor preprocessor(Network net) {
        int[] shape = net.inputShape();
        if (shape.length != 4 || shape[1] != 3) {
            throw new NnfrustException("the model's input " + Arrays.toString(shape)
                    + " is not a 3-channel image [1,3,H,W]; image presets give 3 channels");
        }
        return new ImagePreprocessor(preprocess, resize, shape[2], shape[3]);
    }
}
