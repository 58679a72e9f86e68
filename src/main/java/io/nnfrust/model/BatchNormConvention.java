package io.nnfrust.model;

import io.nnfrust.util.NnfrustException;

/**
 * What a {@code BatchNormalization} does to the graph (docs/conventions.md, "BatchNorm").
 *
 * <p>PyTorch's exporter folds a BatchNorm into the convolution before it in eval mode and keeps it as a node
 * in training mode, so one trained network reaches nnfrust with two weight sets. {@link #FOLD} makes the
 * graph independent of that choice.
 */
public enum BatchNormConvention {
    /**
     * Default. A BatchNorm that reads the whole output of one Conv/Gemm/MatMul (and nothing else reads it)
     * multiplies that layer's output-channel weights by γ/√(σ²+ε) of the running statistics, exactly the
     * fusion PyTorch applies when exporting in eval mode; a negative γ flips the sign of the channel's edges.
     * Any other BatchNorm (after a Concat, pooling or residual sum: pre-activation networks) acts on nodes as
     * in {@link #NODE}.
     */
    FOLD,
    /** The paper's reading (SI D.2): BatchNorm acts on nodes as a positive per-channel scale; weights untouched. */
    NODE;

    public static BatchNormConvention parse(String s) {
        return switch (s.toLowerCase()) {
            case "fold" -> FOLD;
            case "node" -> NODE;
            default -> throw new NnfrustException("unknown --batchnorm convention '" + s + "' (use fold or node)");
        };
    }
}
