package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decoding and encoding of ONNX tensors (raw_data little-endian or the typed repeated fields). */
public final class OnnxTensors {
    private OnnxTensors() {}

    public static int[] dims(TensorProto t) {
        int[] d = new int[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            long v = t.getDims(i);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new NnfrustException("tensor '" + t.getName() + "' has invalid dimension " + v);
            }
            d[i] = (int) v;
        }
        return d;
    }

    public static long elementCount(TensorProto t) {
        long n = 1;
        for (int i = 0; i < t.getDimsCount(); i++) {
            n *= t.getDims(i);
        }
        return n;
    }

    private static void checkLocal(TensorProto t) {
        if (t.hasDataLocation() && t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new NnfrustException(
                    "tensor '" + t.getName()
                            + "' stores its data in an external file; re-export the model with the weights inside the .onnx file");
        }
    }

    /** Values of a FLOAT, FLOAT16, DOUBLE (or integer) tensor as float. */
    public static float[] floats(TensorProto t) {
        checkLocal(t);
        long count = elementCount(t);
        if (count > Integer.MAX_VALUE - 8) {
            throw new NnfrustException("tensor '" + t.getName() + "' is too large (" + count + " values)");
        }
        int n = (int) count;
        float[] out = new float[n];
        int type = t.getDataType();
        boolean raw = t.hasRawData();
        ByteBuffer buf = raw ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        switch (type) {
            case DataType.FLOAT_VALUE -> {
                if (raw) {
                    need(t, buf, 4L * n);
                    buf.asFloatBuffer().get(out);
                } else {
                    needCount(t, t.getFloatDataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = t.getFloatData(i);
                    }
                }
            }
            case DataType.FLOAT16_VALUE -> {
                if (raw) {
                    need(t, buf, 2L * n);
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat(buf.getShort());
                    }
                } else {
                    needCount(t, t.getInt32DataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat((short) t.getInt32Data(i));
                    }
                }
            }
            case DataType.DOUBLE_VALUE -> {
                if (raw) {
                    need(t, buf, 8L * n);
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) buf.getDouble();
                    }
                } else {
                    needCount(t, t.getDoubleDataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) t.getDoubleData(i);
                    }
                }
            }
            case DataType.INT64_VALUE, DataType.INT32_VALUE -> {
                long[] l = longs(t);
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
            default ->
                throw new NnfrustException("tensor '" + t.getName() + "' has unsupported data type " + typeName(type)
                        + " (supported: FLOAT, FLOAT16, DOUBLE)");
        }
        return out;
    }

    /** Values of an INT64 or INT32 tensor (shape plumbing). */
    public static long[] longs(TensorProto t) {
        checkLocal(t);
        int n = (int) elementCount(t);
        long[] out = new long[n];
        int type = t.getDataType();
        boolean raw = t.hasRawData();
        ByteBuffer buf = raw ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN) : null;
        switch (type) {
            case DataType.INT64_VALUE -> {
                if (raw) {
                    need(t, buf, 8L * n);
                    for (int i = 0; i < n; i++) {
                        out[i] = buf.getLong();
                    }
                } else {
                    needCount(t, t.getInt64DataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = t.getInt64Data(i);
                    }
                }
            }
            case DataType.INT32_VALUE -> {
                if (raw) {
                    need(t, buf, 4L * n);
                    for (int i = 0; i < n; i++) {
                        out[i] = buf.getInt();
                    }
                } else {
                    needCount(t, t.getInt32DataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = t.getInt32Data(i);
                    }
                }
            }
            case DataType.BOOL_VALUE,
                    DataType.INT8_VALUE,
                    DataType.UINT8_VALUE,
                    DataType.INT16_VALUE,
                    DataType.UINT16_VALUE -> {
                boolean unsigned =
                        type == DataType.BOOL_VALUE || type == DataType.UINT8_VALUE || type == DataType.UINT16_VALUE;
                int width = type == DataType.INT16_VALUE || type == DataType.UINT16_VALUE ? 2 : 1;
                if (raw) {
                    need(t, buf, (long) width * n);
                    for (int i = 0; i < n; i++) {
                        long v = width == 1 ? buf.get() : buf.getShort();
                        out[i] = unsigned ? v & (width == 1 ? 0xFFL : 0xFFFFL) : v;
                    }
                } else {
                    needCount(t, t.getInt32DataCount(), n);
                    for (int i = 0; i < n; i++) {
                        out[i] = t.getInt32Data(i);
                    }
                }
            }
            case DataType.FLOAT_VALUE, DataType.FLOAT16_VALUE, DataType.DOUBLE_VALUE -> {
                float[] f = floats(t);
                for (int i = 0; i < n; i++) {
                    out[i] = (long) f[i];
                }
            }
            default ->
                throw new NnfrustException(
                        "tensor '" + t.getName() + "' has unsupported integer type " + typeName(type));
        }
        return out;
    }

    private static void need(TensorProto t, ByteBuffer buf, long bytes) {
        if (buf.remaining() != bytes) {
            throw new NnfrustException("tensor '" + t.getName() + "' has " + buf.remaining()
                    + " bytes of raw data, expected " + bytes + " (truncated or corrupt file?)");
        }
    }

    private static void needCount(TensorProto t, int have, int want) {
        if (have != want) {
            throw new NnfrustException("tensor '" + t.getName() + "' has " + have + " values, expected " + want
                    + " (truncated or corrupt file?)");
        }
    }

    public static String typeName(int type) {
        DataType d = DataType.forNumber(type);
        return d == null ? "type " + type : d.name();
    }

    /** A FLOAT tensor with raw little-endian data. */
    public static TensorProto floatTensor(String name, int[] dims, float[] values) {
        byte[] bytes = new byte[values.length * 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        return rawTensor(name, dims, DataType.FLOAT_VALUE, UnsafeByteOperations.unsafeWrap(bytes));
    }

    /**
     * A tensor with the name, dims and element type of {@code like} (FLOAT, FLOAT16 or DOUBLE) holding
     * {@code values}; FLOAT16 rounds to nearest even.
     */
    public static TensorProto withValues(TensorProto like, float[] values) {
        if (elementCount(like) != values.length) {
            throw new IllegalArgumentException("tensor '" + like.getName() + "' has " + elementCount(like)
                    + " elements, got " + values.length + " values");
        }
        int type = like.getDataType();
        byte[] bytes;
        switch (type) {
            case DataType.FLOAT_VALUE -> {
                bytes = new byte[values.length * 4];
                ByteBuffer.wrap(bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .put(values);
            }
            case DataType.FLOAT16_VALUE -> {
                bytes = new byte[values.length * 2];
                var sb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
                for (float v : values) {
                    sb.put(Float.floatToFloat16(v));
                }
            }
            case DataType.DOUBLE_VALUE -> {
                bytes = new byte[values.length * 8];
                var db = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
                for (float v : values) {
                    db.put(v);
                }
            }
            default ->
                throw new NnfrustException("tensor '" + like.getName() + "' has element type " + typeName(type)
                        + "; only FLOAT, FLOAT16 and DOUBLE weights can be rewritten");
        }
        return rawTensor(like.getName(), dims(like), type, UnsafeByteOperations.unsafeWrap(bytes));
    }

    /** An INT64 tensor with raw little-endian data. */
    public static TensorProto longTensor(String name, int[] dims, long[] values) {
        byte[] bytes = new byte[values.length * 8];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(values);
        return rawTensor(name, dims, DataType.INT64_VALUE, UnsafeByteOperations.unsafeWrap(bytes));
    }

    private static TensorProto rawTensor(String name, int[] dims, int type, ByteString raw) {
        TensorProto.Builder b =
                TensorProto.newBuilder().setName(name).setDataType(type).setRawData(raw);
        for (int d : dims) {
            b.addDims(d);
        }
        return b.build();
    }
}
