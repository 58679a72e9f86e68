package io.nnfrust.frustration;

import io.nnfrust.graph.EdgeVisitor;
import io.nnfrust.graph.SignedGraph;
import java.util.SplittableRandom;

/**
 * Algorithm 1 of the paper's SI B, as stated: A_u = A + A^T; S = I with nu random single-spin flips; then
 * repeatedly flip the node whose row sum of S A_u S is most negative (ties: lowest node index) until no row sum
 * is negative or M flips were made. Each flip updates only the row sums of the node's neighbours, enumerated
 * from the matrix-free edge blocks. With {@link Pick#FIRST} any node with a negative row sum is flipped (the
 * "optionally" of the pseudocode): nodes are taken first-in first-out from a queue of candidates.
 *
 * <p>Cost per flip: O(deg · log n) for {@link Pick#MOST_NEGATIVE} (a tournament tree over the row sums, whose
 * updates stop as soon as a subtree's winner is unchanged), O(deg) for {@link Pick#FIRST}. Memory: 2 doubles
 * and one int per node.
 */
public final class Algorithm1 implements FrustrationSolver {
    /** Which negative node to flip. */
    public enum Pick {
        MOST_NEGATIVE,
        FIRST
    }

    private final Pick pick;

    public Algorithm1(Pick pick) {
        this.pick = pick;
    }

    @Override
    public String name() {
        return pick == Pick.MOST_NEGATIVE ? "algorithm1" : "algorithm1-first";
    }

    @Override
    public RestartResult solve(SpinGlass glass, SplittableRandom random, SolverOptions options) {
        long t0 = System.nanoTime();
        SignedGraph g = glass.graph();
        int n = glass.nodeCount();
        double[] s = glass.initialSpins(options.initialFlips(), random);
        double[] r = new double[n];
        glass.fields(s, r, options.parallel());
        double total = 0;
        for (int i = 0; i < n; i++) {
            r[i] *= s[i];
            total += r[i];
        }
        Updater up = new Updater(s, r);
        MinTree tree = pick == Pick.MOST_NEGATIVE ? new MinTree(r) : null;
        IntQueue queue = null;
        if (tree != null) {
            up.tree = tree;
        } else {
            queue = new IntQueue(n);
            for (int i = 0; i < n; i++) {
                if (r[i] < 0) {
                    queue.offer(i);
                }
            }
            up.queue = queue;
        }
        long limit = options.maxIterations() < 0 ? Long.MAX_VALUE : options.maxIterations();
        long flips = 0;
        Trace trace = new Trace(options.traceEvery());
        trace.add(0, glass.epsilonFromRowSumTotal(total));
        while (flips < limit) {
            int i;
            if (tree != null) {
                i = tree.top();
                if (r[i] >= 0) {
                    break;
                }
            } else {
                i = -1;
                while (!queue.isEmpty()) {
                    int c = queue.poll();
                    if (r[c] < 0) {
                        i = c;
                        break;
                    }
                }
                if (i < 0) {
                    break;
                }
            }
            total -= 4 * r[i];
            s[i] = -s[i];
            r[i] = -r[i];
            if (tree != null) {
                tree.update(i);
            }
            up.spin = s[i];
            g.forEachInEdge(i, up.in);
            g.forEachOutEdge(i, up.out);
            flips++;
            if (trace.due(flips)) {
                trace.add(flips, glass.epsilonFromRowSumTotal(total));
            }
        }
        trace.add(flips, glass.epsilonFromRowSumTotal(total));
        return glass.finish(s, total, flips, flips, t0, trace, options.parallel());
    }

    /**
     * Greedy descent from the spins {@code s} (modified in place), flipping any node with a negative row sum,
     * first in first out, until none is left or {@code limit} flips were made. Returns the flips made; the
     * row-sum total after the descent is in {@code totalOut[0]}.
     */
    static long descendFirst(SpinGlass glass, double[] s, long limit, boolean parallel, double[] totalOut) {
        double[] r = new double[s.length];
        glass.fields(s, r, parallel);
        return descendFirst(glass, s, r, limit, totalOut);
    }

    /** As above, from the current fields {@code r} = A_u s (overwritten with the row sums). */
    static long descendFirst(SpinGlass glass, double[] s, double[] r, long limit, double[] totalOut) {
        int n = s.length;
        double total = 0;
        IntQueue queue = new IntQueue(n);
        for (int i = 0; i < n; i++) {
            r[i] *= s[i];
            total += r[i];
            if (r[i] < 0) {
                queue.offer(i);
            }
        }
        Updater up = new Updater(s, r);
        up.queue = queue;
        SignedGraph g = glass.graph();
        long flips = 0;
        while (flips < limit && !queue.isEmpty()) {
            int i = queue.poll();
            if (r[i] >= 0) {
                continue;
            }
            total -= 4 * r[i];
            s[i] = -s[i];
            r[i] = -r[i];
            up.spin = s[i];
            g.forEachInEdge(i, up.in);
            g.forEachOutEdge(i, up.out);
            flips++;
        }
        totalOut[0] = total;
        return flips;
    }

    /** Applies r_j += 2 s_j w s_i to every neighbour j of the flipped node i. */
    private static final class Updater {
        final double[] s, r;
        MinTree tree;
        IntQueue queue;
        double spin;
        final EdgeVisitor in = (src, dst, w) -> touch(src, w);
        final EdgeVisitor out = (src, dst, w) -> touch(dst, w);

        Updater(double[] s, double[] r) {
            this.s = s;
            this.r = r;
        }

        void touch(int j, double w) {
            double before = r[j];
            double after = before + 2 * s[j] * w * spin;
            r[j] = after;
            if (tree != null) {
                tree.update(j);
            } else if (after < 0 && before >= 0) {
                queue.offer(j);
            }
        }
    }

    /** Tournament tree over values v: top() is the index of the smallest value, lowest index on ties. */
    static final class MinTree {
        private final double[] v;
        private final int size;
        private final int[] win;

        MinTree(double[] v) {
            this.v = v;
            int s = 1;
            while (s < v.length) {
                s <<= 1;
            }
            size = s;
            win = new int[2 * s];
            for (int i = 0; i < s; i++) {
                win[s + i] = i < v.length ? i : -1;
            }
            for (int k = s - 1; k >= 1; k--) {
                win[k] = better(win[2 * k], win[2 * k + 1]);
            }
        }

        private int better(int a, int b) {
            if (a < 0) {
                return b;
            }
            if (b < 0) {
                return a;
            }
            return v[b] < v[a] ? b : a; // a is from the left subtree: lower index wins ties
        }

        int top() {
            return win[1];
        }

        /** Call after v[i] changed. */
        void update(int i) {
            for (int k = (size + i) >> 1; k >= 1; k >>= 1) {
                int old = win[k];
                int now = better(win[2 * k], win[2 * k + 1]);
                win[k] = now;
                if (now == old && old != i) {
                    return;
                }
            }
        }
    }

    /** FIFO of node indices, each at most once. */
    static final class IntQueue {
        private final int[] ring;
        private final boolean[] queued;
        private int head, size;

        IntQueue(int n) {
            ring = new int[n];
            queued = new boolean[n];
        }

        void offer(int i) {
            if (!queued[i]) {
                queued[i] = true;
                ring[(head + size) % ring.length] = i;
                size++;
            }
        }

        int poll() {
            int i = ring[head];
            head = (head + 1) % ring.length;
            size--;
            queued[i] = false;
            return i;
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
