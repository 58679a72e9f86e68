package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Constant tensors of the importer: element types, rounding, conversions, DOUBLE initializers, views. */
class ConstTensorTest {
    private static TensorProto.Builder tensor(int type, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("t").setDataType(type);
        for (long d : dims) {
            b.addDims(d);
        }
        return b;
    }

    @Test
    void elementTypes() {
        for (int t :
                new int[] {DataType.FLOAT_VALUE, DataType.FLOAT16_VALUE, DataType.DOUBLE_VALUE, DataType.BFLOAT16_VALUE
                }) {
            assertTrue(ConstTensor.isReal(t), "real " + t);
            assertFalse(ConstTensor.isInteger(t), "not integer " + t);
        }
        for (int t : new int[] {
            DataType.INT64_VALUE,
            DataType.INT32_VALUE,
            DataType.INT16_VALUE,
            DataType.INT8_VALUE,
            DataType.UINT8_VALUE,
            DataType.UINT16_VALUE,
            DataType.UINT32_VALUE,
            DataType.UINT64_VALUE,
            DataType.BOOL_VALUE
        }) {
            assertTrue(ConstTensor.isInteger(t), "integer " + t);
            assertFalse(ConstTensor.isReal(t), "not real " + t);
        }
        for (int t : new int[] {DataType.STRING_VALUE, DataType.COMPLEX64_VALUE, DataType.UNDEFINED_VALUE}) {
            assertFalse(ConstTensor.isReal(t) || ConstTensor.isInteger(t), "neither " + t);
        }
        NnfrustException e = assertThrows(
                NnfrustException.class,
                () -> ConstTensor.of(tensor(DataType.STRING_VALUE, 1).build()));
        assertTrue(
                e.getMessage().contains("'t'") && e.getMessage().contains("unsupported element type"), e.getMessage());
        assertNotNull(
                ConstTensor.of(tensor(DataType.BOOL_VALUE, 1).addInt32Data(1).build()));
    }

    @Test
    void valuesMustFillTheDims() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ConstTensor.ofLongs(DataType.INT64_VALUE, new int[] {2, 2}, new long[3]));
        assertThrows(
                IllegalArgumentException.class,
                () -> ConstTensor.ofReals(DataType.FLOAT_VALUE, new int[] {3}, new double[2]));
        assertEquals(
                6,
                ConstTensor.ofLongs(DataType.INT64_VALUE, new int[] {2, 3}, new long[6])
                        .size());
        assertEquals(
                1,
                ConstTensor.ofReals(DataType.DOUBLE_VALUE, new int[0], new double[1])
                        .size(),
                "a scalar");
    }

    @Test
    void floatTypesAreRoundedToFloatAndDoubleIsKept() {
        for (int t : new int[] {DataType.FLOAT_VALUE, DataType.FLOAT16_VALUE, DataType.BFLOAT16_VALUE}) {
            ConstTensor c = ConstTensor.ofReals(t, new int[] {2}, new double[] {0.1, -1e-9});
            assertEquals((double) 0.1f, c.reals()[0], 0.0, "type " + t);
            assertEquals((double) -1e-9f, c.reals()[1], 0.0);
            assertNull(c.source);
        }
        ConstTensor d = ConstTensor.ofReals(DataType.DOUBLE_VALUE, new int[] {1}, new double[] {0.1});
        assertEquals(0.1, d.reals()[0], 0.0);
        assertTrue(0.1 != (double) 0.1f, "the test distinguishes the two");
    }

    @Test
    void conversionsBetweenIntegerAndReal() {
        ConstTensor r = ConstTensor.ofReals(DataType.DOUBLE_VALUE, new int[] {4}, new double[] {2.7, -2.7, 0.5, 1e10});
        assertArrayEquals(new long[] {2, -2, 0, 10_000_000_000L}, r.longs(), "truncation toward zero");
        assertArrayEquals(new float[] {2.7f, -2.7f, 0.5f, 1e10f}, r.floats());
        ConstTensor i = ConstTensor.ofLongs(DataType.INT64_VALUE, new int[] {3}, new long[] {-3, 0, 1L << 40});
        assertArrayEquals(new double[] {-3, 0, 0x1p40}, i.reals(), 0.0);
        assertArrayEquals(new float[] {-3, 0, 0x1p40f}, i.floats());
        assertTrue(i.integer());
        assertFalse(r.integer());
    }

    @Test
    void initializersAreReadInTheirOwnType() {
        TensorProto ints = tensor(DataType.INT64_VALUE, 3)
                .addInt64Data(7)
                .addInt64Data(-1)
                .addInt64Data(1L << 50)
                .build();
        ConstTensor ci = ConstTensor.of(ints);
        assertArrayEquals(new long[] {7, -1, 1L << 50}, ci.longs());
        assertArrayEquals(new double[] {7, -1, 0x1p50}, ci.reals(), 0.0);
        assertSame(ints, ci.source);

        // DOUBLE: exact, from the typed field and from raw data
        TensorProto typed = tensor(DataType.DOUBLE_VALUE, 2)
                .addDoubleData(0.1)
                .addDoubleData(-1e300)
                .build();
        assertArrayEquals(new double[] {0.1, -1e300}, ConstTensor.of(typed).reals(), 0.0);
        ByteBuffer raw = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.1)
                .putDouble(-1e300);
        TensorProto rawD = tensor(DataType.DOUBLE_VALUE, 2)
                .setRawData(ByteString.copyFrom(raw.array()))
                .build();
        assertArrayEquals(new double[] {0.1, -1e300}, ConstTensor.of(rawD).reals(), 0.0);
        NnfrustException shortRaw = assertThrows(
                NnfrustException.class,
                () -> ConstTensor.of(tensor(DataType.DOUBLE_VALUE, 3)
                                .setRawData(ByteString.copyFrom(raw.array()))
                                .build())
                        .reals());
        assertTrue(
                shortRaw.getMessage().contains("16 bytes")
                        && shortRaw.getMessage().contains("expected 24"),
                shortRaw.getMessage());
        NnfrustException shortTyped = assertThrows(
                NnfrustException.class,
                () -> ConstTensor.of(tensor(DataType.DOUBLE_VALUE, 3)
                                .addDoubleData(1)
                                .build())
                        .reals());
        assertTrue(shortTyped.getMessage().contains("1 values, expected 3"), shortTyped.getMessage());

        // FLOAT: the float values, widened
        TensorProto f = tensor(DataType.FLOAT_VALUE, 2)
                .addFloatData(0.1f)
                .addFloatData(3f)
                .build();
        ConstTensor cf = ConstTensor.of(f);
        assertArrayEquals(new double[] {(double) 0.1f, 3}, cf.reals(), 0.0);
        assertArrayEquals(new float[] {0.1f, 3f}, cf.floats());
        assertArrayEquals(new long[] {0, 3}, cf.longs());
        assertArrayEquals(new float[] {0.1f, 3f}, ConstTensor.of(f).floats(), "straight from the model tensor");
    }

    @Test
    void selectAndWithDims() {
        TensorProto f = tensor(DataType.FLOAT_VALUE, 2, 2)
                .addFloatData(1)
                .addFloatData(2)
                .addFloatData(3)
                .addFloatData(4)
                .build();
        ConstTensor c = ConstTensor.of(f);
        ConstTensor reshaped = c.withDims(new int[] {4});
        assertSame(f, reshaped.source, "a reshaped initializer is still the weight");
        assertArrayEquals(new int[] {4}, reshaped.dims);
        ConstTensor s = c.select(new int[] {3}, new int[] {3, 0, 3});
        assertArrayEquals(new double[] {4, 1, 4}, s.reals(), 0.0);
        assertArrayEquals(new int[] {3}, s.dims);
        assertEquals(DataType.FLOAT_VALUE, s.type);
        assertNull(s.source, "selected values are computed, not the initializer");
        ConstTensor l = ConstTensor.ofLongs(DataType.INT32_VALUE, new int[] {3}, new long[] {5, 6, 7});
        ConstTensor ls = l.select(new int[] {2}, new int[] {2, 1});
        assertArrayEquals(new long[] {7, 6}, ls.longs());
        assertEquals(DataType.INT32_VALUE, ls.type);
        assertThrows(IllegalArgumentException.class, () -> l.select(new int[] {3}, new int[] {0}));
        assertEquals(0, c.select(new int[] {0}, new int[0]).size());
    }
}
