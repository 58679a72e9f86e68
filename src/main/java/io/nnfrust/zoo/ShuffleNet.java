package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.util.NnfrustException;
import java.util.List;

/**
 * ShuffleNet v1 (Zhang et al. 2018): grouped 1x1 convolutions, channel shuffle, depthwise 3x3, stride-2 units
 * that concatenate an average-pooled shortcut. Configurable {@code groups} (1, 2, 3, 4, 8) and {@code width}
 * multiplier; stage repeats 4/8/4, bottleneck = out/4, the first 1x1 of stage 2 ungrouped.
 */
final class ShuffleNet {
    private ShuffleNet() {}

    static int[] stageChannels(int groups) {
        return switch (groups) {
            case 1 -> new int[] {144, 288, 576};
            case 2 -> new int[] {200, 400, 800};
            case 3 -> new int[] {240, 480, 960};
            case 4 -> new int[] {272, 544, 1088};
            case 8 -> new int[] {384, 768, 1536};
            default ->
                throw new NnfrustException("zoo:shufflenet: groups must be 1, 2, 3, 4 or 8 (got " + groups + ")");
        };
    }

    static ModelProto build(Zoo.Spec spec, int h, int w) {
        int groups = spec.intParam("groups", 2);
        double width = spec.doubleParam("width", 0.875);
        if (!(width > 0 && width <= 4)) {
            throw new NnfrustException("zoo:shufflenet: width must be in (0, 4] (got " + width + ")");
        }
        int[] base = stageChannels(groups);
        OnnxGraphBuilder b = new OnnxGraphBuilder("shufflenet", spec.seed(), spec.init());
        String x = b.input("input", 3, h, w);
        int stem = (int) Math.ceil(24 * width / groups) * groups;
        x = b.relu(b.batchNorm(b.conv("conv1", x, stem, 3, 2, 1, 1, false)));
        x = b.maxPool(x, 3, 2, 1, false);
        int[] repeats = {4, 8, 4};
        for (int stage = 0; stage < 3; stage++) {
            int out = scaled(base[stage], width, 4 * groups);
            for (int unit = 0; unit < repeats[stage]; unit++) {
                String name = "stage" + (stage + 2) + "." + unit;
                x = unit(b, name, x, out, groups, unit == 0 ? 2 : 1, stage == 0 && unit == 0);
            }
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.build(b.gemm("fc", x, 1000));
    }

    /** Channels scaled by width, rounded to a multiple of {@code multiple} (at least one multiple). */
    private static int scaled(int channels, double width, int multiple) {
        int c = (int) Math.round(channels * width / multiple) * multiple;
        return Math.max(multiple, c);
    }

    private static String unit(
            OnnxGraphBuilder b, String name, String x, int out, int groups, int stride, boolean firstUngrouped) {
        int in = b.channels(x);
        int branchOut = stride == 2 ? out - in : out;
        int mid = out / 4;
        int g1 = firstUngrouped ? 1 : groups;
        if (mid % groups != 0 || branchOut % groups != 0) {
            throw new NnfrustException("zoo:shufflenet: channel counts " + mid + "/" + branchOut
                    + " are not divisible by groups " + groups + "; choose another width");
        }
        String y = b.relu(b.batchNorm(b.conv(name + ".gconv1", x, mid, 1, 1, 0, g1, false)));
        y = b.channelShuffle(y, groups);
        y = b.batchNorm(b.conv(name + ".dwconv", y, mid, 3, stride, 1, mid, false));
        y = b.batchNorm(b.conv(name + ".gconv2", y, branchOut, 1, 1, 0, groups, false));
        if (stride == 1) {
            return b.relu(b.add(y, x));
        }
        return b.relu(b.concat(List.of(b.avgPool(x, 3, 2, 1, false), y)));
    }
}
