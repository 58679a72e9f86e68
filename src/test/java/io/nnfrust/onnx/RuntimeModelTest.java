package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.testing.SmallOnnx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The importer's rewrite of a model for ONNX Runtime, read back from the rewritten protobuf. */
class RuntimeModelTest {

    /** {@code m} with every FLOAT initializer and the input stored as FLOAT16. */
    private static ModelProto toFloat16(ModelProto m) {
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            float[] v = OnnxTensors.floats(t);
            ByteBuffer raw = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : v) {
                raw.putShort(Float.floatToFloat16(x));
            }
            g.setInitializer(
                    i,
                    t.toBuilder()
                            .clearFloatData()
                            .clearRawData()
                            .setDataType(TensorProto.DataType.FLOAT16_VALUE)
                            .setRawData(ByteString.copyFrom(raw.array())));
        }
        ValueInfoProto in = g.getInput(0);
        g.setInput(
                0,
                in.toBuilder()
                        .setType(in.getType().toBuilder()
                                .setTensorType(in.getType().getTensorType().toBuilder()
                                        .setElemType(TensorProto.DataType.FLOAT16_VALUE))));
        return m.toBuilder().setGraph(g).build();
    }

    @Test
    void dynamicBatchTheNetworksInputSizeExtraOutputsAndAnExactFloat32Cast() {
        ModelProto fp32 = SmallOnnx.network(1);
        Network net = OnnxImporter.importModel(fp32, "mono", "mono", "-", ImportOptions.DEFAULT);
        String relu1 = fp32.getGraph().getNode(1).getOutput(0);
        ModelProto fp16 = toFloat16(fp32);

        RuntimeModel cast = RuntimeModel.of(fp16, net, List.of(relu1, net.outputName()), true);
        assertEquals(List.of(net.outputName(), relu1), cast.outputs(), "logits first, no duplicates");
        assertEquals(
                List.of(net.outputName(), relu1),
                cast.proto().getGraph().getOutputList().stream()
                        .map(ValueInfoProto::getName)
                        .toList());
        TensorShapeProto shape =
                cast.proto().getGraph().getInput(0).getType().getTensorType().getShape();
        assertEquals("batch", shape.getDim(0).getDimParam());
        assertArrayEquals(
                new long[] {3, 8, 8},
                shape.getDimList().stream()
                        .skip(1)
                        .mapToLong(TensorShapeProto.Dimension::getDimValue)
                        .toArray());
        assertFalse(cast.float16Input());
        assertEquals(0, cast.proto().getGraph().getValueInfoCount());
        for (TensorProto t : cast.proto().getGraph().getInitializerList()) {
            assertEquals(TensorProto.DataType.FLOAT_VALUE, t.getDataType(), t.getName());
            TensorProto original = fp16.getGraph().getInitializerList().stream()
                    .filter(o -> o.getName().equals(t.getName()))
                    .findFirst()
                    .orElseThrow();
            assertArrayEquals(OnnxTensors.floats(original), OnnxTensors.floats(t), 0f, "every fp16 value is a float");
        }
        assertArrayEquals(net.inputShape(), cast.inputShape());
        assertEquals(net.inputName(), cast.inputName());

        RuntimeModel nativeTypes = RuntimeModel.of(fp16, net, List.of(), false);
        assertTrue(nativeTypes.float16Input());
        assertEquals(List.of(net.outputName()), nativeTypes.outputs());
        assertTrue(nativeTypes.proto().getGraph().getInitializerList().stream()
                .allMatch(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE));
    }
}
