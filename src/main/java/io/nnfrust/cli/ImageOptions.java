package io.nnfrust.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.ImageInputs;
import io.nnfrust.experiment.ImageSource;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.Synsets;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options of every command that feeds images to a network. */
public final class ImageOptions {
    /** Images per ONNX Runtime call unless --batch says otherwise (also what merge records). */
    static final int DEFAULT_BATCH = 16;

    @Option(
            names = "--images",
            required = true,
            paramLabel = "DIR",
            description =
                    "Folder of images (.jpg, .jpeg, .png, .bmp, .gif; other files are ignored), used in file-name order; the true class is the WordNet id in the file name (needs synset_words.txt, see --synsets).")
    Path images;

    @Option(
            names = "--preprocess",
            paramLabel = "caffe|torchvision|raw",
            required = true,
            description =
                    "Normalisation preset; must match the model (the shared SqueezeNet needs caffe). See docs/inference.md.")
    String preprocess;

    @Option(
            names = "--resize",
            defaultValue = "256",
            paramLabel = "N",
            description =
                    "Shorter image side before the center crop to the model's input size (default ${DEFAULT-VALUE}).")
    int resize;

    @Option(
            names = "--synsets",
            paramLabel = "FILE",
            description =
                    "Class list in synset_words.txt form (default: synset_words.txt in the image folder or its parent).")
    Path synsets;

    @Option(
            names = "--limit",
            defaultValue = "0",
            paramLabel = "N",
            description = "Use only the first N images in name order (0, the default: all).")
    int limit;

    @Option(
            names = "--batch",
            defaultValue = "" + DEFAULT_BATCH,
            paramLabel = "N",
            description = "Images per ONNX Runtime call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            paramLabel = "fp32|native",
            description =
                    "fp32 (default): run an fp16 model exactly cast to fp32; native: the file's own element type.")
    String precision;

    public ImagePreprocessor preprocessor(Network net) {
        int[] shape = net.inputShape();
        if (shape.length != 4 || shape[1] != 3) {
            throw new NnfrustException("the model's input " + Arrays.toString(shape)
                    + " is not a 3-channel image [1,3,H,W]; image presets give 3 channels");
        }
        if (batch < 1) {
            throw new NnfrustException("--batch must be at least 1, got " + batch);
        }
        if (limit < 0) {
            throw new NnfrustException("--limit must be >= 0, got " + limit);
        }
        return new ImagePreprocessor(ImagePreprocessor.Preset.parse(preprocess), resize, shape[2], shape[3]);
    }

    /** The model and image part of an image experiment's configuration. */
    ImageInputs inputs(String model, Network net, ImportOptions importOptions, ImagePreprocessor pre) {
        return new ImageInputs(
                model, net.sha256(), importOptions, images, limit, pre.preset(), pre.resize(), precision());
    }

    /** The images of an image experiment: the listed files, their preprocessing, the class list and the batch. */
    ImageSource source(ImagePreprocessor pre) {
        return new ImageSource(ImageSet.list(images, limit), pre, synsets(), batch);
    }

    public InferenceSession.Precision precision() {
        return switch (precision.toLowerCase(Locale.ROOT)) {
            case "fp32" -> InferenceSession.Precision.FLOAT32;
            case "native" -> InferenceSession.Precision.NATIVE;
            default -> throw new NnfrustException("--precision must be fp32 or native, got '" + precision + "'");
        };
    }

    /**
     * Warns on stderr when the labelled images are classified near chance (a wrong --preprocess, wrong labels,
     * or random weights) or when no image is labelled.
     */
    static void warnAccuracy(Accuracy a, ImagePreprocessor pre, Network net) {
        String w = a.warning(
                pre.preset().label(), ModelIdentity.isZoo(net), net.options().overridesInput());
        if (w != null) {
            Outputs.warn(w);
        }
    }

    /** One stderr line per file that could not be used. */
    static void printSkipped(List<ImageSet.Skipped> skipped) {
        for (var s : skipped) {
            System.err.println("nnfrust: skipped " + s.file() + ": " + s.reason());
        }
    }

    /** The unusable files as the JSON array {@code skipped} of {file, reason}. */
    static void putSkipped(ObjectNode out, List<ImageSet.Skipped> skipped) {
        var sk = out.putArray("skipped");
        for (var s : skipped) {
            sk.addObject().put("file", s.file().toString()).put("reason", s.reason());
        }
    }

    /** The class list, or null when none is given or found next to the images. */
    public Synsets synsets() {
        if (synsets != null) {
            if (!Files.isRegularFile(synsets)) {
                throw new NnfrustException("synset list not found: " + synsets);
            }
            return Synsets.read(synsets);
        }
        Path abs = images.toAbsolutePath();
        for (Path p : new Path[] {
            abs.resolve("synset_words.txt"),
            abs.getParent() == null ? null : abs.getParent().resolve("synset_words.txt")
        }) {
            if (p != null && Files.isRegularFile(p)) {
                return Synsets.read(p);
            }
        }
        return null;
    }
}
