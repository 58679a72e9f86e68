package io.nnfrust.model;

import io.nnfrust.util.NnfrustException;

/** How a residual Add of two activations becomes nodes and edges (docs/conventions.md). */
public enum AddConvention {
    /**
     * The paper's z = sigma(W z' + b + sum_k z_k): the sum lands on the nodes of the first addend that a
     * weight layer produced and that feeds nothing but this Add; the other addends reach it by weight-1 edges.
     * Where no addend qualifies, the Add gets its own node set as in {@link #NODE}.
     */
    MERGE,
    /** Every Add gets its own node set, with weight-1 edges from every addend. */
    NODE;

    public static AddConvention parse(String s) {
        return switch (s.toLowerCase()) {
            case "merge" -> MERGE;
            case "node" -> NODE;
            default -> throw new NnfrustException("unknown --add convention '" + s + "' (use merge or node)");
        };
    }
}
