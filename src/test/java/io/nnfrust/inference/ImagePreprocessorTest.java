package io.nnfrust.inference;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.util.NnfrustException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePreprocessorTest {
    @TempDir
    Path dir;

    private static ImagePreprocessor.Rgb image(int w, int h, int[] rgb) {
        byte[] px = new byte[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            px[3 * i] = (byte) rgb[0];
            px[3 * i + 1] = (byte) rgb[1];
            px[3 * i + 2] = (byte) rgb[2];
        }
        return new ImagePreprocessor.Rgb(w, h, px);
    }

    @Test
    void constantImageStaysConstantThroughResizeAndEveryPreset() {
        ImagePreprocessor.Rgb img = image(500, 375, new int[] {200, 100, 50});
        float[] caffe = new ImagePreprocessor(ImagePreprocessor.Preset.CAFFE, 256, 224, 224).fromRgb(img);
        int plane = 224 * 224;
        for (int i = 0; i < plane; i++) {
            assertEquals(50 - 104f, caffe[i], 0f, "B first, minus 104");
            assertEquals(100 - 117f, caffe[plane + i], 0f);
            assertEquals(200 - 123f, caffe[2 * plane + i], 0f);
        }
        float[] tv = new ImagePreprocessor(ImagePreprocessor.Preset.TORCHVISION, 256, 224, 224).fromRgb(img);
        assertEquals((200 / 255f - 0.485f) / 0.229f, tv[0], 1e-6f);
        assertEquals((50 / 255f - 0.406f) / 0.225f, tv[2 * plane], 1e-6f);
        float[] raw = new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 256, 224, 224).fromRgb(img);
        assertEquals(200f, raw[0]);
        assertEquals(50f, raw[2 * plane]);
    }

    @Test
    void resizeFollowsTorchvisionSizesAndPillowsFilter() {
        // 500x375 -> shorter side 256, longer floor(256*500/375) = 341
        byte[] src = new byte[3 * 4 * 1];
        int[] v = {0, 100, 200, 255};
        for (int x = 0; x < 4; x++) {
            for (int c = 0; c < 3; c++) {
                src[3 * x + c] = (byte) v[x];
            }
        }
        // halving a row with Pillow's antialiased bilinear: support 2, centers 1 and 3, weights (1,3,3,1)/8 clipped
        byte[] half = ImagePreprocessor.resizeBilinear(src, 4, 1, 2, 1);
        // output 0: center 1.0, taps x=0..2 with weights tri((x+0.5-1)/2): 0.75, 0.75, 0.25 ->
        // (0*.75+100*.75+200*.25)/1.75
        assertEquals(Math.round((0 * 0.75 + 100 * 0.75 + 200 * 0.25) / 1.75), half[0] & 0xFF);
        // output 1: center 3.0, taps x=1..3: weights 0.25, 0.75, 0.75
        assertEquals(Math.round((100 * 0.25 + 200 * 0.75 + 255 * 0.75) / 1.75), half[3] & 0xFF);
        // same size: unchanged
        assertArrayEquals(src, ImagePreprocessor.resizeBilinear(src, 4, 1, 4, 1));
        // monotone input stays monotone when enlarged
        byte[] up = ImagePreprocessor.resizeBilinear(src, 4, 1, 9, 1);
        for (int x = 1; x < 9; x++) {
            assertTrue((up[3 * x] & 0xFF) >= (up[3 * (x - 1)] & 0xFF));
        }
    }

    @Test
    void grayscaleAndPngFilesAreRgbAndNonImagesAreReported() throws Exception {
        BufferedImage gray = new BufferedImage(300, 260, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 260; y++) {
            for (int x = 0; x < 300; x++) {
                gray.getRaster().setSample(x, y, 0, 77);
            }
        }
        Path g = dir.resolve("g.png");
        ImageIO.write(gray, "png", g.toFile());
        ImagePreprocessor.Rgb rgb = ImagePreprocessor.decodeRgb(g);
        assertEquals(300, rgb.width());
        for (byte b : rgb.pixels()) {
            assertEquals(77, b & 0xFF, "gray replicated into R, G and B without gamma change");
        }
        Path jpg = dir.resolve("g.jpg");
        ImageIO.write(gray, "jpg", jpg.toFile());
        float[] f = new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 256, 224, 224).load(jpg);
        assertEquals(77f, f[0], 1f);
        assertEquals(f[0], f[224 * 224], 0f, "R = G for a grayscale JPEG");
        Path text = Files.writeString(dir.resolve("n01440764_fake.JPEG"), "not an image");
        NnfrustException e = assertThrows(NnfrustException.class, () -> ImagePreprocessor.decodeRgb(text));
        assertTrue(e.getMessage().contains("n01440764_fake.JPEG"), e.getMessage());
        Path cut = dir.resolve("cut.jpg");
        byte[] whole = Files.readAllBytes(jpg);
        Files.write(cut, Arrays.copyOf(whole, 40));
        assertThrows(NnfrustException.class, () -> ImagePreprocessor.decodeRgb(cut));
    }

    @Test
    void cmykJpegIsDecodedToRgb() throws Exception {
        // a 4-channel JPEG written through TwelveMonkeys' writer from a raster, marked as Adobe CMYK (APP14,
        // transform 0) as Photoshop writes them: ink stored inverted, 255 = no ink. Four stripes: no ink (white),
        // full cyan (0,255,255), full ink everywhere (black), black ink only (black).
        var writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = null;
        while (writers.hasNext()) {
            var w = writers.next();
            if (w.getClass().getName().contains("twelvemonkeys")) {
                writer = w;
            }
        }
        Assumptions.assumeTrue(writer != null, "skipped: no TwelveMonkeys JPEG writer");
        int[][] inverted = {{255, 255, 255, 255}, {0, 255, 255, 255}, {0, 0, 0, 0}, {255, 255, 255, 0}};
        int[][] expected = {{255, 255, 255}, {0, 255, 255}, {0, 0, 0}, {0, 0, 0}};
        var raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 64, 64, 4, null);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                raster.setPixel(x, y, inverted[x / 16]);
            }
        }
        Path cmyk = dir.resolve("cmyk.jpg");
        try (var out = ImageIO.createImageOutputStream(cmyk.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (Exception unsupported) {
            Assumptions.abort("skipped: cannot write a CMYK JPEG here: " + unsupported);
        } finally {
            writer.dispose();
        }
        byte[] plain = Files.readAllBytes(cmyk);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] marked = new byte[plain.length + app14.length];
        System.arraycopy(plain, 0, marked, 0, 2);
        System.arraycopy(app14, 0, marked, 2, app14.length);
        System.arraycopy(plain, 2, marked, 2 + app14.length, plain.length - 2);
        Files.write(cmyk, marked);
        ImagePreprocessor.Rgb rgb = ImagePreprocessor.decodeRgb(cmyk);
        assertEquals(64, rgb.width());
        assertEquals(64 * 64 * 3, rgb.pixels().length);
        for (int q = 0; q < 4; q++) {
            int o = 3 * (32 * 64 + q * 16 + 8);
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[q][c], rgb.pixels()[o + c] & 0xFF, 12, "stripe " + q + ", channel " + c);
            }
        }
    }

    @Test
    void theCentreCropTakesThePixelsAtTheRoundedHalfToEvenOffset() {
        // an image already at the resize target (identity resize): the crop must copy pixel (left + x, top + y);
        // widths 41 and 43 put the horizontal offset at 15.5 and 16.5, both rounded to 16 (half to even, as
        // torchvision's int(round(...))); floor or half-up would take column 15 or 17
        for (int w : new int[] {41, 43}) {
            int h = 20;
            byte[] px = new byte[3 * w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    px[3 * (y * w + x)] = (byte) (x * 5);
                    px[3 * (y * w + x) + 1] = (byte) (y * 11);
                    px[3 * (y * w + x) + 2] = (byte) ((x + 2 * y) * 3);
                }
            }
            float[] out = new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 20, 10, 10)
                    .fromRgb(new ImagePreprocessor.Rgb(w, h, px));
            int top = 5, left = 16;
            for (int y = 0; y < 10; y++) {
                for (int x = 0; x < 10; x++) {
                    int sx = left + x, sy = top + y;
                    assertEquals((sx * 5) & 0xFF, out[y * 10 + x], 0, "R at " + x + "," + y + ", width " + w);
                    assertEquals((sy * 11) & 0xFF, out[100 + y * 10 + x], 0, "G");
                    assertEquals(((sx + 2 * sy) * 3) & 0xFF, out[200 + y * 10 + x], 0, "B");
                }
            }
        }
    }

    @Test
    void cropLargerThanTheResizedImageIsAClearError() {
        assertThrows(
                NnfrustException.class, () -> new ImagePreprocessor(ImagePreprocessor.Preset.CAFFE, 200, 224, 224));
        assertThrows(NnfrustException.class, () -> ImagePreprocessor.Preset.parse("imagenet"));
    }

    @Test
    void truncatedJpegsAreSkippedNotUsedPartially() throws Exception {
        BufferedImage im = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        SplittableRandom r = new SplittableRandom(3);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                im.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Path whole = dir.resolve("whole.jpg");
        ImageIO.write(im, "jpg", whole.toFile());
        byte[] bytes = Files.readAllBytes(whole);
        assertFalse(ImagePreprocessor.endsEarly(whole));
        ImagePreprocessor.decodeRgb(whole);
        for (int keep : new int[] {bytes.length / 3, bytes.length - 2}) {
            Path cut = dir.resolve("cut" + keep + ".jpg");
            Files.write(cut, Arrays.copyOf(bytes, keep));
            assertTrue(ImagePreprocessor.endsEarly(cut), "no end-of-image marker after the scan");
            NnfrustException e = assertThrows(NnfrustException.class, () -> ImagePreprocessor.decodeRgb(cut));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            var batch = ImageSet.load(
                    List.of(whole, cut), new ImagePreprocessor(ImagePreprocessor.Preset.RAW, 64, 64, 64), 3 * 64 * 64);
            assertEquals(List.of(whole), batch.files());
            assertTrue(
                    batch.skipped().get(0).reason().startsWith("truncated"),
                    batch.skipped().get(0).reason());
        }
        // trailing bytes after the end marker are harmless
        Path padded = dir.resolve("padded.jpg");
        byte[] more = Arrays.copyOf(bytes, bytes.length + 100);
        Files.write(padded, more);
        assertFalse(ImagePreprocessor.endsEarly(padded));
    }

    @Test
    void accuracyNearChanceIsTheBinomialTestAndTheRateFloor() {
        assertTrue(new Accuracy(10, 0, 1, 1000).nearChance(), "0/10");
        assertTrue(new Accuracy(10, 1, 1, 1000).nearChance(), "1/10: p = 0.00995 > 0.001");
        assertFalse(new Accuracy(10, 2, 2, 1000).nearChance(), "2/10: p = 4.5e-5");
        assertFalse(new Accuracy(1, 1, 1, 1000).nearChance(), "one right answer is not near chance");
        assertTrue(new Accuracy(100000, 400, 800, 1000).nearChance(), "0.4 % is below 5x chance however many");
        assertEquals(1 - Math.pow(0.999, 10), new Accuracy(10, 1, 1, 1000).pValueAgainstChance(), 1e-12);
        assertFalse(new Accuracy(1000, 611, 832, 1000).nearChance());
        assertNotNull(new Accuracy(0, 0, 0, 1000).warning("caffe", false), "no labels is said too");
        float[] logits = {0.1f, 0.5f, 0.5f, -1f};
        assertEquals(2, Accuracy.rank(logits, 0, 4, 2), "ties: the lower index ranks first, as argmax");
        assertEquals(1, Accuracy.rank(logits, 0, 4, 1));
        assertEquals(-1, Accuracy.rank(logits, 0, 4, 7));
    }
}
