package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.onnx.OnnxGraphBuilder;

/** AlexNet (Krizhevsky et al. 2012): the Caffe/MATLAB form and the torchvision form. */
final class AlexNet {
    private AlexNet() {}

    /** bvlc_alexnet / MATLAB alexnet: 227 input, LRN, grouped conv2/4/5. */
    static ModelProto caffe(Zoo.Spec spec, int h, int w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("alexnet-caffe", spec.seed(), spec.init());
        String x = b.input("data", 3, h, w);
        x = b.relu(b.conv("conv1", x, 96, 11, 4, 0, 1, true));
        x = b.lrn(x, 5, 1e-4f, 0.75f, 1f);
        x = b.maxPool(x, 3, 2, 0, false);
        x = b.relu(b.conv("conv2", x, 256, 5, 1, 2, 2, true));
        x = b.lrn(x, 5, 1e-4f, 0.75f, 1f);
        x = b.maxPool(x, 3, 2, 0, false);
        x = b.relu(b.conv("conv3", x, 384, 3, 1, 1, 1, true));
        x = b.relu(b.conv("conv4", x, 384, 3, 1, 1, 2, true));
        x = b.relu(b.conv("conv5", x, 256, 3, 1, 1, 2, true));
        x = b.maxPool(x, 3, 2, 0, false);
        return b.build(b.softmax(classifier(b, x)));
    }

    /** torchvision alexnet: 224 input, 64/192/384/256/256 channels, no groups (the 6x6 adaptive pool is the identity). */
    static ModelProto torch(Zoo.Spec spec, int h, int w) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("alexnet-torch", spec.seed(), spec.init());
        String x = b.input("input", 3, h, w);
        x = b.relu(b.conv("features.0", x, 64, 11, 4, 2, 1, true));
        x = b.maxPool(x, 3, 2, 0, false);
        x = b.relu(b.conv("features.3", x, 192, 5, 1, 2, 1, true));
        x = b.maxPool(x, 3, 2, 0, false);
        x = b.relu(b.conv("features.6", x, 384, 3, 1, 1, 1, true));
        x = b.relu(b.conv("features.8", x, 256, 3, 1, 1, 1, true));
        x = b.relu(b.conv("features.10", x, 256, 3, 1, 1, 1, true));
        x = b.maxPool(x, 3, 2, 0, false);
        return b.build(classifier(b, x));
    }

    private static String classifier(OnnxGraphBuilder b, String x) {
        x = b.flatten(x);
        x = b.dropout(b.relu(b.gemm("fc6", x, 4096)));
        x = b.dropout(b.relu(b.gemm("fc7", x, 4096)));
        return b.gemm("fc8", x, 1000);
    }
}
