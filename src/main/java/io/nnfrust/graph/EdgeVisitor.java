package io.nnfrust.graph;

/** Receives one directed edge {@code source -> target} of weight {@code weight} (entry A[target][source]). */
@FunctionalInterface
public interface EdgeVisitor {
    void edge(int source, int target, double weight);
}
