package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.onnx.OnnxGraphBuilder;
import java.util.List;

/** SqueezeNet v1.1 in its Caffe/MATLAB form: 227x227 input, ceil-mode max pooling (Iandola et al. 2016). */
final class SqueezeNet {
    private SqueezeNet() {}

    static ModelProto build(Zoo.Spec spec, int h, int w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("squeezenet1.1", spec.seed(), spec.init());
        String x = b.input("data", 3, h, w);
        x = b.relu(b.conv("conv1", x, 64, 3, 2, 0, 1, true));
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, "fire2", x, 16, 64);
        x = fire(b, "fire3", x, 16, 64);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, "fire4", x, 32, 128);
        x = fire(b, "fire5", x, 32, 128);
        x = b.maxPool(x, 3, 2, 0, true);
        x = fire(b, "fire6", x, 48, 192);
        x = fire(b, "fire7", x, 48, 192);
        x = fire(b, "fire8", x, 64, 256);
        x = fire(b, "fire9", x, 64, 256);
        x = b.dropout(x);
        x = b.relu(b.conv("conv10", x, 1000, 1, 1, 0, 1, true));
        x = b.globalAvgPool(x);
        return b.build(b.softmax(x));
    }

    private static String fire(OnnxGraphBuilder b, String name, String x, int squeeze, int expand) {
        String s = b.relu(b.conv(name + "/squeeze1x1", x, squeeze, 1, 1, 0, 1, true));
        String e1 = b.relu(b.conv(name + "/expand1x1", s, expand, 1, 1, 0, 1, true));
        String e3 = b.relu(b.conv(name + "/expand3x3", s, expand, 3, 1, 1, 1, true));
        return b.concat(List.of(e1, e3));
    }
}
