package io.nnfrust.nullmodel;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.PerEdgeConvolutionBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.FeistelPermutation;
import io.nnfrust.util.NnfrustException;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Null model N2 (paper, Methods): the weights of all convolution and dense <em>edges</em> are permuted uniformly
 * across the whole graph, so edge positions and the multiset of edge weights are kept but weight sharing is
 * destroyed. Pooling and residual edges are untouched.
 *
 * <p>The permutation is implicit: the learnable edges are numbered globally (blocks in graph order; within a
 * convolution the canonical order of {@link PerEdgeConvolutionBlock}: kernel entry, output row, output column;
 * within a dense block row-major) and a seeded {@link FeistelPermutation} π of {@code [0, E)} sends the weight of
 * edge k to edge π(k). No permutation table and no global array is ever stored, so the number of edges is not
 * limited by Java's array size; {@link #weightOf} answers for any single edge from small per-layer lookup
 * tables (O(layers + kernel taps), nothing per edge) in O(1) per edge.
 *
 * <p>For the solvers, which sweep every edge many times, {@link #apply} then writes the permuted weights into one
 * float array per block (4 bytes per learnable edge: 1.4 GB for the real SqueezeNet, 6.7 GB for ResNet-18) by
 * walking the target edges in order and gathering each one's weight through π⁻¹: the source entry of a canonical
 * index is found arithmetically (a convolution's edges repeat with period Σ_taps(valid positions) per kernel
 * (out, in) pair), so the cost is one Feistel inverse plus a few table reads per edge and the writes are
 * sequential. Target ranges run in parallel and the result is a pure function of the seed, independent of the
 * number of threads.
 */
public final class ShuffledEdges implements NullModel {
    /** Source edges per parallel scatter task. */
    private static final long CHUNK = 1 << 22;

    @Override
    public String name() {
        return "N2";
    }

    @Override
    public SignedGraph apply(SignedGraph graph, long seed) {
        Permuted p = new Permuted(graph, seed);
        float[][] target = new float[p.blocks.size()][];
        for (int b = 0; b < target.length; b++) {
            long count = p.blocks.get(b).edgeCount();
            if (count > Integer.MAX_VALUE - 8) {
                throw new NnfrustException("null model N2: block " + p.blocks.get(b).name() + " has " + count
                        + " edges, more than one Java array holds");
            }
            target[b] = new float[(int) count];
        }
        List<long[]> tasks = new ArrayList<>(); // {block, first local edge, end}
        for (int b = 0; b < target.length; b++) {
            for (long from = 0; from < target[b].length; from += CHUNK) {
                tasks.add(new long[]{b, from, Math.min(target[b].length, from + CHUNK)});
            }
        }
        IntStream.range(0, tasks.size()).parallel().forEach(t -> {
            long[] task = tasks.get(t);
            float[] w = target[(int) task[0]];
            long base = p.blockStart[(int) task[0]];
            for (int e = (int) task[1]; e < task[2]; e++) {
                w[e] = p.sourceWeight(p.pi.inverse(base + e));
            }
        });
        List<EdgeBlock> out = new ArrayList<>(graph.blocks().size());
        int b = 0;
        for (EdgeBlock block : graph.blocks()) {
            if (block instanceof ConvolutionBlock c) {
                out.add(new PerEdgeConvolutionBlock(c, target[b++], 0));
            } else if (block instanceof DenseBlock d) {
                out.add(d.withMatrix(target[b++]));
            } else {
                out.add(block);
            }
        }
        return new SignedGraph(graph.nodeSets(), out);
    }

    /**
     * The weight that N2 with this seed gives to learnable edge {@code e} (global canonical index, see the class
     * comment), computed without building the null network: the weight of edge π⁻¹(e) of the original graph.
     */
    public static float weightOf(SignedGraph graph, long seed, long e) {
        return new Permuted(graph, seed).weightOf(e);
    }

    /** Number of learnable (convolution and dense) edges of {@code graph}. */
    public static long learnableEdges(SignedGraph graph) {
        long total = 0;
        for (EdgeBlock b : graph.blocks()) {
            if (b instanceof ConvolutionBlock || b instanceof DenseBlock) {
                total += b.edgeCount();
            }
        }
        return total;
    }

    /** The learnable blocks, their global edge offsets, a decoder of canonical indices, and π. */
    private static final class Permuted {
        final List<EdgeBlock> blocks = new ArrayList<>();
        final long[] blockStart;
        final float[][] values;   // per block: kernel or matrix
        final long[] period;      // per block: edges per (out, in) kernel pair (convolution), 1 for dense
        final long[][] tapStart;  // per block: first edge of each tap within a period, taps + 1 entries
        final double[] inversePeriod;
        final int[] coarse;       // block holding the first index of each 2^shift-wide range of indices
        final int shift;
        final FeistelPermutation pi;

        Permuted(SignedGraph graph, long seed) {
            for (EdgeBlock b : graph.blocks()) {
                if (b instanceof ConvolutionBlock || b instanceof DenseBlock) {
                    blocks.add(b);
                }
            }
            int n = blocks.size();
            blockStart = new long[n + 1];
            values = new float[n][];
            period = new long[n];
            tapStart = new long[n][];
            long at = 0;
            for (int b = 0; b < n; b++) {
                blockStart[b] = at;
                at += blocks.get(b).edgeCount();
                if (blocks.get(b) instanceof ConvolutionBlock c) {
                    int taps = c.geometry().kernelHeight * c.geometry().kernelWidth;
                    long[] ts = new long[taps + 1];
                    for (int t = 0; t < taps; t++) {
                        ts[t + 1] = ts[t] + PerEdgeConvolutionBlock.canonicalEdges(c, t);
                    }
                    values[b] = c.kernel();
                    tapStart[b] = ts;
                    period[b] = ts[taps];
                } else {
                    values[b] = ((DenseBlock) blocks.get(b)).matrix();
                    period[b] = 1;
                }
            }
            blockStart[n] = at;
            if (at == 0) {
                throw new NnfrustException("null model N2: the graph has no convolution or dense edges to permute");
            }
            pi = new FeistelPermutation(at, seed);
            inversePeriod = new double[n];
            for (int b = 0; b < n; b++) {
                inversePeriod[b] = 1.0 / period[b];
            }
            int sh = 0;
            while ((at - 1) >>> sh >= 4096) {
                sh++;
            }
            shift = sh;
            coarse = new int[(int) ((at - 1) >>> sh) + 1];
            for (int i = 0; i < coarse.length; i++) {
                coarse[i] = searchBlock((long) i << sh);
            }
        }

        /** The original weight of learnable edge {@code k} (global canonical index). */
        float sourceWeight(long k) {
            int b = block(k);
            long local = k - blockStart[b];
            long[] ts = tapStart[b];
            if (ts == null) {
                return values[b][(int) local];
            }
            long pair = (long) (local * inversePeriod[b]), r = local - pair * period[b];
            if (r < 0) { // the floating-point quotient was one too high
                pair--;
                r += period[b];
            } else if (r >= period[b]) {
                pair++;
                r -= period[b];
            }
            int t = 0;
            for (int i = 1; i < ts.length - 1; i++) { // number of taps that end at or before r (branch-free)
                t += ts[i] <= r ? 1 : 0;
            }
            return values[b][(int) (pair * (ts.length - 1) + t)];
        }

        float weightOf(long e) {
            return sourceWeight(pi.inverse(e));
        }

        int block(long k) {
            int b = coarse[(int) (k >>> shift)];
            while (blockStart[b + 1] <= k) {
                b++;
            }
            return b;
        }

        int searchBlock(long k) {
            int lo = 0, hi = blockStart.length - 2; // last block whose start <= k and that holds k
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (blockStart[mid] <= k) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            while (blockStart[lo + 1] <= k) {
                lo++;
            }
            return lo;
        }
    }
}
