package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Integer tensors (shapes, axes, Slice bounds, Gather indices written by exporters) in every encoding the ONNX
 * specification allows, against an encoder written here from the specification (onnx.proto: raw_data little
 * endian at the type's width; typed fields int64_data for INT64, int32_data for INT32, INT16, UINT16, INT8, UINT8
 * and BOOL): each decodes to the values encoded, as longs and as floats, and data of the wrong length (one value
 * short, one too many) is a one-line error naming the tensor.
 */
class IntegerTensorsTest {
    private static final int[] TYPES = {
        DataType.INT64_VALUE,
        DataType.INT32_VALUE,
        DataType.INT16_VALUE,
        DataType.UINT16_VALUE,
        DataType.INT8_VALUE,
        DataType.UINT8_VALUE,
        DataType.BOOL_VALUE
    };

    private static int width(int type) {
        return switch (type) {
            case DataType.INT64_VALUE -> 8;
            case DataType.INT32_VALUE -> 4;
            case DataType.INT16_VALUE, DataType.UINT16_VALUE -> 2;
            default -> 1;
        };
    }

    /** A random value of the type's range (for BOOL 0 or 1), extremes included. */
    private static long value(SplittableRandom r, int type) {
        long lo, hi;
        switch (type) {
            case DataType.INT64_VALUE -> {
                return switch (r.nextInt(4)) {
                    case 0 -> Long.MAX_VALUE;
                    case 1 -> Long.MIN_VALUE;
                    default -> r.nextLong();
                };
            }
            case DataType.INT32_VALUE -> {
                lo = Integer.MIN_VALUE;
                hi = Integer.MAX_VALUE;
            }
            case DataType.INT16_VALUE -> {
                lo = Short.MIN_VALUE;
                hi = Short.MAX_VALUE;
            }
            case DataType.UINT16_VALUE -> {
                lo = 0;
                hi = 65535;
            }
            case DataType.INT8_VALUE -> {
                lo = -128;
                hi = 127;
            }
            case DataType.UINT8_VALUE -> {
                lo = 0;
                hi = 255;
            }
            default -> {
                lo = 0;
                hi = 1;
            }
        }
        return switch (r.nextInt(4)) {
            case 0 -> lo;
            case 1 -> hi;
            default -> lo + r.nextLong(hi - lo + 1);
        };
    }

    private static TensorProto.Builder tensor(int type, int... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName("ints").setDataType(type);
        for (int d : dims) {
            t.addDims(d);
        }
        return t;
    }

    private static TensorProto raw(int type, long[] v, int count, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(width(type) * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            long x = i < v.length ? v[i] : 7;
            switch (width(type)) {
                case 8 -> b.putLong(x);
                case 4 -> b.putInt((int) x);
                case 2 -> b.putShort((short) x);
                default -> b.put((byte) x);
            }
        }
        return tensor(type, dims).setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto typed(int type, long[] v, int count, int... dims) {
        TensorProto.Builder t = tensor(type, dims);
        for (int i = 0; i < count; i++) {
            long x = i < v.length ? v[i] : 7;
            if (type == DataType.INT64_VALUE) {
                t.addInt64Data(x);
            } else {
                t.addInt32Data((int) x);
            }
        }
        return t.build();
    }

    @Test
    void everyIntegerEncodingDecodesToTheValuesEncoded() {
        SplittableRandom r = new SplittableRandom(11);
        for (int type : TYPES) {
            for (int[] dims : new int[][] {{}, {1}, {5}, {2, 3}, {3, 1, 4}}) {
                int n = 1;
                for (int d : dims) {
                    n *= d;
                }
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = value(r, type);
                }
                String what = OnnxTensors.typeName(type) + " " + Arrays.toString(dims);
                for (TensorProto t : new TensorProto[] {raw(type, v, n, dims), typed(type, v, n, dims)}) {
                    assertArrayEquals(v, OnnxTensors.longs(t), what + (t.hasRawData() ? " raw" : " typed"));
                    if (type == DataType.INT64_VALUE || type == DataType.INT32_VALUE) {
                        float[] f = OnnxTensors.floats(t);
                        assertEquals(n, f.length, what);
                        for (int i = 0; i < n; i++) {
                            assertEquals((float) v[i], f[i], 0f, what + " as float, value " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void integerDataOfTheWrongLengthIsAOneLineErrorNamingTheTensor() {
        for (int type : TYPES) {
            long[] v = {1, 0, 1, 1, 0, 1};
            for (int count : new int[] {5, 7}) {
                for (TensorProto t : new TensorProto[] {raw(type, v, count, 2, 3), typed(type, v, count, 2, 3)}) {
                    NnfrustException e = assertThrows(
                            NnfrustException.class,
                            () -> OnnxTensors.longs(t),
                            OnnxTensors.typeName(type) + " with " + count + " values for 6");
                    assertTrue(
                            e.getMessage().startsWith("tensor 'ints' has ")
                                    && !e.getMessage().contains("\n")
                                    && e.getMessage()
                                            .contains(t.hasRawData() ? "expected " + 6 * width(type) : "expected 6"),
                            e.getMessage());
                }
            }
        }
    }

    @Test
    void floatTensorsReadAsIntegersTruncateTowardZero() {
        TensorProto f = TensorProto.newBuilder()
                .setName("f")
                .setDataType(DataType.FLOAT_VALUE)
                .addDims(4)
                .addFloatData(2.9f)
                .addFloatData(-2.9f)
                .addFloatData(0f)
                .addFloatData(1e6f)
                .build();
        assertArrayEquals(new long[] {2, -2, 0, 1_000_000}, OnnxTensors.longs(f));
        TensorProto s = TensorProto.newBuilder()
                .setName("s")
                .setDataType(DataType.STRING_VALUE)
                .addDims(1)
                .build();
        NnfrustException e = assertThrows(NnfrustException.class, () -> OnnxTensors.longs(s));
        assertTrue(e.getMessage().contains("'s'") && e.getMessage().contains("STRING"), e.getMessage());
    }
}
