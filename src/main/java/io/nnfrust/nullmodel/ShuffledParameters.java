package io.nnfrust.nullmodel;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.SignedGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Null model N1: within each convolutional and dense layer, the layer's parameters are randomly reordered
 * (a uniform Fisher-Yates permutation of its weight array). Every repeated use of a kernel entry in the
 * Toeplitz block gets the same new value, so the convolutional structure, the edge positions and the layer's
 * multiset of weights are all kept. Layer k is shuffled with the k-th long of {@code SplittableRandom(seed)}.
 * O(parameters) time and memory.
 */
public final class ShuffledParameters implements NullModel {
    @Override
    public String name() {
        return "N1";
    }

    @Override
    public SignedGraph apply(SignedGraph graph, long seed) {
        SplittableRandom master = new SplittableRandom(seed);
        List<EdgeBlock> out = new ArrayList<>();
        for (EdgeBlock b : graph.blocks()) {
            long layerSeed = master.nextLong();
            if (b instanceof ConvolutionBlock c) {
                out.add(c.withKernel(shuffled(c.kernel(), layerSeed)));
            } else if (b instanceof DenseBlock d) {
                out.add(d.withMatrix(shuffled(d.matrix(), layerSeed)));
            } else {
                out.add(b);
            }
        }
        return new SignedGraph(graph.nodeSets(), out);
    }

    static float[] shuffled(float[] w, long seed) {
        float[] a = w.clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
