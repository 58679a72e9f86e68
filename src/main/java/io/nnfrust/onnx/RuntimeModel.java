package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.nnfrust.model.Network;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The ONNX model of an imported network, rewritten for ONNX Runtime to run: the batch dimension becomes dynamic,
 * the spatial input size is set to the network's (so {@code --input-size} applies), stale {@code value_info}
 * shapes are dropped, the logits and any intermediate tensors asked for become graph outputs, and — when
 * {@code castToFloat32} — a FLOAT16 model is cast exactly to FLOAT32 (every fp16 value is a float), so the fp16 and
 * fp32 files of one network give identical tensors. The importer's side of inference: the session only runs it.
 */
public final class RuntimeModel {
    private final ModelProto proto;
    private final String source;
    private final String inputName;
    private final int[] inputShape;
    private final List<String> outputs;
    private final boolean float16Input;

    private RuntimeModel(ModelProto proto, String source, String inputName, int[] inputShape, List<String> outputs) {
        this.proto = proto;
        this.source = source;
        this.inputName = inputName;
        this.inputShape = inputShape.clone();
        this.outputs = List.copyOf(outputs);
        this.float16Input = inputType(proto) == TensorProto.DataType.FLOAT16_VALUE;
    }

    /**
     * Rewrites {@code model}, the ONNX model {@code network} was imported from.
     *
     * @param model         the ONNX model
     * @param network       the network imported from it (input name and shape, logits name, source)
     * @param extra         intermediate tensors to return besides the logits (graph value names)
     * @param castToFloat32 whether FLOAT16 weights, inputs and outputs become FLOAT32 (else the file's own type)
     */
    public static RuntimeModel of(ModelProto model, Network network, List<String> extra, boolean castToFloat32) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(extra, "extra");
        Set<String> outs = new LinkedHashSet<>();
        outs.add(network.outputName());
        outs.addAll(extra);
        List<String> outputs = List.copyOf(outs);
        int[] shape = network.inputShape();
        return new RuntimeModel(
                rewrite(model, castToFloat32, shape, outputs), network.source(), network.inputName(), shape, outputs);
    }

    /** The rewritten model. */
    public ModelProto proto() {
        return proto;
    }

    /** The rewritten model's bytes, as ONNX Runtime reads them. */
    public byte[] toByteArray() {
        return proto.toByteArray();
    }

    /** The model as the user named it (for messages). */
    public String source() {
        return source;
    }

    /** The input tensor's name. */
    public String inputName() {
        return inputName;
    }

    /** The input shape of one image, batch dimension first (1): [1, C, H, W] or [1, F]. */
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The graph outputs a run returns: the logits first, then the extra tensors. */
    public List<String> outputs() {
        return outputs;
    }

    /** Whether the input tensor is FLOAT16 (a FLOAT16 model not cast to FLOAT32). */
    public boolean float16Input() {
        return float16Input;
    }

    private static int inputType(ModelProto m) {
        Set<String> init = new HashSet<>();
        for (TensorProto t : m.getGraph().getInitializerList()) {
            init.add(t.getName());
        }
        for (ValueInfoProto v : m.getGraph().getInputList()) {
            if (!init.contains(v.getName())) {
                return v.getType().getTensorType().getElemType();
            }
        }
        return TensorProto.DataType.FLOAT_VALUE;
    }

    /** The model with a dynamic batch, the network's input size, the extra outputs, and fp32 if asked. */
    private static ModelProto rewrite(ModelProto model, boolean castToFloat32, int[] inputShape, List<String> outputs) {
        GraphProto g = model.getGraph();
        boolean cast = castToFloat32;
        GraphProto.Builder b = g.toBuilder().clearValueInfo().clearOutput();
        if (cast) {
            b.clearInitializer();
            for (TensorProto t : g.getInitializerList()) {
                b.addInitializer(toFloat(t));
            }
            b.clearNode();
            for (NodeProto n : g.getNodeList()) {
                b.addNode(toFloat(n));
            }
        }
        Set<String> init = new HashSet<>();
        for (TensorProto t : g.getInitializerList()) {
            init.add(t.getName());
        }
        for (int i = 0; i < b.getInputCount(); i++) {
            ValueInfoProto in = b.getInput(i);
            if (init.contains(in.getName())) { // opset < 9 files list initializers as inputs too
                if (cast && in.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT16_VALUE) {
                    b.setInput(
                            i,
                            in.toBuilder()
                                    .setType(in.getType().toBuilder()
                                            .setTensorType(in.getType().getTensorType().toBuilder()
                                                    .setElemType(TensorProto.DataType.FLOAT_VALUE))));
                }
                continue;
            }
            int elem = in.getType().getTensorType().getElemType();
            if (cast && elem == TensorProto.DataType.FLOAT16_VALUE) {
                elem = TensorProto.DataType.FLOAT_VALUE;
            }
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
            for (int d = 1; d < inputShape.length; d++) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(inputShape[d]));
            }
            b.setInput(
                    i,
                    ValueInfoProto.newBuilder()
                            .setName(in.getName())
                            .setType(TypeProto.newBuilder()
                                    .setTensorType(TypeProto.Tensor.newBuilder()
                                            .setElemType(elem)
                                            .setShape(shape))));
        }
        int outElem = TensorProto.DataType.FLOAT_VALUE;
        if (!cast && g.getOutputCount() > 0) {
            outElem = g.getOutput(0).getType().getTensorType().getElemType();
        }
        List<String> names = new ArrayList<>(outputs);
        for (ValueInfoProto o : g.getOutputList()) {
            if (!names.contains(o.getName())) {
                names.add(o.getName());
            }
        }
        for (String name : names) {
            b.addOutput(ValueInfoProto.newBuilder()
                    .setName(name)
                    .setType(TypeProto.newBuilder()
                            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(outElem))));
        }
        return model.toBuilder().setGraph(b).build();
    }

    private static TensorProto toFloat(TensorProto t) {
        if (t.getDataType() != TensorProto.DataType.FLOAT16_VALUE) {
            return t;
        }
        float[] v = OnnxTensors.floats(t);
        TensorProto.Builder b = t.toBuilder()
                .clearRawData()
                .clearInt32Data()
                .clearFloatData()
                .setDataType(TensorProto.DataType.FLOAT_VALUE);
        ByteBuffer raw = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            raw.putFloat(x);
        }
        return b.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    private static NodeProto toFloat(NodeProto n) {
        NodeProto.Builder b = n.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            AttributeProto a = b.getAttribute(i);
            if (a.hasT()) {
                b.setAttribute(i, a.toBuilder().setT(toFloat(a.getT())));
            } else if (n.getOpType().equals("Cast")
                    && a.getName().equals("to")
                    && a.getI() == TensorProto.DataType.FLOAT16_VALUE) {
                b.setAttribute(i, a.toBuilder().setI(TensorProto.DataType.FLOAT_VALUE));
            }
        }
        return b.build();
    }
}
