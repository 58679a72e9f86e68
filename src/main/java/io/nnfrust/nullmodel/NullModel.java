package io.nnfrust.nullmodel;

import io.nnfrust.graph.SignedGraph;

/**
 * A null model of the paper (Results, "Frustration"): a transformation of the learnable weights of a network's
 * signed graph that keeps its topology. Pooling and residual (weight-1) edges are never changed. Implementations
 * are deterministic functions of the seed and never materialise per-edge data.
 */
public interface NullModel {
    /** Short name: N1, N3-he, N3-xavier. */
    String name();

    /** The null network drawn with {@code seed}. */
    SignedGraph apply(SignedGraph graph, long seed);

    /**
     * Frees what a null network drawn by this model holds outside the heap (N2's mapped weights); the network
     * must not be used afterwards. Nothing to do for the other models.
     */
    default void release(SignedGraph nullNetwork) {}
}
