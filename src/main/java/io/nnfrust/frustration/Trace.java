package io.nnfrust.frustration;

import java.util.Arrays;

/** An optional energy trace: (step, epsilon) pairs every {@code every} steps. */
final class Trace {
    private final long every;
    private double[] data = new double[16];
    private int size;

    Trace(long every) {
        this.every = every;
    }

    boolean due(long step) {
        return every > 0 && step % every == 0;
    }

    void add(long step, double epsilon) {
        if (every <= 0) {
            return;
        }
        if (size + 2 > data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = step;
        data[size++] = epsilon;
    }

    double[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
