package io.nnfrust.onnx;

/**
 * Turns one ONNX node whose input is an activation into graph structure: new node sets and edge blocks (weight
 * layers, pooling), a mapping onto existing nodes (node-wise operators) or a re-indexing of them (views). One
 * implementation per operator family, registered by operator type and opset in {@link OperatorRegistry}.
 */
@FunctionalInterface
interface OperatorConverter {
    /** Converts {@code n} and returns the value of its first output (other outputs: {@code ctx.values.put}). */
    Value convert(ImportContext.Op n, ImportContext ctx);
}
