package io.nnfrust.inference;

import io.nnfrust.util.NnfrustException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A labelled set of grey images in the IDX format of MNIST and Fashion-MNIST (LeCun et al.): an images file
 * (magic 0x00000803: unsigned bytes, dimensions N × rows × cols) and a labels file (magic 0x00000801: unsigned
 * bytes, dimension N), each raw or gzipped (recognised by its first two bytes, not its name). Preprocessing is
 * fixed and stated: value = pixel / 255, so every input lies in [0, 1]; nothing is subtracted, no resizing; the
 * tensor is [N, 1, rows, cols] in C order. This is what {@code scripts/train_checkpoints.py} feeds its networks.
 *
 * @param images the source of the images (provenance)
 * @param labels the source of the labels (provenance)
 * @param count  number of images kept (the first {@code count} of the files)
 * @param rows   image height
 * @param cols   image width
 * @param pixels {@code count·rows·cols} values in [0, 1]
 * @param classes the label of each image, 0..255
 */
public record IdxImages(String images, String labels, int count, int rows, int cols, float[] pixels, int[] classes) {
    /** The preprocessing, as written into results. */
    public static final String PREPROCESSING = "idx: pixel/255 in [0, 1], 1 channel, no mean subtracted, no resize";

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    public IdxImages {
        if (count < 1
                || rows < 1
                || cols < 1
                || pixels.length != (long) count * rows * cols
                || classes.length != count) {
            throw new IllegalArgumentException("inconsistent IDX image set");
        }
    }

    /** Values per image (rows·cols, one channel). */
    public int perImage() {
        return rows * cols;
    }

    /**
     * Reads the first {@code limit} images (0: all) of {@code imagesFile} and their labels from {@code labelsFile}.
     * A wrong magic number, a truncated file or differing counts are one-line errors naming the file.
     */
    public static IdxImages read(Path imagesFile, Path labelsFile, int limit) {
        if (limit < 0) {
            throw new NnfrustException("--limit must be >= 0, got " + limit);
        }
        int[] dims = new int[3];
        byte[] px;
        try (DataInputStream in = open(imagesFile)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new NnfrustException(String.format(
                        Locale.ROOT,
                        "%s is not an IDX image file "
                                + "(magic 0x%08x, expected 0x%08x: unsigned bytes, 3 dimensions)",
                        imagesFile,
                        magic,
                        IMAGES_MAGIC));
            }
            for (int d = 0; d < 3; d++) {
                dims[d] = in.readInt();
                if (dims[d] <= 0) {
                    throw new NnfrustException(imagesFile + ": dimension " + d + " is " + dims[d] + " (IDX header)");
                }
            }
            int n = limit == 0 ? dims[0] : Math.min(limit, dims[0]);
            long bytes = (long) n * dims[1] * dims[2];
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new NnfrustException(imagesFile + ": " + n + " images of " + dims[1] + "x" + dims[2]
                        + " are too many at once; give --limit");
            }
            px = new byte[(int) bytes];
            in.readFully(px);
            dims[0] = n;
        } catch (EOFException e) {
            throw new NnfrustException(imagesFile + " is truncated: fewer pixels than its IDX header states");
        } catch (IOException e) {
            throw new NnfrustException("cannot read IDX images " + imagesFile + ": " + e.getMessage());
        }
        int[] labels;
        try (DataInputStream in = open(labelsFile)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new NnfrustException(String.format(
                        Locale.ROOT,
                        "%s is not an IDX label file " + "(magic 0x%08x, expected 0x%08x: unsigned bytes, 1 dimension)",
                        labelsFile,
                        magic,
                        LABELS_MAGIC));
            }
            int n = in.readInt();
            if (n < dims[0]) {
                throw new NnfrustException(labelsFile + " holds " + n + " labels for the " + dims[0]
                        + " images used of " + imagesFile + "; give the label file of the same set");
            }
            byte[] b = new byte[dims[0]];
            in.readFully(b);
            labels = new int[dims[0]];
            for (int i = 0; i < b.length; i++) {
                labels[i] = b[i] & 0xff;
            }
        } catch (EOFException e) {
            throw new NnfrustException(labelsFile + " is truncated: fewer labels than its IDX header states");
        } catch (IOException e) {
            throw new NnfrustException("cannot read IDX labels " + labelsFile + ": " + e.getMessage());
        }
        float[] pixels = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            pixels[i] = (px[i] & 0xff) / 255f;
        }
        return new IdxImages(imagesFile.toString(), labelsFile.toString(), dims[0], dims[1], dims[2], pixels, labels);
    }

    /** The inputs of images {@code from} .. {@code from + n - 1}, [n, 1, rows, cols]. */
    public float[] batch(int from, int n) {
        return Arrays.copyOfRange(pixels, from * perImage(), (from + n) * perImage());
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NnfrustException("IDX file not found: " + file);
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        InputStream in =
                b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        return new DataInputStream(in);
    }
}
