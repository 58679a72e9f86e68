package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;

/** The network input: batch, element type, rank, dynamic and overridden sizes, each boundary one way and the other. */
class InputShapeTest {
    static ModelProto withInput(long... dims) {
        ModelProto m = SmallOnnx.network(1);
        var g = m.getGraph().toBuilder();
        var in = g.getInput(0).toBuilder();
        var shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().clearDim();
        for (long d : dims) {
            shape.addDim(
                    d == Long.MIN_VALUE
                            ? TensorShapeProto.Dimension.newBuilder().setDimParam("n")
                            : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        g.setInput(0, in);
        return m.toBuilder().setGraph(g).build();
    }

    static String error(ModelProto m, ImportOptions o) {
        return assertThrows(NnfrustException.class, () -> OnnxImporter.importModel(m, "t", "t", "-", o))
                .getMessage();
    }

    static int[] shapeOf(ModelProto m, ImportOptions o) {
        return OnnxImporter.importModel(m, "t", "t", "-", o).inputShape();
    }

    @Test
    void batchOneOrDynamicOnly() {
        assertArrayEquals(new int[] {1, 3, 8, 8}, shapeOf(withInput(1, 3, 8, 8), ImportOptions.DEFAULT));
        assertArrayEquals(new int[] {1, 3, 8, 8}, shapeOf(withInput(Long.MIN_VALUE, 3, 8, 8), ImportOptions.DEFAULT));
        assertArrayEquals(new int[] {1, 3, 8, 8}, shapeOf(withInput(0, 3, 8, 8), ImportOptions.DEFAULT));
        assertTrue(error(withInput(2, 3, 8, 8), ImportOptions.DEFAULT).contains("fixed batch size 2"));
    }

    @Test
    void dynamicSpatialSizesNeedInputSize() {
        for (long[] dims : new long[][] {{1, 3, Long.MIN_VALUE, 8}, {1, 3, 8, 0}, {1, 3, -1, 8}}) {
            assertTrue(error(withInput(dims), ImportOptions.DEFAULT).contains("--input-size"));
            assertArrayEquals(
                    new int[] {1, 3, 8, 8}, shapeOf(withInput(dims), ImportOptions.DEFAULT.withInputSize(8, 8)));
        }
        // the override replaces static sizes too; a dynamic channel count stays an error
        assertArrayEquals(
                new int[] {1, 3, 9, 8}, shapeOf(withInput(1, 3, 8, 8), ImportOptions.DEFAULT.withInputSize(9, 8)));
        assertTrue(error(withInput(1, Long.MIN_VALUE, 8, 8), ImportOptions.DEFAULT.withInputSize(8, 8))
                .contains("dynamic shape"));
        assertTrue(error(withInput(1, 192), ImportOptions.DEFAULT.withInputSize(8, 8))
                .contains("image inputs"));
    }

    @Test
    void rankTypeAndSizeLimits() {
        assertTrue(error(withInput(192), ImportOptions.DEFAULT).contains("rank 1"));
        assertTrue(error(withInput(1, 3, 8, 1L << 31), ImportOptions.DEFAULT).contains("too large"));
        assertTrue(error(withInput(1, 3, 50000, 50000), ImportOptions.DEFAULT).contains("too many nodes"));
        ModelProto m = SmallOnnx.network(1);
        var g = m.getGraph().toBuilder();
        var in = g.getInput(0).toBuilder();
        in.getTypeBuilder().getTensorTypeBuilder().setElemType(TensorProto.DataType.INT64_VALUE);
        g.setInput(0, in);
        assertTrue(
                error(m.toBuilder().setGraph(g).build(), ImportOptions.DEFAULT).contains("element type INT64"));
        for (int t : new int[] {TensorProto.DataType.FLOAT16_VALUE, TensorProto.DataType.DOUBLE_VALUE}) {
            in.getTypeBuilder().getTensorTypeBuilder().setElemType(t);
            g.setInput(0, in);
            assertArrayEquals(
                    new int[] {1, 3, 8, 8}, shapeOf(m.toBuilder().setGraph(g).build(), ImportOptions.DEFAULT));
        }
    }
}
