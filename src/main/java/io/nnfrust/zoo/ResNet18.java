package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.onnx.OnnxGraphBuilder;

/** ResNet-18 (He et al. 2016) in the torchvision form: BasicBlocks, 1x1 projection shortcuts on downsampling. */
final class ResNet18 {
    private ResNet18() {}

    static ModelProto build(Zoo.Spec spec, int h, int w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("resnet18", spec.seed(), spec.init());
        String x = b.input("input", 3, h, w);
        x = b.relu(b.batchNorm(b.conv("conv1", x, 64, 7, 2, 3, 1, false)));
        x = b.maxPool(x, 3, 2, 1, false);
        int[] widths = {64, 128, 256, 512};
        for (int layer = 0; layer < 4; layer++) {
            for (int block = 0; block < 2; block++) {
                int stride = layer > 0 && block == 0 ? 2 : 1;
                x = basicBlock(b, "layer" + (layer + 1) + "." + block, x, widths[layer], stride);
            }
        }
        x = b.flatten(b.globalAvgPool(x));
        return b.build(b.gemm("fc", x, 1000));
    }

    private static String basicBlock(OnnxGraphBuilder b, String name, String x, int out, int stride) {
        String y = b.relu(b.batchNorm(b.conv(name + ".conv1", x, out, 3, stride, 1, 1, false)));
        y = b.batchNorm(b.conv(name + ".conv2", y, out, 3, 1, 1, 1, false));
        String shortcut = x;
        if (stride != 1 || b.channels(x) != out) {
            shortcut = b.batchNorm(b.conv(name + ".downsample", x, out, 1, stride, 0, 1, false));
        }
        return b.relu(b.add(y, shortcut));
    }
}
