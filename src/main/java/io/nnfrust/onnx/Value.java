package io.nnfrust.onnx;

import io.nnfrust.graph.NodeSet;

/**
 * Where the elements of one activation tensor live in the graph: element {@code i} (C-order, batch 1) is node
 * {@code offset + i}, or {@code map[i]} for a view that permutes or selects nodes (Concat, Transpose, Slice).
 */
final class Value {
    final String tensor;
    final int[] shape;
    final int offset;
    final int[] map;
    /** Pending zero padding {top, left, bottom, right} of a Pad, folded into the next window operator. */
    int[] pads;
    /** The node set this tensor covers (null for views that mix node sets). */
    NodeSet set;
    /** True when a weight layer made these nodes (possibly through node-wise operators). */
    boolean weightProduced;
    /** Index of the conv/dense block whose output nodes these are (-1: none), for BatchNorm folding. */
    int block = -1;

    Value parent;
    String producer;

    Value(String tensor, int[] shape, int offset, int[] map) {
        this.tensor = tensor;
        this.shape = shape;
        this.offset = offset;
        this.map = map;
    }

    int node(int element) {
        return map == null ? offset + element : map[element];
    }

    long elements() {
        return ImportContext.product(shape, 0, shape.length);
    }

    /** A view of the same nodes under another name and shape (node-wise operators, Flatten, Reshape, ...). */
    Value alias(String newTensor, int[] newShape, String op) {
        Value a = new Value(newTensor, newShape, offset, map);
        a.set = set;
        a.weightProduced = weightProduced;
        a.block = block;
        a.parent = this;
        a.producer = op;
        a.pads = pads;
        return a;
    }

    /** The tensor covers exactly one whole node set, in order. */
    boolean wholeSet() {
        return set != null && map == null && offset == set.offset() && elements() == set.size() && pads == null;
    }
}
