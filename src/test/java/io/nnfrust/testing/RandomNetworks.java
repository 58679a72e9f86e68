package io.nnfrust.testing;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small random networks that exercise every block type and geometry: grouped, strided, dilated convolutions
 * with asymmetric pads and non-square kernels, max/avg pooling with ceil mode, Concat, a channel shuffle
 * (Reshape/Transpose through Shape/Gather/Unsqueeze/Concat), a residual Add, Pad, Flatten, Gemm (both
 * layouts, alpha) and MatMul. With {@code linear}, ReLU and pooling are left out, so the network computes
 * exactly (A's propagation) and ONNX Runtime can serve as an oracle.
 */
public final class RandomNetworks {
    private RandomNetworks() {}

    public static ModelProto build(long seed, boolean linear) {
        SplittableRandom r = new SplittableRandom(seed);
        OnnxGraphBuilder b = new OnnxGraphBuilder("random" + seed, seed, WeightInit.XAVIER_UNIFORM);
        int c0 = 2 * (1 + r.nextInt(2));
        String x = b.input("x", c0, 9 + r.nextInt(5), 9 + r.nextInt(5));
        int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3);
        int[] pads = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)};
        String a = b.conv("c1", x, 4, kh, kw, 1 + r.nextInt(2), 1 + r.nextInt(2), pads, 1 + r.nextInt(2), 2, true);
        if (!linear) {
            a = b.relu(a);
            a = b.pool(
                    r.nextBoolean() ? "MaxPool" : "AveragePool",
                    a,
                    2 + r.nextInt(2),
                    1 + r.nextInt(2),
                    1 + r.nextInt(2),
                    new int[] {r.nextInt(2), 0, 1, r.nextInt(2)},
                    r.nextBoolean());
        }
        String b1 = b.conv("b1", a, 4, 1, 1, 0, 1, false);
        String b2 = b.conv("b2", a, 4, 3, 1, 1, 2, true);
        String cat = b.concat(List.of(b1, b2));
        String shuffled = b.channelShuffle(cat, 2);
        String res = b.conv("res", shuffled, 8, 3, 1, 1, 4, false);
        String sum = r.nextBoolean() ? b.add(res, shuffled) : b.add(shuffled, res);
        if (!linear) {
            sum = b.relu(sum);
        }
        String p = b.pad(sum, new int[] {1, 0, r.nextInt(2), 2});
        String c = b.conv("c3", p, 6, 3, 2, 2, 2, new int[] {0, 1, 0, 0}, 1, 2, false);
        if (!linear && b.shape(c)[1] >= 2 && b.shape(c)[2] >= 2) {
            c = b.avgPool(c, 2, 1, 0, true);
        }
        String f = b.flatten(c);
        String g = b.gemm("fc1", f, 5, 0.5f + (float) r.nextDouble(), r.nextBoolean());
        if (!linear) {
            g = b.relu(g);
        }
        return b.build(b.matMul("fc2", g, 3));
    }
}
