package io.nnfrust.nullmodel;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.PerEdgeConvolutionBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.NnfrustException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Null model N2: the weights of all convolution and dense <em>edges</em> of the network are permuted uniformly
 * across the whole graph, so edge positions and the multiset of edge weights are kept but weight sharing is
 * destroyed. Implemented by materialising the learnable edge weights once, one float per edge in the canonical
 * order of {@link PerEdgeConvolutionBlock}, and shuffling them (Fisher-Yates, {@code SplittableRandom(seed)}):
 * O(learnable edges) memory, e.g. 1.4 GB for the real SqueezeNet. Graphs with more than 2^31 - 9 learnable edges
 * are refused (an implicit permutation for them is future work, docs/nullmodels.md).
 */
public final class ShuffledEdges implements NullModel {
    @Override
    public String name() {
        return "N2";
    }

    @Override
    public SignedGraph apply(SignedGraph graph, long seed) {
        long total = 0;
        for (EdgeBlock b : graph.blocks()) {
            if (b instanceof ConvolutionBlock || b instanceof DenseBlock) {
                total += b.edgeCount();
            }
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new NnfrustException("null model N2 stores one float per learnable edge and accepts at most "
                    + (Integer.MAX_VALUE - 8) + " of them; this graph has " + total);
        }
        float[] all = new float[(int) total];
        long at = 0;
        List<Long> starts = new ArrayList<>();
        for (EdgeBlock b : graph.blocks()) {
            starts.add(at);
            if (b instanceof ConvolutionBlock c) {
                PerEdgeConvolutionBlock.canonicalOrder(c, all, at);
                at += c.edgeCount();
            } else if (b instanceof DenseBlock d) {
                System.arraycopy(d.matrix(), 0, all, (int) at, d.matrix().length);
                at += d.edgeCount();
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = all.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        List<EdgeBlock> out = new ArrayList<>();
        for (int k = 0; k < graph.blocks().size(); k++) {
            EdgeBlock b = graph.blocks().get(k);
            long s = starts.get(k);
            if (b instanceof ConvolutionBlock c) {
                out.add(new PerEdgeConvolutionBlock(c, all, s));
            } else if (b instanceof DenseBlock d) {
                out.add(d.withMatrix(java.util.Arrays.copyOfRange(all, (int) s, (int) (s + d.edgeCount()))));
            } else {
                out.add(b);
            }
        }
        return new SignedGraph(graph.nodeSets(), out);
    }
}
