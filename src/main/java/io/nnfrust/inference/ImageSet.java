package io.nnfrust.inference;

import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** A folder of images, listed in file-name order, decoded and preprocessed in batches. */
public final class ImageSet {
    private ImageSet() {}

    /** A file that could not be used, and why. */
    public record Skipped(Path file, String reason) {}

    /** Preprocessed images of one batch, in order, and the files of the batch that were skipped. */
    public record Batch(List<Path> files, float[] input, List<Skipped> skipped) {
        public int size() {
            return files.size();
        }
    }

    /** File name endings taken as images (any case); other files in the folder are ignored. */
    public static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif");

    static boolean isImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /**
     * Regular, non-hidden image files ({@link #EXTENSIONS}) of {@code dir} in name order, the first {@code limit}
     * of them (0: all). A folder without images is an error.
     */
    public static List<Path> list(Path dir, int limit) {
        if (Files.isRegularFile(dir)) {
            throw new NnfrustException("--images " + dir + " is a file; give the folder that holds the images");
        }
        if (!Files.isDirectory(dir)) {
            throw new NnfrustException("image folder not found: " + dir);
        }
        List<Path> files;
        int others;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> all = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted((a, b) ->
                            a.getFileName().toString().compareTo(b.getFileName().toString()))
                    .toList();
            files = new ArrayList<>(all.stream()
                    .filter(p -> isImageName(p.getFileName().toString()))
                    .toList());
            others = all.size() - files.size();
        } catch (IOException e) {
            throw new NnfrustException("cannot list image folder " + dir + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw new NnfrustException("image folder " + dir + " holds no images (" + String.join(", ", EXTENSIONS)
                    + (others > 0 ? "; " + others + " other file" + (others == 1 ? "" : "s") + " ignored" : "") + ")");
        }
        return limit > 0 && files.size() > limit ? List.copyOf(files.subList(0, limit)) : List.copyOf(files);
    }

    /** Decodes and preprocesses {@code files} in parallel; unreadable ones are skipped with their reason. */
    public static Batch load(List<Path> files, ImagePreprocessor pre, int perImage) {
        float[][] one = new float[files.size()][];
        String[] why = new String[files.size()];
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                one[i] = pre.load(files.get(i));
                if (one[i].length != perImage) {
                    why[i] = "preprocessed to " + one[i].length + " values, the model takes " + perImage;
                    one[i] = null;
                }
            } catch (NnfrustException e) {
                String prefix = files.get(i) + ": ";
                String msg = e.getMessage();
                why[i] = msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
            }
        });
        List<Path> ok = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int n = 0;
        for (float[] f : one) {
            n += f == null ? 0 : 1;
        }
        float[] input = new float[n * perImage];
        int at = 0;
        for (int i = 0; i < files.size(); i++) {
            if (one[i] == null) {
                skipped.add(new Skipped(files.get(i), why[i]));
            } else {
                System.arraycopy(one[i], 0, input, at * perImage, perImage);
                ok.add(files.get(i));
                at++;
            }
        }
        return new Batch(ok, input, skipped);
    }
}
