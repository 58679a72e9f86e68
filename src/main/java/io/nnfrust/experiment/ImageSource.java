package io.nnfrust.experiment;

import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.Synsets;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.List;

/**
 * The images an image experiment runs on and how they are loaded: the files (list order fixes the per-image seeds),
 * their preprocessing, the class list that gives each file's true class (null: unlabelled) and the number of images
 * per ONNX Runtime call ({@code batch}, which changes no result).
 */
public record ImageSource(List<Path> files, ImagePreprocessor preprocessor, Synsets synsets, int batch) {
    public ImageSource {
        if (files == null || preprocessor == null) {
            throw new NnfrustException("an image source needs its files and a preprocessor");
        }
        files = List.copyOf(files);
        if (batch < 1) {
            throw new NnfrustException("batch must be >= 1, got " + batch);
        }
    }

    /** The files and preprocessing that {@code inputs} names, for {@code net}. */
    public static ImageSource of(ImageInputs inputs, Network net, Synsets synsets, int batch) {
        return new ImageSource(inputs.list(), inputs.preprocessor(net), synsets, batch);
    }
}
