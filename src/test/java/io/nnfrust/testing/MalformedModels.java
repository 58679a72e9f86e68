package io.nnfrust.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The crafted malformed ONNX models of {@code src/test/resources/malformed} (issue 12): each a valid small network
 * ({@link SmallOnnx#network}, or one with a Transpose) with one defect. {@link #main} rewrites the files; the test
 * checks that the committed files are exactly what this class makes.
 */
public final class MalformedModels {
    private MalformedModels() {}

    /** A defect and the fragments its one-line error must contain. */
    public record Case(ModelProto model, String... fragments) {}

    public static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        ModelProto base = SmallOnnx.network(7);
        c.put("conv-weight-dim-0", new Case(dims(base, "conv1.weight", 0, 0), "conv1", "0"));
        c.put("conv-weight-dim-negative", new Case(dims(base, "conv2.weight", 1, -4), "conv2"));
        c.put("dense-weight-dim-0", new Case(dims(base, "fc.weight", 1, 0), "fc"));
        c.put("conv-strides-0", new Case(attr(base, "Conv", "strides", 0, 0), "strides"));
        c.put("conv-strides-negative", new Case(attr(base, "Conv", "strides", 1, -1), "strides"));
        c.put("conv-dilations-0", new Case(attr(base, "Conv", "dilations", 0, 0), "dilations"));
        c.put("conv-pads-negative", new Case(attr(base, "Conv", "pads", -1, -1, -1, -1), "padding"));
        c.put("conv-group-0", new Case(attr(base, "Conv", "group", 0), "group"));
        c.put("maxpool-kernel-0", new Case(attr(base, "MaxPool", "kernel_shape", 0, 0), "kernel"));
        c.put("maxpool-strides-0", new Case(attr(base, "MaxPool", "strides", 0, 0), "strides"));
        c.put("maxpool-kernel-larger-than-input", new Case(attr(base, "MaxPool", "kernel_shape", 50, 50), "MaxPool"));
        c.put("avgpool-kernel-one-dim", new Case(attr(base, "AveragePool", "kernel_shape", 2), "kernel"));
        ModelProto t = withTranspose();
        c.put("transpose-perm-out-of-range", new Case(attr(t, "Transpose", "perm", 0, 1, 2, 5), "perm"));
        c.put("transpose-perm-duplicate", new Case(attr(t, "Transpose", "perm", 0, 1, 2, 2), "perm"));
        c.put("transpose-perm-short", new Case(attr(t, "Transpose", "perm", 0, 1), "perm"));
        c.put("weight-nan", new Case(value(base, "conv2.weight", 3, Float.NaN), "conv2", "NaN"));
        c.put("weight-infinite", new Case(value(base, "fc.weight", 0, Float.POSITIVE_INFINITY), "fc", "infinite"));
        c.put("raw-data-short", new Case(truncatedRaw(base, "conv1.weight"), "conv1.weight"));
        return c;
    }

    /** input 3x8x8 -> conv -> ReLU -> Transpose [0,1,3,2] -> conv -> flatten -> dense. */
    public static ModelProto withTranspose() {
        OnnxGraphBuilder b = new OnnxGraphBuilder("transposed", 3, WeightInit.HE_NORMAL);
        String x = b.input("x", 3, 8, 8);
        String c1 = b.relu(b.conv("conv1", x, 4, 3, 1, 1, 1, true));
        ModelProto m = b.build(b.gemm("fc", b.flatten(b.relu(b.conv("conv2", c1, 5, 3, 1, 1, 1, true))), 6));
        var g = m.getGraph().toBuilder();
        // insert Transpose between the first ReLU and conv2
        int conv2 = -1;
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals("conv2")) {
                conv2 = i;
            }
        }
        NodeProto n = g.getNode(conv2);
        NodeProto tr = NodeProto.newBuilder()
                .setOpType("Transpose")
                .setName("swap_hw")
                .addInput(n.getInput(0))
                .addOutput("swapped")
                .addAttribute(AttributeProto.newBuilder()
                        .setName("perm")
                        .setType(AttributeProto.AttributeType.INTS)
                        .addInts(0)
                        .addInts(1)
                        .addInts(3)
                        .addInts(2))
                .build();
        g.setNode(conv2, n.toBuilder().setInput(0, "swapped"));
        g.addNode(conv2, tr);
        return m.toBuilder().setGraph(g).build();
    }

    static ModelProto attr(ModelProto m, String op, String name, long... ints) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (!g.getNode(i).getOpType().equals(op)) {
                continue;
            }
            NodeProto.Builder n = g.getNode(i).toBuilder();
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
            if (ints.length == 1 && name.equals("group")) {
                a.setType(AttributeProto.AttributeType.INT).setI(ints[0]);
            } else {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long v : ints) {
                    a.addInts(v);
                }
            }
            boolean set = false;
            for (int k = 0; k < n.getAttributeCount(); k++) {
                if (n.getAttribute(k).getName().equals(name)) {
                    n.setAttribute(k, a);
                    set = true;
                }
            }
            if (!set) {
                n.addAttribute(a);
            }
            g.setNode(i, n);
            return m.toBuilder().setGraph(g).build();
        }
        throw new IllegalArgumentException("no " + op + " node");
    }

    static ModelProto dims(ModelProto m, String init, int dim, long value) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(init)) {
                g.setInitializer(i, g.getInitializer(i).toBuilder().setDims(dim, value));
                return m.toBuilder().setGraph(g).build();
            }
        }
        throw new IllegalArgumentException(init);
    }

    static ModelProto value(ModelProto m, String init, int index, float v) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals(init)) {
                float[] f = OnnxTensors.floats(t);
                f[index] = v;
                g.setInitializer(i, OnnxTensors.withValues(t, f));
                return m.toBuilder().setGraph(g).build();
            }
        }
        throw new IllegalArgumentException(init);
    }

    static ModelProto truncatedRaw(ModelProto m, String init) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals(init)) {
                float[] f = OnnxTensors.floats(t);
                ByteBuffer b = ByteBuffer.allocate(4 * (f.length - 3)).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < f.length - 3; k++) {
                    b.putFloat(f[k]);
                }
                g.setInitializer(i, t.toBuilder().clearFloatData().setRawData(ByteString.copyFrom(b.array())));
                return m.toBuilder().setGraph(g).build();
            }
        }
        throw new IllegalArgumentException(init);
    }

    /** Writes every case as {@code DIR/NAME.onnx}: {@code mvn -q test-compile exec:java} is not needed; run from a test. */
    public static void writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (var e : cases().entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".onnx"), e.getValue().model().toByteArray());
        }
    }

    public static void main(String[] args) throws IOException {
        writeAll(Path.of(args.length > 0 ? args[0] : "src/test/resources/malformed"));
    }
}
