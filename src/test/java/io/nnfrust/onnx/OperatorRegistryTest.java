package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The operator table of docs/conventions.md, pinned on a freshly built registry: every supported operator with
 * the opsets its converters start at, and the refused ones with a message naming the construct. (The shared
 * registry is built once per JVM; building a fresh one is what makes a dropped registration visible.)
 */
class OperatorRegistryTest {
    static final Set<String> SUPPORTED = new TreeSet<>(Set.of(
            "Conv",
            "Gemm",
            "MatMul",
            "MaxPool",
            "AveragePool",
            "GlobalAveragePool",
            "GlobalMaxPool",
            "ReduceMean",
            "ReduceSum",
            "Relu",
            "Clip",
            "LRN",
            "Dropout",
            "Softmax",
            "Identity",
            "Sigmoid",
            "Tanh",
            "Softplus",
            "Softsign",
            "Erf",
            "LeakyRelu",
            "Elu",
            "Celu",
            "HardSigmoid",
            "Selu",
            "PRelu",
            "BatchNormalization",
            "Add",
            "Sub",
            "Mul",
            "Div",
            "Flatten",
            "Reshape",
            "Squeeze",
            "Unsqueeze",
            "Transpose",
            "Concat",
            "Slice",
            "Split",
            "Pad"));

    @Test
    void everyDocumentedOperatorIsRegisteredAtItsOpsets() {
        OperatorRegistry r = OperatorRegistry.build();
        assertEquals(SUPPORTED, new TreeSet<>(r.operators()));
        for (String op : SUPPORTED) {
            assertNotNull(r.find(op, 13), op);
            Set<Integer> expected = switch (op) {
                case "Slice" -> Set.of(1, 10); // starts/ends as attributes, then as inputs
                case "Split" -> Set.of(1, 13); // 'split' as attribute, then as input
                default -> Set.of(1);
            };
            assertEquals(expected, r.opsets(op), op);
        }
        // the converter for an opset is the one of the highest start not above it
        assertSame(r.find("Slice", 1), r.find("Slice", 9));
        assertSame(r.find("Slice", 10), r.find("Slice", 18));
        assertNotSame(r.find("Slice", 9), r.find("Slice", 10));
        assertNotSame(r.find("Split", 12), r.find("Split", 13));
        assertNull(r.find("NoSuchOp", 13));
    }

    @Test
    void refusedOperatorsNameTheirConstruct() {
        OperatorRegistry r = OperatorRegistry.build();
        for (String op : new String[] {
            "HardSwish",
            "Gelu",
            "Mish",
            "LayerNormalization",
            "InstanceNormalization",
            "GroupNormalization",
            "Attention",
            "Einsum",
            "LSTM",
            "GRU",
            "RNN",
            "ConvTranspose",
            "Resize",
            "Upsample",
            "Abs",
            "Neg",
            "ReduceMax"
        }) {
            assertTrue(r.refusedOperators().contains(op), op);
            assertNotNull(r.refusal(op), op);
            assertFalse(r.refusal(op).isBlank(), op);
            assertNull(r.find(op, 13), op + " is refused, not converted");
        }
        for (String op : SUPPORTED) {
            assertNull(r.refusal(op), op + " is supported, not refused");
        }
    }
}
