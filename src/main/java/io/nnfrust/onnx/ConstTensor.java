package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor known at import time: an initializer, a {@code Constant}, or the result of folding a constant-only
 * node ({@link ConstantFolder}). Integer and boolean types hold {@code long} values, floating-point types
 * {@code double} values (FLOAT results are rounded to float, as ONNX Runtime computes them). A tensor that is an
 * unchanged initializer (possibly through {@code Identity}) keeps it as {@code source}, so weights are read
 * directly from the model and can be written back into it (null models).
 */
final class ConstTensor {
    final int type;
    final int[] dims;
    private long[] ints;
    private double[] reals;
    /** The initializer or Constant tensor these values are, unchanged; null for computed values. */
    final TensorProto source;

    private ConstTensor(int type, int[] dims, long[] ints, double[] reals, TensorProto source) {
        this.type = type;
        this.dims = dims;
        this.ints = ints;
        this.reals = reals;
        this.source = source;
    }

    static boolean isInteger(int type) {
        return switch (type) {
            case DataType.INT64_VALUE,
                    DataType.INT32_VALUE,
                    DataType.INT16_VALUE,
                    DataType.INT8_VALUE,
                    DataType.UINT8_VALUE,
                    DataType.UINT16_VALUE,
                    DataType.UINT32_VALUE,
                    DataType.UINT64_VALUE,
                    DataType.BOOL_VALUE -> true;
            default -> false;
        };
    }

    static boolean isReal(int type) {
        return type == DataType.FLOAT_VALUE
                || type == DataType.FLOAT16_VALUE
                || type == DataType.DOUBLE_VALUE
                || type == DataType.BFLOAT16_VALUE;
    }

    static ConstTensor of(TensorProto t) {
        int type = t.getDataType();
        if (!isInteger(type) && !isReal(type)) {
            throw new NnfrustException(
                    "tensor '" + t.getName() + "' has unsupported element type " + OnnxTensors.typeName(type));
        }
        return new ConstTensor(type, OnnxTensors.dims(t), null, null, t);
    }

    static ConstTensor ofLongs(int type, int[] dims, long[] v) {
        check(dims, v.length);
        return new ConstTensor(type, dims, v, null, null);
    }

    static ConstTensor ofReals(int type, int[] dims, double[] v) {
        check(dims, v.length);
        if (type == DataType.FLOAT_VALUE || type == DataType.FLOAT16_VALUE || type == DataType.BFLOAT16_VALUE) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
        }
        return new ConstTensor(type, dims, null, v, null);
    }

    private static void check(int[] dims, int n) {
        if (ImportContext.product(dims, 0, dims.length) != n) {
            throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not hold " + n + " values");
        }
    }

    /** Same values, unchanged source, other dims (Reshape, Squeeze of an initializer keeps it a weight). */
    ConstTensor withDims(int[] newDims) {
        return new ConstTensor(type, newDims, ints, reals, source);
    }

    boolean integer() {
        return isInteger(type);
    }

    int size() {
        return (int) ImportContext.product(dims, 0, dims.length);
    }

    long[] longs() {
        if (ints == null) {
            if (integer()) {
                ints = OnnxTensors.longs(source);
            } else {
                double[] r = reals();
                long[] l = new long[r.length];
                for (int i = 0; i < l.length; i++) {
                    l[i] = (long) r[i];
                }
                return l;
            }
        }
        return ints;
    }

    double[] reals() {
        if (reals == null) {
            if (integer()) {
                long[] l = longs();
                double[] r = new double[l.length];
                for (int i = 0; i < l.length; i++) {
                    r[i] = l[i];
                }
                return r;
            }
            if (source.getDataType() == DataType.DOUBLE_VALUE) {
                reals = doubles(source);
            } else {
                float[] f = OnnxTensors.floats(source);
                reals = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    reals[i] = f[i];
                }
            }
        }
        return reals;
    }

    /** Float values (weights): read straight from the model tensor when unchanged. */
    float[] floats() {
        if (source != null && reals == null && !integer()) {
            return OnnxTensors.floats(source);
        }
        double[] r = reals();
        float[] f = new float[r.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r[i];
        }
        return f;
    }

    private static double[] doubles(TensorProto t) {
        int n = (int) OnnxTensors.elementCount(t);
        double[] out = new double[n];
        if (t.hasRawData()) {
            var buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (buf.remaining() != 8L * n) {
                throw new NnfrustException("tensor '" + t.getName() + "' has " + buf.remaining()
                        + " bytes of raw data, expected " + 8L * n + " (truncated or corrupt file?)");
            }
            buf.asDoubleBuffer().get(out);
        } else {
            if (t.getDoubleDataCount() != n) {
                throw new NnfrustException("tensor '" + t.getName() + "' has " + t.getDoubleDataCount()
                        + " values, expected " + n + " (truncated or corrupt file?)");
            }
            for (int i = 0; i < n; i++) {
                out[i] = t.getDoubleData(i);
            }
        }
        return out;
    }

    /** The elements at flat indices {@code index}, with dims {@code newDims} (views: Reshape, Gather, Slice...). */
    ConstTensor select(int[] newDims, int[] index) {
        if (integer()) {
            long[] src = longs(), out = new long[index.length];
            for (int i = 0; i < index.length; i++) {
                out[i] = src[index[i]];
            }
            return ofLongs(type, newDims, out);
        }
        double[] src = reals(), out = new double[index.length];
        for (int i = 0; i < index.length; i++) {
            out[i] = src[index[i]];
        }
        return new ConstTensor(type, newDims, null, out, null);
    }
}
