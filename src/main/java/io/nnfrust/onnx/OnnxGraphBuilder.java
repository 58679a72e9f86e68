package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.WeightInit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a CNN as an ONNX model (opset 13) with seeded random weights, tracking shapes as it goes. The zoo
 * architectures and the test networks are built with it, so they pass through the same importer as user files
 * and can be run by ONNX Runtime. Activations are NCHW with batch 1; vectors are [1, F].
 */
public final class OnnxGraphBuilder {
    public static final int OPSET = 13;

    private final String name;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, int[]> shapes = new HashMap<>();
    private final SplittableRandom random;
    private WeightInit init;
    private int counter;

    public OnnxGraphBuilder(String name, long seed, WeightInit init) {
        this.name = name;
        this.random = new SplittableRandom(seed);
        this.init = init;
        graph.setName(name);
    }

    public void setInit(WeightInit init) {
        this.init = init;
    }

    /** Shape of a tensor without the batch dimension: [C, H, W] or [F]. */
    public int[] shape(String tensor) {
        return shapes.get(tensor).clone();
    }

    public int channels(String tensor) {
        return shapes.get(tensor)[0];
    }

    private String fresh(String prefix) {
        return prefix + "_" + (++counter);
    }

    public String input(String tensor, int c, int h, int w) {
        graph.addInput(valueInfo(tensor, new int[] {1, c, h, w}));
        shapes.put(tensor, new int[] {c, h, w});
        return tensor;
    }

    private static ValueInfoProto valueInfo(String tensor, int[] dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int d : dims) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(tensor)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(s)))
                .build();
    }

    private NodeProto.Builder node(String op, String nodeName, List<String> inputs, String output) {
        NodeProto.Builder n =
                NodeProto.newBuilder().setOpType(op).setName(nodeName).addOutput(output);
        n.addAllInput(inputs);
        return n;
    }

    private static AttributeProto ints(String n, int... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(n).setType(AttributeProto.AttributeType.INTS);
        for (int x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static AttributeProto intAttr(String n, long v) {
        return AttributeProto.newBuilder()
                .setName(n)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    private static AttributeProto floatAttr(String n, float v) {
        return AttributeProto.newBuilder()
                .setName(n)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    private String initializer(String tensor, int[] dims, float[] values) {
        graph.addInitializer(OnnxTensors.floatTensor(tensor, dims, values));
        return tensor;
    }

    private String longInitializer(String tensor, long... values) {
        graph.addInitializer(OnnxTensors.longTensor(tensor, new int[] {values.length}, values));
        return tensor;
    }

    private float[] randomWeights(int n, int fanIn, int fanOut) {
        float[] w = new float[n];
        init.fill(w, fanIn, fanOut, random.split());
        return w;
    }

    /** Square-kernel convolution with symmetric padding. */
    public String conv(String nodeName, String x, int out, int k, int stride, int pad, int groups, boolean bias) {
        return conv(nodeName, x, out, k, k, stride, stride, new int[] {pad, pad, pad, pad}, 1, groups, bias);
    }

    /** General convolution; pads are {top, left, bottom, right}. */
    public String conv(
            String nodeName,
            String x,
            int out,
            int kh,
            int kw,
            int sh,
            int sw,
            int[] pads,
            int dilation,
            int groups,
            boolean bias) {
        int[] s = shapes.get(x);
        int in = s[0];
        int fanIn = in / groups * kh * kw;
        int fanOut = out * kh * kw;
        String w = initializer(
                nodeName + ".weight",
                new int[] {out, in / groups, kh, kw},
                randomWeights(out * (in / groups) * kh * kw, fanIn, fanOut));
        String y = nodeName;
        NodeProto.Builder n = node(
                "Conv",
                nodeName,
                bias ? List.of(x, w, initializer(nodeName + ".bias", new int[] {out}, new float[out])) : List.of(x, w),
                y);
        n.addAttribute(ints("kernel_shape", kh, kw))
                .addAttribute(ints("strides", sh, sw))
                .addAttribute(ints("pads", pads[0], pads[1], pads[2], pads[3]))
                .addAttribute(ints("dilations", dilation, dilation))
                .addAttribute(intAttr("group", groups));
        graph.addNode(n);
        int oh = WindowGeometry.outputSize(s[1], kh, sh, dilation, pads[0], pads[2], false);
        int ow = WindowGeometry.outputSize(s[2], kw, sw, dilation, pads[1], pads[3], false);
        shapes.put(y, new int[] {out, oh, ow});
        return y;
    }

    /** Square-kernel convolution with ONNX auto_pad (SAME_UPPER, SAME_LOWER or VALID). */
    public String convAutoPad(String nodeName, String x, int out, int k, int stride, String autoPad) {
        int[] s = shapes.get(x);
        int in = s[0];
        String w = initializer(
                nodeName + ".weight",
                new int[] {out, in, k, k},
                randomWeights(out * in * k * k, in * k * k, out * k * k));
        graph.addNode(node("Conv", nodeName, List.of(x, w), nodeName)
                .addAttribute(ints("kernel_shape", k, k))
                .addAttribute(ints("strides", stride, stride))
                .addAttribute(AttributeProto.newBuilder()
                        .setName("auto_pad")
                        .setType(AttributeProto.AttributeType.STRING)
                        .setS(ByteString.copyFromUtf8(autoPad))));
        int[] o = new int[2];
        for (int d = 0; d < 2; d++) {
            o[d] = autoPad.equals("VALID") ? (s[1 + d] - k) / stride + 1 : (s[1 + d] + stride - 1) / stride;
        }
        shapes.put(nodeName, new int[] {out, o[0], o[1]});
        return nodeName;
    }

    /** Any single-input operator that keeps the shape (Identity, Dropout, Relu, ...). */
    public String nodeWise(String op, String x) {
        return unary(op, x);
    }

    public String relu(String x) {
        return unary("Relu", x);
    }

    public String dropout(String x) {
        return unary("Dropout", x);
    }

    public String softmax(String x) {
        String y = fresh("prob");
        graph.addNode(node("Softmax", y, List.of(x), y).addAttribute(intAttr("axis", 1)));
        shapes.put(y, shapes.get(x));
        return y;
    }

    private String unary(String op, String x) {
        String y = fresh(op.toLowerCase());
        graph.addNode(node(op, y, List.of(x), y));
        shapes.put(y, shapes.get(x));
        return y;
    }

    public String lrn(String x, int size, float alpha, float beta, float bias) {
        String y = fresh("lrn");
        graph.addNode(node("LRN", y, List.of(x), y)
                .addAttribute(intAttr("size", size))
                .addAttribute(floatAttr("alpha", alpha))
                .addAttribute(floatAttr("beta", beta))
                .addAttribute(floatAttr("bias", bias)));
        shapes.put(y, shapes.get(x));
        return y;
    }

    /** Inference batch normalisation with gamma=1, beta=0, mean=0, var=1. */
    public String batchNorm(String x) {
        int c = shapes.get(x)[0];
        String y = fresh("bn");
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        graph.addNode(node(
                        "BatchNormalization",
                        y,
                        List.of(
                                x,
                                initializer(y + ".scale", new int[] {c}, ones),
                                initializer(y + ".bias", new int[] {c}, new float[c]),
                                initializer(y + ".mean", new int[] {c}, new float[c]),
                                initializer(y + ".var", new int[] {c}, ones.clone())),
                        y)
                .addAttribute(floatAttr("epsilon", 1e-5f)));
        shapes.put(y, shapes.get(x));
        return y;
    }

    public String maxPool(String x, int k, int stride, int pad, boolean ceil) {
        return pool("MaxPool", x, k, k, stride, new int[] {pad, pad, pad, pad}, ceil);
    }

    public String avgPool(String x, int k, int stride, int pad, boolean ceil) {
        return pool("AveragePool", x, k, k, stride, new int[] {pad, pad, pad, pad}, ceil);
    }

    /** General pooling; pads are {top, left, bottom, right}. */
    public String pool(String op, String x, int kh, int kw, int stride, int[] pads, boolean ceil) {
        int[] s = shapes.get(x);
        String y = fresh(op.toLowerCase());
        NodeProto.Builder n = node(op, y, List.of(x), y)
                .addAttribute(ints("kernel_shape", kh, kw))
                .addAttribute(ints("strides", stride, stride))
                .addAttribute(ints("pads", pads[0], pads[1], pads[2], pads[3]))
                .addAttribute(intAttr("ceil_mode", ceil ? 1 : 0));
        graph.addNode(n);
        int oh = WindowGeometry.outputSize(s[1], kh, stride, 1, pads[0], pads[2], ceil);
        int ow = WindowGeometry.outputSize(s[2], kw, stride, 1, pads[1], pads[3], ceil);
        shapes.put(y, new int[] {s[0], oh, ow});
        return y;
    }

    public String globalAvgPool(String x) {
        int[] s = shapes.get(x);
        String y = fresh("gap");
        graph.addNode(node("GlobalAveragePool", y, List.of(x), y));
        shapes.put(y, new int[] {s[0], 1, 1});
        return y;
    }

    public String concat(List<String> xs) {
        int[] s = shapes.get(xs.get(0)).clone();
        int c = 0;
        for (String x : xs) {
            c += shapes.get(x)[0];
        }
        s[0] = c;
        String y = fresh("concat");
        graph.addNode(node("Concat", y, xs, y).addAttribute(intAttr("axis", 1)));
        shapes.put(y, s);
        return y;
    }

    public String add(String a, String b) {
        String y = fresh("add");
        graph.addNode(node("Add", y, List.of(a, b), y));
        shapes.put(y, shapes.get(a));
        return y;
    }

    public String flatten(String x) {
        int[] s = shapes.get(x);
        int f = 1;
        for (int d : s) {
            f *= d;
        }
        String y = fresh("flatten");
        graph.addNode(node("Flatten", y, List.of(x), y).addAttribute(intAttr("axis", 1)));
        shapes.put(y, new int[] {f});
        return y;
    }

    /** Dense layer y = x W^T + b as Gemm with transB=1 (PyTorch Linear). */
    public String gemm(String nodeName, String x, int out) {
        int in = shapes.get(x)[0];
        String w = initializer(nodeName + ".weight", new int[] {out, in}, randomWeights(out * in, in, out));
        String b = initializer(nodeName + ".bias", new int[] {out}, new float[out]);
        graph.addNode(node("Gemm", nodeName, List.of(x, w, b), nodeName).addAttribute(intAttr("transB", 1)));
        shapes.put(nodeName, new int[] {out});
        return nodeName;
    }

    /**
     * ShuffleNet channel shuffle: Reshape to [1, g, C/g, H, W], Transpose (0, 2, 1, 3, 4), Reshape back, with the
     * spatial sizes read through Shape/Gather/Unsqueeze/Concat as PyTorch exporters emit them.
     */
    public String channelShuffle(String x, int groups) {
        int[] s = shapes.get(x);
        String p = fresh("shuffle");
        String shape = p + ".shape";
        graph.addNode(node("Shape", shape, List.of(x), shape));
        String[] hw = new String[2];
        for (int d = 0; d < 2; d++) {
            String g = p + ".dim" + (d + 2);
            graph.addNode(node("Gather", g, List.of(shape, scalarLong(g + ".idx", d + 2)), g)
                    .addAttribute(intAttr("axis", 0)));
            hw[d] = g + ".u";
            graph.addNode(node("Unsqueeze", hw[d], List.of(g, longInitializer(g + ".axes", 0)), hw[d]));
        }
        String split = p + ".split";
        graph.addNode(node(
                        "Concat",
                        split,
                        List.of(longInitializer(p + ".head", 1, groups, s[0] / groups), hw[0], hw[1]),
                        split)
                .addAttribute(intAttr("axis", 0)));
        String r1 = p + ".r1";
        graph.addNode(node("Reshape", r1, List.of(x, split), r1));
        String t = p + ".t";
        graph.addNode(node("Transpose", t, List.of(r1), t).addAttribute(ints("perm", 0, 2, 1, 3, 4)));
        String back = p + ".back";
        graph.addNode(node("Concat", back, List.of(longInitializer(p + ".head2", 1, s[0]), hw[0], hw[1]), back)
                .addAttribute(intAttr("axis", 0)));
        graph.addNode(node("Reshape", p, List.of(t, back), p));
        shapes.put(p, s.clone());
        return p;
    }

    private String scalarLong(String tensor, long value) {
        graph.addInitializer(OnnxTensors.longTensor(tensor, new int[0], new long[] {value}));
        return tensor;
    }

    /** Dense layer as Gemm with a chosen layout: transB=1 stores W as [out, in], transB=0 as [in, out]. */
    public String gemm(String nodeName, String x, int out, float alpha, boolean transB) {
        int in = shapes.get(x)[0];
        int[] dims = transB ? new int[] {out, in} : new int[] {in, out};
        String w = initializer(nodeName + ".weight", dims, randomWeights(out * in, in, out));
        graph.addNode(node("Gemm", nodeName, List.of(x, w), nodeName)
                .addAttribute(intAttr("transB", transB ? 1 : 0))
                .addAttribute(floatAttr("alpha", alpha)));
        shapes.put(nodeName, new int[] {out});
        return nodeName;
    }

    /** Dense layer as MatMul x[1, in] @ W[in, out]. */
    public String matMul(String nodeName, String x, int out) {
        int in = shapes.get(x)[0];
        String w = initializer(nodeName + ".weight", new int[] {in, out}, randomWeights(out * in, in, out));
        graph.addNode(node("MatMul", nodeName, List.of(x, w), nodeName));
        shapes.put(nodeName, new int[] {out});
        return nodeName;
    }

    /**
     * A spatial crop by {@code Slice} (starts, ends and axes as inputs, opset 13): rows [top, top + h) and columns
     * [left, left + w) of every channel.
     */
    public String crop(String x, int top, int left, int h, int w) {
        int[] s = shapes.get(x);
        if (top < 0 || left < 0 || h <= 0 || w <= 0 || top + h > s[1] || left + w > s[2]) {
            throw new IllegalArgumentException(
                    "crop " + h + "x" + w + " at (" + top + ", " + left + ") outside " + s[1] + "x" + s[2]);
        }
        String y = fresh("crop");
        graph.addNode(node(
                "Slice",
                y,
                List.of(
                        x,
                        longInitializer(y + ".starts", top, left),
                        longInitializer(y + ".ends", top + h, left + w),
                        longInitializer(y + ".axes", 2, 3)),
                y));
        shapes.put(y, new int[] {s[0], h, w});
        return y;
    }

    /** Zero padding of the spatial dimensions: pads {top, left, bottom, right}. */
    public String pad(String x, int[] pads) {
        int[] s = shapes.get(x);
        String y = fresh("pad");
        graph.addNode(node(
                "Pad", y, List.of(x, longInitializer(y + ".pads", 0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3])), y));
        shapes.put(y, new int[] {s[0], s[1] + pads[0] + pads[2], s[2] + pads[1] + pads[3]});
        return y;
    }

    /** Finishes the model with {@code output} as its single graph output. */
    public ModelProto build(String output) {
        int[] s = shapes.get(output);
        int[] dims = new int[s.length + 1];
        dims[0] = 1;
        System.arraycopy(s, 0, dims, 1, s.length);
        graph.addOutput(valueInfo(output, dims));
        return ModelProto.newBuilder()
                .setIrVersion(7)
                .setProducerName("nnfrust")
                .setModelVersion(1)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.build())
                .setDocString(name)
                .build();
    }
}
