package io.nnfrust.model;

import io.nnfrust.util.NnfrustException;

/**
 * The fixed weight of a pooling edge. The paper sets 0.01/p for a p x p window; for a kh x kw window the side
 * p is taken as below (docs/conventions.md).
 */
public enum PoolWeightRule {
    /** p = sqrt(kh * kw), the side of the square of equal area (default; equals p for square windows). */
    GEOMETRIC,
    /** p = max(kh, kw). */
    MAX_SIDE;

    public double weight(int kh, int kw) {
        double p = this == GEOMETRIC ? Math.sqrt((double) kh * kw) : Math.max(kh, kw);
        return 0.01 / p;
    }

    public static PoolWeightRule parse(String s) {
        return switch (s.toLowerCase()) {
            case "geometric", "sqrt" -> GEOMETRIC;
            case "max", "max-side" -> MAX_SIDE;
            default -> throw new NnfrustException("unknown pooling weight rule '" + s + "' (use geometric or max)");
        };
    }
}
