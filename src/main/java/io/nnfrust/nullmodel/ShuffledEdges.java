package io.nnfrust.nullmodel;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.EdgeWeights;
import io.nnfrust.graph.PerEdgeConvolutionBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.FeistelPermutation;
import io.nnfrust.util.NnfrustException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * float store per block (4 bytes per learnable edge: 1.4 GB for the real SqueezeNet, 6.7 GB for ResNet-18; on the
 * heap, or for convolutions off-heap in a memory-mapped temporary file, see {@link Storage}; where is a parameter,
 * {@link N2Storage}) by
 * walking the target edges in order and gathering each one's weight through π⁻¹: the source entry of a canonical
 * index is found arithmetically (a convolution's edges repeat with period Σ_taps(valid positions) per kernel
 * (out, in) pair), so the cost is one Feistel inverse plus a few table reads per edge and the writes are
 * sequential. Target ranges run in parallel and the result is a pure function of the seed, independent of the
 * number of threads.
 */
public final class ShuffledEdges implements NullModel {
    /** Source edges per parallel scatter task. */
    private static final long CHUNK = 1 << 22;

    /** Where the networks this instance draws keep their convolution weights. */
    private final N2Storage policy;

    /** N2 with the {@link N2Storage#DEFAULT} storage (auto, in java.io.tmpdir). */
    public ShuffledEdges() {
        this(N2Storage.DEFAULT);
    }

    /** N2 whose networks keep their convolution weights as {@code policy} decides, per draw. */
    public ShuffledEdges(N2Storage policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    @Override
    public String name() {
        return "N2";
    }

    /** Where N2's per-edge convolution weights live (dense blocks always stay on the heap). */
    public enum Storage {
        /** float arrays on the Java heap: 4 bytes of heap per convolution edge. */
        HEAP,
        /** a memory-mapped temporary file ({@link EdgeWeights#mapped}): 4 bytes of page cache per edge, no heap. */
        MAPPED
    }

    /** Number of convolution edges (the part of N2 that {@link Storage#MAPPED} moves off the heap). */
    public static long convolutionEdges(SignedGraph graph) {
        long total = 0;
        for (EdgeBlock b : graph.blocks()) {
            if (b instanceof ConvolutionBlock) {
                total += b.edgeCount();
            }
        }
        return total;
    }

    @Override
    public SignedGraph apply(SignedGraph graph, long seed) {
        return apply(graph, seed, policy.storageFor(graph, 1));
    }

    /** The N2 network with its convolution weights in {@code storage}; {@link #release} frees mapped ones early. */
    public SignedGraph apply(SignedGraph graph, long seed, Storage storage) {
        Permuted p = new Permuted(graph, seed);
        int blocks = p.blocks.size();
        long[] sizes = new long[blocks];
        for (int b = 0; b < blocks; b++) {
            long count = p.blocks.get(b).edgeCount();
            if (count > Integer.MAX_VALUE - 8) {
                throw new NnfrustException("null model N2: block "
                        + p.blocks.get(b).name() + " has " + count + " edges, more than one Java array holds");
            }
            sizes[b] = count;
        }
        // convolutions in the chosen storage, dense blocks on the heap
        FloatBuffer[] target = new FloatBuffer[blocks];
        EdgeWeights[] stores = new EdgeWeights[blocks];
        float[][] dense = new float[blocks][];
        List<Integer> conv = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            if (p.blocks.get(b) instanceof ConvolutionBlock) {
                conv.add(b);
            } else {
                dense[b] = new float[(int) sizes[b]];
                target[b] = FloatBuffer.wrap(dense[b]);
            }
        }
        if (storage == Storage.MAPPED) {
            long[] convSizes = conv.stream().mapToLong(b -> sizes[b]).toArray();
            for (long n : convSizes) {
                if (n > EdgeWeights.MAX_MAPPED) {
                    throw new NnfrustException("null model N2: a convolution with " + n + " edges does not fit one "
                            + "memory mapping (at most " + EdgeWeights.MAX_MAPPED + "); use -Dnnfrust.n2.storage=heap");
                }
            }
            EdgeWeights[] mapped;
            try {
                mapped = EdgeWeights.mapped(policy.mappedDir(), convSizes);
            } catch (UncheckedIOException e) {
                throw new NnfrustException("null model N2: " + e.getMessage() + "; free space there or choose another "
                        + "folder with -Dnnfrust.n2.dir=DIR");
            }
            for (int i = 0; i < conv.size(); i++) {
                stores[conv.get(i)] = mapped[i];
            }
        } else {
            for (int b : conv) {
                stores[b] = EdgeWeights.heap(new float[(int) sizes[b]]);
            }
        }
        for (int b : conv) {
            target[b] = stores[b].buffer();
        }
        List<long[]> tasks = new ArrayList<>(); // {block, first local edge, end}
        for (int b = 0; b < blocks; b++) {
            for (long from = 0; from < sizes[b]; from += CHUNK) {
                tasks.add(new long[] {b, from, Math.min(sizes[b], from + CHUNK)});
            }
        }
        IntStream.range(0, tasks.size()).parallel().forEach(t -> {
            long[] task = tasks.get(t);
            FloatBuffer w = target[(int) task[0]];
            long base = p.blockStart[(int) task[0]];
            for (int e = (int) task[1]; e < task[2]; e++) {
                w.put(e, p.sourceWeight(p.pi.inverse(base + e)));
            }
        });
        List<EdgeBlock> out = new ArrayList<>(graph.blocks().size());
        int b = 0;
        for (EdgeBlock block : graph.blocks()) {
            if (block instanceof ConvolutionBlock c) {
                out.add(new PerEdgeConvolutionBlock(c, stores[b++], 0));
            } else if (block instanceof DenseBlock d) {
                out.add(d.withMatrix(dense[b++]));
            } else {
                out.add(block);
            }
        }
        return new SignedGraph(graph.nodeSets(), out);
    }

    /**
     * Frees the per-edge weights of an N2 network at once (mapped ones are unmapped, their file space returned);
     * the network must not be used afterwards. Other graphs are left alone.
     */
    @Override
    public void release(SignedGraph n2) {
        for (EdgeBlock b : n2.blocks()) {
            if (b instanceof PerEdgeConvolutionBlock pe) {
                pe.store().release();
            }
        }
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

    /** Most entries of the coarse block index: the finest power-of-two ranges of edge indices that fit. */
    static final int COARSE_MAX = 4096;

    /**
     * ⌊local / period⌋ for 0 ≤ local &lt; 2⁵³ and period ≥ 1, from one multiplication by the rounded
     * {@code inverse = 1.0 / period} instead of a long division; the rounded quotient can be one off either way,
     * which one comparison each way corrects.
     */
    static long quotient(long local, long period, double inverse) {
        long q = (long) (local * inverse), r = local - q * period;
        if (r < 0) { // the floating-point quotient was one too high
            q--;
        } else if (r >= period) { // one too low
            q++;
        }
        return q;
    }

    /** The learnable blocks, their global edge offsets, a decoder of canonical indices, and π. */
    static final class Permuted {
        final List<EdgeBlock> blocks = new ArrayList<>();
        final long[] blockStart;
        final float[][] values; // per block: kernel or matrix
        final long[] period; // per block: edges per (out, in) kernel pair (convolution), 1 for dense
        final long[][] tapStart; // per block: first edge of each tap within a period, taps + 1 entries
        final double[] inversePeriod;
        final int[] coarse; // block holding the first index of each 2^shift-wide range (≤ COARSE_MAX entries)
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
            while ((at - 1) >>> sh >= COARSE_MAX) {
                sh++;
            }
            shift = sh;
            coarse = new int[(int) ((at - 1) >>> sh) + 1];
            int b = 0; // one forward sweep: blocks and range starts both ascend
            for (int i = 0; i < coarse.length; i++) {
                long k = (long) i << sh;
                while (blockStart[b + 1] <= k) {
                    b++;
                }
                coarse[i] = b;
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
            long pair = quotient(local, period[b], inversePeriod[b]), r = local - pair * period[b];
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
    }
}
