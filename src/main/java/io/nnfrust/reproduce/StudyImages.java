package io.nnfrust.reproduce;

import io.nnfrust.experiment.ImageInputs;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.Synsets;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The labelled images of the active-subnetwork (eq. 8) and near-monotonicity (eq. 10) stages, as reproduce is given
 * them: the folder, the preprocessing preset, the class list (null: {@code synset_words.txt} beside the images) and
 * the shorter side before the centre crop (null: {@link #DEFAULT_RESIZE}). Paths are kept as given: they are part of
 * the stages' command lines (provenance); the studies' {@link ImageInputs} hold them absolute.
 *
 * @param folder     the image folder
 * @param preprocess the normalisation preset of the models
 * @param synsets    the class list, or null to look for {@code synset_words.txt} in the folder or its parent
 * @param resize     the shorter side before the crop, or null for {@link #DEFAULT_RESIZE}
 */
public record StudyImages(Path folder, ImagePreprocessor.Preset preprocess, Path synsets, Integer resize) {
    /** The shorter image side before the crop unless given (as {@code experiment active/monotonicity}). */
    public static final int DEFAULT_RESIZE = 256;

    /** Images per ONNX Runtime call (the experiments' default; changes no result). */
    public static final int BATCH = 16;

    public StudyImages {
        if (folder == null || preprocess == null) {
            throw new NnfrustException("images need a folder and a preprocessing preset");
        }
        if (resize != null && resize < 1) {
            throw new NnfrustException("resize must be >= 1, got " + resize);
        }
    }

    /** The image options of the experiments' command lines: --images, --preprocess, then --synsets, --resize if given. */
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("--images", folder.toString(), "--preprocess", preprocess.label()));
        if (synsets != null) {
            a.addAll(List.of("--synsets", synsets.toString()));
        }
        if (resize != null) {
            a.addAll(List.of("--resize", Integer.toString(resize)));
        }
        return a;
    }

    /** The inputs of an image study on {@code model} (its SHA-256 is filled in when it is loaded; fp32 inference). */
    public ImageInputs inputs(String model, ImportOptions importOptions, int limit) {
        return new ImageInputs(
                model,
                "",
                importOptions,
                folder,
                limit,
                preprocess,
                resize == null ? DEFAULT_RESIZE : resize,
                InferenceSession.Precision.FLOAT32);
    }

    /**
     * The class list: {@link #synsets} when given (it must exist), else {@code synset_words.txt} in the image folder
     * or its parent, else null (unlabelled images).
     */
    public Synsets classes() {
        if (synsets != null) {
            if (!Files.isRegularFile(synsets)) {
                throw new NnfrustException("synset list not found: " + synsets);
            }
            return Synsets.read(synsets);
        }
        Path abs = folder.toAbsolutePath();
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
