package io.nnfrust.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxTensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import javax.imageio.ImageIO;

/** Small ONNX image networks and image folders for end-to-end tests of the image experiments. */
public final class SmallOnnx {
    private SmallOnnx() {}

    /**
     * input 3x8x8 -> conv 3x3 (4, "conv1") -> ReLU -> max-pool 2 -> conv 3x3 (5, "conv2") -> ReLU -> avg-pool 2
     * -> flatten -> dense 6 ("fc"), He weights from {@code seed}.
     */
    public static ModelProto network(long seed) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("mono", seed, WeightInit.HE_NORMAL);
        String x = b.input("x", 3, 8, 8);
        String c1 = b.relu(b.conv("conv1", x, 4, 3, 1, 1, 1, true));
        String p1 = b.maxPool(c1, 2, 2, 0, false);
        String c2 = b.relu(b.conv("conv2", p1, 5, 3, 1, 1, 1, true));
        String p2 = b.avgPool(c2, 2, 2, 0, false);
        return b.build(b.gemm("fc", b.flatten(p2), 6));
    }

    /**
     * Replaces every weight value v of initializer {@code name} by f(name, v); biases (names ending ".bias") get
     * random values of either sign from {@code seed}.
     */
    public static ModelProto mapWeights(ModelProto m, BiFunction<String, Float, Float> f, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            float[] v = OnnxTensors.floats(t);
            boolean bias = t.getName().endsWith(".bias");
            for (int k = 0; k < v.length; k++) {
                v[k] = bias ? (float) (r.nextDouble() - 0.5) : f.apply(t.getName(), v[k]);
            }
            g.setInitializer(i, OnnxTensors.withValues(t, v));
        }
        return m.toBuilder().setGraph(g).build();
    }

    /** Writes {@code count} random-pixel 8x8 PNGs (img00.png, ...) into {@code dir}. */
    public static Path images(Path dir, int count, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(seed);
        for (int k = 0; k < count; k++) {
            BufferedImage im = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    im.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(
                    im, "png", dir.resolve(String.format("img%02d.png", k)).toFile());
        }
        return dir;
    }
}
