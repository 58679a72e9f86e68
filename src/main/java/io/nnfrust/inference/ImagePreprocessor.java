package io.nnfrust.inference;

import io.nnfrust.util.NnfrustException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Image file to network input, as torchvision's {@code Resize(256)} + {@code CenterCrop(size)} on a PIL image
 * followed by a normalisation preset:
 * <ol>
 *   <li>decode (JPEG incl. grayscale and CMYK/YCCK through the TwelveMonkeys ImageIO plugin, PNG, BMP, GIF) and
 *   convert to 8-bit RGB (grayscale replicated, alpha dropped);</li>
 *   <li>resize so the shorter side is {@code resize} (the longer one {@code floor(resize·long/short)}) with
 *   Pillow's antialiased bilinear filter, reproduced exactly: triangle kernel widened by the down-scaling factor,
 *   22-bit fixed-point coefficients, horizontal pass then vertical pass, each rounded and clipped to 8 bits;</li>
 *   <li>center crop to the model's input height and width (offsets rounded half to even, as Python's round);</li>
 *   <li>{@link Preset}: {@code caffe} (BGR, 0–255, minus mean 104/117/123), {@code torchvision} (RGB, /255, minus
 *   mean 0.485/0.456/0.406, divided by std 0.229/0.224/0.225) or {@code raw} (RGB, 0–255).</li>
 * </ol>
 * The result is C-order [3, H, W] floats.
 */
public final class ImagePreprocessor {
    /** Normalisation presets. */
    public enum Preset {
        CAFFE,
        TORCHVISION,
        RAW;

        public static Preset parse(String s) {
            for (Preset p : values()) {
                if (p.name().equalsIgnoreCase(s)) {
                    return p;
                }
            }
            throw new NnfrustException("unknown preprocessing preset '" + s + "'; expected caffe, torchvision or raw");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private final Preset preset;
    private final int resize, height, width;

    /**
     * @param preset normalisation
     * @param resize target of the shorter side before cropping (torchvision's usual 256)
     * @param height crop height (the model's input height)
     * @param width  crop width
     */
    public ImagePreprocessor(Preset preset, int resize, int height, int width) {
        if (resize < 1 || height < 1 || width < 1) {
            throw new NnfrustException("resize and crop sizes must be positive");
        }
        if (resize < Math.min(height, width)) {
            throw new NnfrustException("--resize " + resize + " is smaller than the model's input " + height + "x"
                    + width + "; the center crop would not fit");
        }
        this.preset = preset;
        this.resize = resize;
        this.height = height;
        this.width = width;
    }

    public Preset preset() {
        return preset;
    }

    public int resize() {
        return resize;
    }

    /** Reads and preprocesses one file; throws {@link NnfrustException} naming the file when it is not an image. */
    public float[] load(Path file) {
        return fromRgb(decodeRgb(file));
    }

    /**
     * Whether a JPEG file lacks the end-of-image marker (FF D9) after its last scan: the sign of a file cut short,
     * which decoders fill in silently or with a mere warning. Other formats: false.
     */
    static boolean endsEarly(Path file) throws IOException {
        return endsEarly(Files.readAllBytes(file));
    }

    /** As above, on a file's bytes (read once by {@link #decodeRgb}). */
    static boolean endsEarly(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return false;
        }
        // entropy-coded data stuffs every FF with 00, so FF DA (start of scan) and FF D9 (end of image) are markers;
        // an embedded thumbnail ends before the main image's last scan starts
        int lastScan = -1, lastEnd = -1;
        for (int i = 2; i + 1 < b.length; i++) {
            if ((b[i] & 0xff) == 0xFF) {
                int m = b[i + 1] & 0xff;
                if (m == 0xDA) {
                    lastScan = i;
                } else if (m == 0xD9) {
                    lastEnd = i;
                }
            }
        }
        return lastScan >= 0 && lastEnd < lastScan;
    }

    /** 8-bit RGB pixels of a decoded image, row-major, 3 bytes per pixel, plus its size. */
    public record Rgb(int width, int height, byte[] pixels) {}

    /** Decodes {@code file} to 8-bit RGB. */
    public static Rgb decodeRgb(Path file) {
        BufferedImage img;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file); // read once: decoded, then checked for a missing end marker
        } catch (IOException | OutOfMemoryError e) {
            throw new NnfrustException(
                    file + ": cannot decode image (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            if (in == null) {
                throw new NnfrustException(file + ": cannot open");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new NnfrustException(file + ": not a readable image (no decoder recognises it)");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.addIIOReadWarningListener((source, warning) -> {
                    // only warnings of missing data; others (an ICC profile class, extraneous bytes) are harmless
                    String w = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
                    if (w.contains("truncat") || w.contains("premature end") || w.contains("missing eoi")) {
                        warnings.add(warning);
                    }
                });
                reader.setInput(in);
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
            // a truncated file decodes partially (grey or repeated rows) with only a warning: never use it
            if (!warnings.isEmpty()) {
                throw new NnfrustException(
                        file + ": truncated image, decoded only partially (" + warnings.get(0) + ")");
            }
            if (endsEarly(bytes)) {
                throw new NnfrustException(file + ": truncated JPEG (no end-of-image marker after its last scan)");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof NnfrustException ne) {
                throw ne;
            }
            throw new NnfrustException(
                    file + ": cannot decode image (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        int w = img.getWidth(), h = img.getHeight();
        if (w < 1 || h < 1) {
            throw new NnfrustException(file + ": empty image");
        }
        byte[] px = new byte[3 * w * h];
        int[] row = new int[w];
        boolean gray = img.getType() == BufferedImage.TYPE_BYTE_GRAY;
        for (int y = 0; y < h; y++) {
            if (gray) {
                var r = img.getRaster();
                for (int x = 0; x < w; x++) {
                    int v = r.getSample(x, y, 0);
                    int o = 3 * (y * w + x);
                    px[o] = px[o + 1] = px[o + 2] = (byte) v;
                }
                continue;
            }
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int o = 3 * (y * w + x), p = row[x];
                px[o] = (byte) (p >> 16);
                px[o + 1] = (byte) (p >> 8);
                px[o + 2] = (byte) p;
            }
        }
        return new Rgb(w, h, px);
    }

    /** Resize, crop and normalise decoded pixels. */
    public float[] fromRgb(Rgb img) {
        int w = img.width(), h = img.height();
        int nw, nh;
        if (w <= h) {
            nw = resize;
            nh = (int) ((long) resize * h / w);
        } else {
            nh = resize;
            nw = (int) ((long) resize * w / h);
        }
        if (nh < height || nw < width) {
            throw new NnfrustException(
                    "image resized to " + nw + "x" + nh + " is smaller than the crop " + width + "x" + height);
        }
        byte[] resized = resizeBilinear(img.pixels(), w, h, nw, nh);
        int top = (int) Math.rint((nh - height) / 2.0), left = (int) Math.rint((nw - width) / 2.0);
        float[] out = new float[3 * height * width];
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = 3 * ((top + y) * nw + left + x);
                int r = resized[o] & 0xFF, g = resized[o + 1] & 0xFF, b = resized[o + 2] & 0xFF;
                int at = y * width + x;
                switch (preset) {
                    case CAFFE -> {
                        out[at] = b - 104f;
                        out[plane + at] = g - 117f;
                        out[2 * plane + at] = r - 123f;
                    }
                    case TORCHVISION -> {
                        out[at] = (r / 255f - 0.485f) / 0.229f;
                        out[plane + at] = (g / 255f - 0.456f) / 0.224f;
                        out[2 * plane + at] = (b / 255f - 0.406f) / 0.225f;
                    }
                    case RAW -> {
                        out[at] = r;
                        out[plane + at] = g;
                        out[2 * plane + at] = b;
                    }
                }
            }
        }
        return out;
    }

    /** Pillow's ImagingResample with the bilinear filter on 8-bit RGB, horizontal then vertical pass. */
    static byte[] resizeBilinear(byte[] src, int w, int h, int nw, int nh) {
        byte[] tmp = src;
        int tw = w;
        if (nw != w) {
            tmp = pass(src, w, h, nw, true);
            tw = nw;
        }
        if (nh != h) {
            tmp = pass(tmp, tw, h, nh, false);
        }
        return tmp == src ? src.clone() : tmp;
    }

    /** One separable pass: along x ({@code horizontal}) from w to out columns, or along y from h to out rows. */
    private static byte[] pass(byte[] src, int w, int h, int out, boolean horizontal) {
        int in = horizontal ? w : h;
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * out];
        int[] k = new int[out * ksize];
        double[] kk = new double[ksize];
        for (int xx = 0; xx < out; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > in) {
                xmax = in;
            }
            xmax -= xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                double wgt = t < 1.0 ? 1.0 - t : 0.0;
                kk[x] = wgt;
                ww += wgt;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? kk[x] / ww : kk[x];
                k[xx * ksize + x] =
                        v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        int ow = horizontal ? out : w, oh = horizontal ? h : out;
        byte[] dst = new byte[3 * ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int xx = horizontal ? x : y;
                int xmin = bounds[2 * xx], n = bounds[2 * xx + 1], kb = xx * ksize;
                for (int c = 0; c < 3; c++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < n; i++) {
                        int s = horizontal ? 3 * (y * w + xmin + i) + c : 3 * ((xmin + i) * w + x) + c;
                        ss += (src[s] & 0xFF) * k[kb + i];
                    }
                    int v = ss >> PRECISION_BITS;
                    dst[3 * (y * ow + x) + c] = (byte) (v < 0 ? 0 : Math.min(v, 255));
                }
            }
        }
        return dst;
    }
}
