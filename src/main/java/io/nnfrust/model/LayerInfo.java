package io.nnfrust.model;

/**
 * One row of the per-layer table: a layer that creates nodes or edges.
 *
 * @param name       ONNX node name (or output tensor name when the node has none)
 * @param operator   ONNX operator
 * @param shape      output shape without batch, e.g. "64x55x55"
 * @param nodes      nodes this layer creates (0 when its sum lands on existing nodes)
 * @param edges      edges into this layer's outputs
 * @param params     learnable parameters (weights, biases, and batch-norm scale/shift folded onto it)
 * @param absWeight  sum of |weight| over its edges
 */
public record LayerInfo(
        String name, String operator, String shape, long nodes, long edges, long params, double absWeight) {
    public LayerInfo withParams(long extra) {
        return new LayerInfo(name, operator, shape, nodes, edges, params + extra, absWeight);
    }
}
