package io.nnfrust.model;

/**
 * An ONNX tensor whose values the active subnetwork of an input needs (paper SI D.3), with the graph node of each
 * of its elements (batch 1, C-order): node(e) = {@code map == null ? offset + e : map[e]}.
 *
 * @param kind     {@link Kind#RELU}: the output of a ReLU (a zero switches the node off); {@link Kind#POOL_INPUT}:
 *                 the input of the max-pooling block {@code block} (its maxima select the active pooling edges)
 * @param tensor   ONNX tensor name
 * @param block    index of the pooling block in {@code graph.blocks()} for POOL_INPUT, -1 otherwise
 * @param offset   first node, when the tensor is a contiguous node range
 * @param map      node of each element when it is not (a Concat or Transpose view), else null
 * @param elements number of elements per image
 */
public record StateProbe(Kind kind, String tensor, int block, int offset, int[] map, int elements) {
    public enum Kind {
        RELU,
        POOL_INPUT
    }

    public int node(int element) {
        return map == null ? offset + element : map[element];
    }
}
