package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;

/** A Conv whose kernel or bias is an integer tensor is not valid ONNX and is refused in one line. */
class IntegerKernelTest {
    static ModelProto withIntegerInitializer(int index, TensorProto.DataType type) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("int-conv", 1, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 4, 4);
        ModelProto m = b.build(b.conv("c", x, 2, 3, 1, 1, 1, true));
        var g = m.getGraph().toBuilder();
        String name = g.getNode(0).getInput(index);
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorProto t = g.getInitializer(i);
            if (t.getName().equals(name)) {
                TensorProto.Builder nt = TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(type.getNumber())
                        .addAllDims(t.getDimsList());
                long count = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (p, q) -> p * q);
                for (long k = 0; k < count; k++) {
                    nt.addInt32Data((int) (k % 5) - 2);
                }
                g.setInitializer(i, nt);
            }
        }
        return m.toBuilder().setGraph(g).build();
    }

    @Test
    void integerKernelsAndBiasesOfAConvAreRefused() {
        for (TensorProto.DataType type : new TensorProto.DataType[] {
            TensorProto.DataType.INT8, TensorProto.DataType.UINT8, TensorProto.DataType.INT32
        }) {
            for (int index : new int[] {1, 2}) {
                ModelProto m = withIntegerInitializer(index, type);
                var e = assertThrows(
                        NnfrustException.class,
                        () -> OnnxImporter.importModel(m, "m", "m", "-", ImportOptions.DEFAULT));
                assertTrue(
                        e.getMessage()
                                .contains("is " + OnnxTensors.typeName(type.getNumber())
                                        + ", but Conv takes floating-point tensors only"),
                        e.getMessage());
                assertTrue(e.getMessage().contains(index == 1 ? "the kernel" : "the bias"), e.getMessage());
                assertEquals(1, e.getMessage().lines().count());
            }
        }
        // the float model itself imports
        OnnxGraphBuilder b = new OnnxGraphBuilder("float-conv", 1, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 4, 4);
        assertEquals(
                2 * 16 + 16,
                OnnxImporter.importModel(
                                b.build(b.conv("c", x, 2, 3, 1, 1, 1, true)), "m", "m", "-", ImportOptions.DEFAULT)
                        .graph()
                        .nodeCount());
    }
}
