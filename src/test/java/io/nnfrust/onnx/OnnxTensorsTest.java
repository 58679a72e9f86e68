package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FLOAT, FLOAT16 and DOUBLE weights in raw_data and in the typed fields decode to the same values. */
class OnnxTensorsTest {
    private static final float[] VALUES = {0.5f, -1.25f, 3f, -0.0078125f};

    private static TensorProto.Builder base(int type) {
        return TensorProto.newBuilder().setName("w").setDataType(type).addDims(2).addDims(2);
    }

    @Test
    void everyEncodingDecodesToTheSameFloats() {
        TensorProto typedFloat = base(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(VALUES[0]).addFloatData(VALUES[1]).addFloatData(VALUES[2]).addFloatData(VALUES[3]).build();
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
        TensorProto rawDouble = base(TensorProto.DataType.DOUBLE_VALUE).setRawData(ByteString.copyFrom(rawD.array())).build();
        TensorProto rawHalf = base(TensorProto.DataType.FLOAT16_VALUE).setRawData(ByteString.copyFrom(rawH.array())).build();
        TensorProto rawFloat = OnnxTensors.floatTensor("w", new int[] {2, 2}, VALUES);
        for (TensorProto t : new TensorProto[] {typedFloat, typedDouble.build(), typedHalf.build(), rawDouble, rawHalf,
                rawFloat}) {
            assertArrayEquals(VALUES, OnnxTensors.floats(t), 0f, OnnxTensors.typeName(t.getDataType()));
        }
    }

    @Test
    void shortRawDataIsReportedAsTruncated() {
        TensorProto t = base(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(new byte[12])).build();
        NnfrustException e = assertThrows(NnfrustException.class, () -> OnnxTensors.floats(t));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        TensorProto s = base(TensorProto.DataType.STRING_VALUE).build();
        assertThrows(NnfrustException.class, () -> OnnxTensors.floats(s));
    }
}
