package io.nnfrust.inference;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.nnfrust.model.Network;
import io.nnfrust.onnx.RuntimeModel;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Batched CPU inference of an imported network with ONNX Runtime, returning its logits and any intermediate
 * tensors asked for. The session runs a {@link RuntimeModel}: the network's ONNX model as the importer rewrote it
 * (dynamic batch, the network's input size, extra outputs, fp32 if asked); this class only runs ONNX Runtime on it.
 *
 * <p>Not thread-safe; one session per thread. Close it to free the native session.
 */
public final class InferenceSession implements AutoCloseable {
    /** Arithmetic of the session. */
    public enum Precision {
        /** A FLOAT16 model cast exactly to FLOAT32 (the default): fp16 and fp32 files give identical tensors. */
        FLOAT32,
        /** The file's own element type. */
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
     * @param model   the rewritten model to run ({@link #prepare} or {@link RuntimeModel#of})
     * @param threads ONNX Runtime intra-op threads (0 or less: its default, all cores)
     */
    public InferenceSession(RuntimeModel model, int threads) {
        this.inputName = model.inputName();
        this.inputShape = model.inputShape();
        this.perImage = perImage(inputShape);
        this.outputs = model.outputs();
        this.fp16Input = model.float16Input();
        this.env = OrtEnvironment.getEnvironment();
        this.session = open(env, model, threads);
    }

    /**
     * A session on {@code model} rewritten by {@link #prepare}.
     *
     * @param model   the ONNX model the network was imported from
     * @param network the imported network (input name and shape, logits name)
     * @param extra   intermediate tensors to return besides the logits
     * @param threads ONNX Runtime intra-op threads (0: its default, all cores)
     */
    public InferenceSession(ModelProto model, Network network, List<String> extra, Precision precision, int threads) {
        this(prepare(model, network, extra, precision), threads);
    }

    /**
     * The model a session with these arguments runs (dynamic batch, the network's input size, the logits and
     * {@code extra} as outputs, fp32 if asked): {@link RuntimeModel#of}.
     */
    public static RuntimeModel prepare(ModelProto model, Network network, List<String> extra, Precision precision) {
        return RuntimeModel.of(model, network, extra, precision == Precision.FLOAT32);
    }

    /**
     * A plain ONNX Runtime session on {@code model} with the options every {@link InferenceSession} uses
     * ({@code threads} intra-op threads, 0 for ONNX Runtime's default; one inter-op thread; ONNX Runtime's own graph
     * optimisations, correct for a Pad read by an AveragePool since 1.21: PadAveragePoolTest), e.g. to time ONNX Runtime without this class's
     * conversions ({@link InferenceBenchmark}). The caller closes it.
     */
    static OrtSession open(OrtEnvironment env, RuntimeModel model, int threads) {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                so.setIntraOpNumThreads(threads);
            }
            so.setInterOpNumThreads(1);
            return env.createSession(model.toByteArray(), so);
        } catch (OrtException e) {
            throw new NnfrustException("ONNX Runtime cannot load " + model.source() + ": " + firstLine(e));
        }
    }

    private static int perImage(int[] shape) {
        int p = 1;
        for (int d = 1; d < shape.length; d++) {
            p *= shape[d];
        }
        return p;
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

    static String firstLine(Exception e) {
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
