package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.onnx.OnnxGraphBuilder;
import java.util.List;

/** GoogLeNet / Inception v1 (Szegedy et al. 2015) without auxiliary classifiers: Caffe/MATLAB and torchvision forms. */
final class GoogLeNet {
    private GoogLeNet() {}

    /** Inception channel configuration: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection. */
    private static final int[][] INCEPTIONS = {
        {64, 96, 128, 16, 32, 32},
        {128, 128, 192, 32, 96, 64},
        {192, 96, 208, 16, 48, 64},
        {160, 112, 224, 24, 64, 64},
        {128, 128, 256, 24, 64, 64},
        {112, 144, 288, 32, 64, 64},
        {256, 160, 320, 32, 128, 128},
        {256, 160, 320, 32, 128, 128},
        {384, 192, 384, 48, 128, 128}
    };

    private static final String[] NAMES = {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"};

    static ModelProto caffe(Zoo.Spec spec, int h, int w) {
        return build(spec, h, w, false);
    }

    static ModelProto torch(Zoo.Spec spec, int h, int w) {
        return build(spec, h, w, true);
    }

    private static ModelProto build(Zoo.Spec spec, int h, int w, boolean torch) {
        OnnxGraphBuilder b =
                new OnnxGraphBuilder(torch ? "googlenet-torch" : "googlenet-caffe", spec.seed(), spec.init());
        String x = b.input("data", 3, h, w);
        x = unit(b, torch, "conv1", x, 64, 7, 2, 3);
        x = b.maxPool(x, 3, 2, 0, true);
        if (!torch) {
            x = b.lrn(x, 5, 1e-4f, 0.75f, 1f);
        }
        x = unit(b, torch, "conv2", x, 64, 1, 1, 0);
        x = unit(b, torch, "conv3", x, 192, 3, 1, 1);
        if (!torch) {
            x = b.lrn(x, 5, 1e-4f, 0.75f, 1f);
        }
        x = b.maxPool(x, 3, 2, 0, true);
        for (int i = 0; i < NAMES.length; i++) {
            x = inception(b, torch, "inception_" + NAMES[i], x, INCEPTIONS[i]);
            if (i == 1) {
                x = b.maxPool(x, 3, 2, 0, true);
            } else if (i == 6) {
                x = torch ? b.maxPool(x, 2, 2, 0, true) : b.maxPool(x, 3, 2, 0, true);
            }
        }
        x = torch ? b.globalAvgPool(x) : b.avgPool(x, 7, 1, 0, false);
        x = b.dropout(b.flatten(x));
        x = b.gemm(torch ? "fc" : "loss3/classifier", x, 1000);
        return b.build(torch ? x : b.softmax(x));
    }

    /** Convolution + ReLU (Caffe, with bias) or convolution + batch norm + ReLU (torchvision BasicConv2d). */
    private static String unit(
            OnnxGraphBuilder b, boolean torch, String name, String x, int out, int k, int stride, int pad) {
        String y = b.conv(name, x, out, k, stride, pad, 1, !torch);
        return b.relu(torch ? b.batchNorm(y) : y);
    }

    private static String inception(OnnxGraphBuilder b, boolean torch, String name, String x, int[] c) {
        String b1 = unit(b, torch, name + "/1x1", x, c[0], 1, 1, 0);
        String b2 =
                unit(b, torch, name + "/3x3", unit(b, torch, name + "/3x3_reduce", x, c[1], 1, 1, 0), c[2], 3, 1, 1);
        String r5 = unit(b, torch, name + "/5x5_reduce", x, c[3], 1, 1, 0);
        String b3 = torch
                ? unit(b, true, name + "/5x5", r5, c[4], 3, 1, 1)
                : unit(b, false, name + "/5x5", r5, c[4], 5, 1, 2);
        String p = b.maxPool(x, 3, 1, 1, torch);
        String b4 = unit(b, torch, name + "/pool_proj", p, c[5], 1, 1, 0);
        return b.concat(List.of(b1, b2, b3, b4));
    }
}
