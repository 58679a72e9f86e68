package io.nnfrust.graph;

/**
 * A contiguous range of nodes holding one tensor [channels, height, width] in C-order: the network input, or
 * the output of a Conv, Gemm/MatMul, pooling, or (under {@code --add node}) residual Add.
 */
public record NodeSet(int index, String name, String operator, int offset, int channels, int height, int width) {
    public int size() {
        return channels * height * width;
    }

    public int end() {
        return offset + size();
    }

    public boolean contains(int node) {
        return node >= offset && node < end();
    }

    public PlaneLayout layout() {
        return PlaneLayout.contiguous(offset, channels, height, width);
    }
}
