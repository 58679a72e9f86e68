package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.nnfrust.util.NnfrustException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** FLOAT, FLOAT16 and DOUBLE weights in raw_data and in the typed fields decode to the same values. */
class OnnxTensorsTest {
    private static final float[] VALUES = {0.5f, -1.25f, 3f, -0.0078125f};

    private static TensorProto.Builder base(int type) {
        return TensorProto.newBuilder()
                .setName("w")
                .setDataType(type)
                .addDims(2)
                .addDims(2);
    }

    @Test
    void everyEncodingDecodesToTheSameFloats() {
        TensorProto typedFloat = base(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(VALUES[0])
                .addFloatData(VALUES[1])
                .addFloatData(VALUES[2])
                .addFloatData(VALUES[3])
                .build();
        TensorProto.Builder typedDouble = base(TensorProto.DataType.DOUBLE_VALUE);
        TensorProto.Builder typedHalf = base(TensorProto.DataType.FLOAT16_VALUE);
        ByteBuffer rawD = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer rawH = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : VALUES) {
            typedDouble.addDoubleData(v);
            typedHalf.addInt32Data(Float.floatToFloat16(v) & 0xffff);
            rawD.putDouble(v);
            rawH.putShort(Float.floatToFloat16(v));
        }
        TensorProto rawDouble = base(TensorProto.DataType.DOUBLE_VALUE)
                .setRawData(ByteString.copyFrom(rawD.array()))
                .build();
        TensorProto rawHalf = base(TensorProto.DataType.FLOAT16_VALUE)
                .setRawData(ByteString.copyFrom(rawH.array()))
                .build();
        TensorProto rawFloat = OnnxTensors.floatTensor("w", new int[] {2, 2}, VALUES);
        for (TensorProto t :
                new TensorProto[] {typedFloat, typedDouble.build(), typedHalf.build(), rawDouble, rawHalf, rawFloat}) {
            assertArrayEquals(VALUES, OnnxTensors.floats(t), 0f, OnnxTensors.typeName(t.getDataType()));
        }
    }

    @Test
    void shortRawDataIsReportedAsTruncated() {
        TensorProto t = base(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(new byte[12]))
                .build();
        NnfrustException e = assertThrows(NnfrustException.class, () -> OnnxTensors.floats(t));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        TensorProto s = base(TensorProto.DataType.STRING_VALUE).build();
        assertThrows(NnfrustException.class, () -> OnnxTensors.floats(s));
    }

    @Test
    void shortOrMissingDataExternalDataAndOddTypesAreOneLineErrors() {
        for (int type : new int[] {
            TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.DOUBLE_VALUE
        }) {
            // typed fields with one value too few
            TensorProto.Builder typed = base(type);
            for (int k = 0; k < 3; k++) {
                if (type == TensorProto.DataType.FLOAT_VALUE) {
                    typed.addFloatData(1f);
                } else if (type == TensorProto.DataType.DOUBLE_VALUE) {
                    typed.addDoubleData(1);
                } else {
                    typed.addInt32Data(Float.floatToFloat16(1f));
                }
            }
            NnfrustException e = assertThrows(NnfrustException.class, () -> OnnxTensors.floats(typed.build()));
            assertTrue(e.getMessage().contains("3 values, expected 4"), e.getMessage());
            // raw data one byte short
            int width =
                    type == TensorProto.DataType.FLOAT16_VALUE ? 2 : type == TensorProto.DataType.DOUBLE_VALUE ? 8 : 4;
            TensorProto raw = base(type)
                    .setRawData(ByteString.copyFrom(new byte[4 * width - 1]))
                    .build();
            e = assertThrows(NnfrustException.class, () -> OnnxTensors.floats(raw));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("raw data"), e.getMessage());
        }
        TensorProto longs = TensorProto.newBuilder()
                .setName("shape")
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(3)
                .setRawData(ByteString.copyFrom(new byte[23]))
                .build();
        assertThrows(NnfrustException.class, () -> OnnxTensors.longs(longs));
        TensorProto longsTyped = TensorProto.newBuilder()
                .setName("shape")
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(3)
                .addInt64Data(1)
                .addInt64Data(2)
                .build();
        assertThrows(NnfrustException.class, () -> OnnxTensors.longs(longsTyped));
        TensorProto external = base(TensorProto.DataType.FLOAT_VALUE)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .build();
        NnfrustException e = assertThrows(NnfrustException.class, () -> OnnxTensors.floats(external));
        assertTrue(e.getMessage().contains("external file"), e.getMessage());
        assertTrue(assertThrows(
                        NnfrustException.class,
                        () -> OnnxTensors.longs(external.toBuilder()
                                .setDataType(TensorProto.DataType.INT64_VALUE)
                                .build()))
                .getMessage()
                .contains("external"));
        TensorProto string = base(TensorProto.DataType.STRING_VALUE).build();
        assertTrue(assertThrows(NnfrustException.class, () -> OnnxTensors.floats(string))
                .getMessage()
                .contains("unsupported data type STRING"));
        assertTrue(OnnxTensors.typeName(999).contains("999"));
        TensorProto negative =
                base(TensorProto.DataType.FLOAT_VALUE).setDims(0, -1).build();
        assertTrue(assertThrows(NnfrustException.class, () -> OnnxTensors.dims(negative))
                .getMessage()
                .contains("invalid dimension -1"));
        TensorProto huge =
                base(TensorProto.DataType.FLOAT_VALUE).setDims(0, 1L << 31).build();
        assertThrows(NnfrustException.class, () -> OnnxTensors.dims(huge));
        assertArrayEquals(
                new int[] {0, 2},
                OnnxTensors.dims(
                        base(TensorProto.DataType.FLOAT_VALUE).setDims(0, 0).build()));
        assertArrayEquals(
                new int[] {Integer.MAX_VALUE, 2},
                OnnxTensors.dims(base(TensorProto.DataType.FLOAT_VALUE)
                        .setDims(0, Integer.MAX_VALUE)
                        .build()));
    }
}
