package io.nnfrust.inference;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import io.nnfrust.model.Network;
import io.nnfrust.onnx.OnnxTensors;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Batched CPU inference of an imported network with ONNX Runtime, returning its logits and any intermediate
 * tensors asked for (added to the model as extra graph outputs). The model is rewritten in memory before the
 * session is created: the batch dimension becomes dynamic, the spatial input size is set to the network's (so
 * {@code --input-size} applies), stale {@code value_info} shapes are dropped, and — with
 * {@link Precision#FLOAT32}, the default — a FLOAT16 model is cast exactly to FLOAT32 (every fp16 value is a
 * float), so the fp16 and fp32 files of one network give identical tensors. {@link Precision#NATIVE} runs the
 * file's own element type.
 *
 * <p>Not thread-safe; one session per thread. Close it to free the native session.
 */
public final class InferenceSession implements AutoCloseable {
    /** Arithmetic of the session. */
    public enum Precision {
        FLOAT32,
        NATIVE
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final int[] inputShape; // [1, C, H, W] or [1, F]
    private final int perImage;
    private final boolean fp16Input;
    private final List<String> outputs;
    private ByteBuffer direct;

    /**
     * @param model   the ONNX model the network was imported from
     * @param network the imported network (input name and shape, logits name)
     * @param extra   intermediate tensors to return besides the logits
     * @param threads ONNX Runtime intra-op threads (0: its default, all cores)
     */
    public InferenceSession(ModelProto model, Network network, List<String> extra, Precision precision, int threads) {
        this.inputName = network.inputName();
        this.inputShape = network.inputShape().clone();
        int p = 1;
        for (int d = 1; d < inputShape.length; d++) {
            p *= inputShape[d];
        }
        this.perImage = p;
        this.outputs = outputs(network, extra);
        ModelProto rewritten = rewrite(model, precision, inputShape, outputs);
        this.fp16Input = inputType(rewritten) == TensorProto.DataType.FLOAT16_VALUE;
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = sessionOptions(rewritten, threads)) {
            this.session = env.createSession(rewritten.toByteArray(), so);
        } catch (OrtException e) {
            throw new NnfrustException("ONNX Runtime cannot load " + network.source() + ": " + firstLine(e));
        }
    }

    /**
     * The options a session runs {@code model} with ({@code threads} intra-op threads, 0 for ONNX Runtime's
     * default; one inter-op thread; no graph optimisations where {@link #padFeedsAveragePool}), also for timing
     * plain ONNX Runtime under the same settings ({@code nnfrust bench inference}). The caller closes them.
     */
    public static OrtSession.SessionOptions sessionOptions(ModelProto model, int threads) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (threads > 0) {
                so.setIntraOpNumThreads(threads);
            }
            so.setInterOpNumThreads(1);
            if (padFeedsAveragePool(model)) {
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            }
            return so;
        } catch (OrtException e) {
            so.close();
            throw e;
        }
    }

    /**
     * The model a session with these arguments runs (dynamic batch, the network's input size, the logits and
     * {@code extra} as outputs, fp32 if asked), e.g. to time plain ONNX Runtime on exactly the same model
     * ({@code nnfrust bench inference}).
     */
    public static ModelProto prepare(ModelProto model, Network network, List<String> extra, Precision precision) {
        return rewrite(model, precision, network.inputShape(), outputs(network, extra));
    }

    /**
     * Whether a Pad's output is read by an AveragePool. ONNX Runtime up to 1.20 fuses the two into one
     * AveragePool that leaves the padded zeros out of the mean (microsoft/onnxruntime#22177, fixed in 1.21 by
     * #23190), so such models run without graph optimisations: slower, but what the model means.
     */
    static boolean padFeedsAveragePool(ModelProto model) {
        Set<String> padded = new HashSet<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (n.getOpType().equals("Pad")) {
                padded.addAll(n.getOutputList());
            }
        }
        for (NodeProto n : model.getGraph().getNodeList()) {
            if (n.getOpType().equals("AveragePool") && n.getInputCount() > 0 && padded.contains(n.getInput(0))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> outputs(Network network, List<String> extra) {
        Set<String> outs = new LinkedHashSet<>();
        outs.add(network.outputName());
        outs.addAll(extra);
        return List.copyOf(outs);
    }

    /** Number of input values per image (C·H·W). */
    public int inputSize() {
        return perImage;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The names of the returned tensors: the logits first, then the extra ones. */
    public List<String> outputNames() {
        return outputs;
    }

    /**
     * Runs {@code batch} images stored one after another in {@code input} (C-order, {@link #inputSize()} values
     * each) and returns each output tensor flattened, {@code batch} images one after another.
     */
    public Map<String, float[]> run(float[] input, int batch) {
        if (batch < 1 || input.length < (long) batch * perImage) {
            throw new IllegalArgumentException("input holds fewer than " + batch + " images");
        }
        long[] shape = new long[inputShape.length];
        shape[0] = batch;
        for (int d = 1; d < shape.length; d++) {
            shape[d] = inputShape[d];
        }
        try (OnnxTensor t = inputTensor(input, batch, shape);
                OrtSession.Result r = session.run(Map.of(inputName, t), new LinkedHashSet<>(outputs))) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (String name : outputs) {
                OnnxValue v = r.get(name).orElseThrow();
                out.put(name, floats((OnnxTensor) v));
            }
            return out;
        } catch (OrtException e) {
            throw new NnfrustException("ONNX Runtime inference failed: " + firstLine(e));
        }
    }

    private OnnxTensor inputTensor(float[] input, int batch, long[] shape) throws OrtException {
        int n = batch * perImage;
        // one direct buffer, reused: ONNX Runtime reads a direct buffer in place, while a heap array would be
        // copied into a fresh direct buffer on every call (measured: +45 % time per image on SqueezeNet)
        int bytes = (fp16Input ? 2 : 4) * n;
        if (direct == null || direct.capacity() < bytes) {
            direct = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        direct.clear();
        if (fp16Input) {
            ShortBuffer sb = direct.asShortBuffer();
            for (int i = 0; i < n; i++) {
                sb.put(i, Float.floatToFloat16(input[i]));
            }
            sb.limit(n);
            return OnnxTensor.createTensor(
                    env, direct.duplicate().order(ByteOrder.nativeOrder()).limit(bytes), shape, OnnxJavaType.FLOAT16);
        }
        FloatBuffer fb = direct.asFloatBuffer();
        fb.put(input, 0, n);
        fb.flip();
        return OnnxTensor.createTensor(env, fb, shape);
    }

    private static float[] floats(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        if (info.type == OnnxJavaType.FLOAT16) {
            ShortBuffer s = t.getShortBuffer();
            float[] f = new float[s.remaining()];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.float16ToFloat(s.get(i));
            }
            return f;
        }
        if (info.type == OnnxJavaType.DOUBLE) {
            var d = t.getDoubleBuffer();
            float[] f = new float[d.remaining()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) d.get(i);
            }
            return f;
        }
        FloatBuffer fb = t.getFloatBuffer();
        float[] f = new float[fb.remaining()];
        fb.get(f);
        return f;
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
    private static ModelProto rewrite(ModelProto model, Precision precision, int[] inputShape, List<String> outputs) {
        GraphProto g = model.getGraph();
        boolean cast = precision == Precision.FLOAT32;
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

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new NnfrustException("cannot close the ONNX Runtime session: " + firstLine(e));
        }
    }
}
