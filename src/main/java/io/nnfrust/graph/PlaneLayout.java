package io.nnfrust.graph;

import java.util.Arrays;

/**
 * Where the elements of a [C, H, W] tensor live in the global node numbering: element (c, h, w) is node
 * {@code planeBase[c] + h * width + w}. Every channel plane is a contiguous run of nodes, but planes may come
 * from different node sets and in any order; this is how Concat and channel shuffles cost nothing.
 * A vector [F] is the layout (F, 1, 1).
 */
public final class PlaneLayout {
    public final int channels;
    public final int height;
    public final int width;
    private final int[] planeBase;
    private final boolean distinctPlanes;

    public PlaneLayout(int channels, int height, int width, int[] planeBase) {
        if (planeBase.length != channels) {
            throw new IllegalArgumentException("planeBase length " + planeBase.length + " != channels " + channels);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.planeBase = planeBase.clone();
        int[] sorted = planeBase.clone();
        Arrays.sort(sorted);
        boolean distinct = true;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] - sorted[i - 1] < (long) height * width) {
                distinct = false;
                break;
            }
        }
        this.distinctPlanes = distinct;
    }

    /** Layout of a tensor stored contiguously from {@code offset} in C-order. */
    public static PlaneLayout contiguous(int offset, int channels, int height, int width) {
        int[] base = new int[channels];
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            base[c] = offset + c * plane;
        }
        return new PlaneLayout(channels, height, width, base);
    }

    public int planeSize() {
        return height * width;
    }

    public int elementCount() {
        return channels * height * width;
    }

    public int base(int channel) {
        return planeBase[channel];
    }

    public int node(int channel, int row, int col) {
        return planeBase[channel] + row * width + col;
    }

    /** Node of the element with flat C-order index {@code i}. */
    public int nodeOfElement(int i) {
        int plane = planeSize();
        return planeBase[i / plane] + i % plane;
    }

    /** True when no two planes overlap, so writes to different channels never touch the same node. */
    public boolean distinctPlanes() {
        return distinctPlanes;
    }

    int[] planeBases() {
        return planeBase.clone();
    }
}
