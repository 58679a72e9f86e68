package io.nnfrust.frustration;

import io.nnfrust.graph.EdgeVisitor;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.SignedGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Sweeps over groups of mutually non-adjacent nodes. Within a group no two nodes share an edge, so every node's
 * field is unaffected by the others' flips and the whole group may be updated at once. For network graphs the
 * groups are the node sets and a group's fields h = (A s + A^T s) restricted to it come from whole-block
 * products; for other graphs the groups are the colour classes of a greedy colouring and fields are summed
 * node by node.
 */
final class Sweeper {
    private final SpinGlass glass;
    private final double[] s;
    private final double[] h;
    private final boolean parallel;
    private final List<int[]> colourClasses;
    private final int[][] adjacentSets;
    private final boolean[] dirty;
    private int direction = 1;
    double total;
    long flips;

    Sweeper(SpinGlass glass, double[] s, boolean parallel) {
        this.glass = glass;
        this.s = s;
        this.parallel = parallel;
        this.h = new double[s.length];
        this.colourClasses = glass.independentSets() ? null : colour(glass.graph());
        this.adjacentSets = colourClasses == null ? adjacentSets(glass.graph()) : null;
        this.dirty = new boolean[glass.graph().nodeSets().size()];
        Arrays.fill(dirty, true);
        // sum_i s_i (A_u s)_i = 2 s^T A s: one product suffices
        double[] y = new double[s.length];
        glass.multiply(s, y, parallel);
        double t = 0;
        for (int i = 0; i < s.length; i++) {
            t += s[i] * y[i];
        }
        total = 2 * t;
    }

    /**
     * One sweep over all groups. At temperature 0 every node with a negative row sum flips; at T > 0 node i
     * flips with the heat-bath probability 1 / (1 + exp(2 r_i / (T d_i))), d_i its total |weight|.
     *
     * @return flips made in this sweep
     */
    long sweep(double temperature, SplittableRandom random) {
        double[] d = temperature > 0 ? glass.strengths() : null;
        long before = flips;
        if (colourClasses == null) {
            SignedGraph g = glass.graph();
            int sets = g.nodeSets().size();
            for (int step = 0; step < sets; step++) {
                int k = direction > 0 ? step : sets - 1 - step;
                if (temperature <= 0 && !dirty[k]) {
                    continue;
                }
                dirty[k] = false;
                NodeSet set = g.nodeSets().get(k);
                glass.fieldsOfSet(k, s, h, parallel);
                long f = flips;
                for (int i = set.offset(); i < set.end(); i++) {
                    decide(i, temperature, d, random);
                }
                if (flips != f) {
                    for (int a : adjacentSets[k]) {
                        dirty[a] = true;
                    }
                }
            }
            direction = -direction;
        } else {
            SignedGraph g = glass.graph();
            double[] acc = new double[1];
            for (int[] cls : colourClasses) {
                for (int i : cls) {
                    acc[0] = 0;
                    g.forEachInEdge(i, (src, dst, w) -> acc[0] += w * s[src]);
                    g.forEachOutEdge(i, (src, dst, w) -> acc[0] += w * s[dst]);
                    h[i] = acc[0];
                    decide(i, temperature, d, random);
                }
            }
        }
        return flips - before;
    }

    /** True when a zero-temperature sweep could still flip something. */
    boolean anyDirty() {
        if (colourClasses != null) {
            return true;
        }
        for (boolean b : dirty) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** Marks every set for re-examination (after moves made outside {@link #sweep}). */
    void markAllDirty() {
        Arrays.fill(dirty, true);
    }

    /** Node sets joined to each node set by at least one edge. */
    static int[][] adjacentSets(SignedGraph g) {
        int n = g.nodeSets().size();
        List<TreeSet<Integer>> adj = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            adj.add(new TreeSet<>());
        }
        List<List<SignedGraph.PartitionRange>> ranges = g.inputRangesBySet();
        for (int from = 0; from < n; from++) {
            for (SignedGraph.PartitionRange r : ranges.get(from)) {
                int to = g.setOf(r.block().outputOffset());
                adj.get(from).add(to);
                adj.get(to).add(from);
            }
        }
        int[][] out = new int[n][];
        for (int k = 0; k < n; k++) {
            out[k] = adj.get(k).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    private void decide(int i, double temperature, double[] d, SplittableRandom random) {
        double r = s[i] * h[i];
        boolean flip;
        if (temperature <= 0) {
            flip = r < 0;
        } else {
            double x = d[i] > 0 ? r / d[i] : 0;
            flip = random.nextDouble() * (1 + Math.exp(2 * x / temperature)) < 1;
        }
        if (flip) {
            s[i] = -s[i];
            total -= 4 * r;
            flips++;
        }
    }

    /**
     * Zero-temperature descent to a local minimum: layered sweeps while a sweep still flips at least n/100
     * nodes (where whole-layer products pay off: a sweep costs one A·x + Aᵀ·x, about 0.1 s on ResNet-18, the node-by-node
     * tail costs a random-access update per edge of each flipped node; n/100 was the fastest of n/20 ... n/20000 in
     * {@code bench frustration}, docs/performance.md), then the incremental first-in-first-out descent of
     * {@link Algorithm1#descendFirst} for the long tail of scattered flips.
     *
     * @param maxSweeps most layered sweeps (negative: unlimited)
     * @return layered sweeps made
     */
    long descend(long maxSweeps, Trace trace, long sweepOffset) {
        long sweeps = 0;
        markAllDirty();
        long switchBelow = Math.max(1, s.length / Long.getLong("nnfrust.switchDivisor", 100));
        boolean converged = false;
        while ((maxSweeps < 0 || sweeps < maxSweeps) && anyDirty()) {
            long f = sweep(0, null);
            sweeps++;
            if (trace.due(sweepOffset + sweeps)) {
                trace.add(sweepOffset + sweeps, glass.epsilonFromRowSumTotal(total));
            }
            if (f == 0) {
                converged = true;
                break;
            }
            if (f < switchBelow && maxSweeps < 0) {
                break;
            }
        }
        if (!converged && maxSweeps < 0) {
            double[] t = new double[1];
            if (colourClasses == null) {
                // fields of clean sets are exact; refresh the dirty ones, then descend node by node
                for (int k = 0; k < dirty.length; k++) {
                    if (dirty[k]) {
                        glass.fieldsOfSet(k, s, h, parallel);
                    }
                }
                flips += Algorithm1.descendFirst(glass, s, h, Long.MAX_VALUE, t);
            } else {
                flips += Algorithm1.descendFirst(glass, s, Long.MAX_VALUE, parallel, t);
            }
            total = t[0];
            markAllDirty();
        }
        return sweeps;
    }

    /** Greedy colouring in node order; each class is an independent set. */
    static List<int[]> colour(SignedGraph g) {
        int n = g.nodeCount();
        int[] colour = new int[n];
        Arrays.fill(colour, -1);
        int[] mark = new int[16];
        Arrays.fill(mark, -1);
        int colours = 0;
        int[][] used = {mark};
        for (int i = 0; i < n; i++) {
            final int node = i;
            final int[][] u = used;
            EdgeVisitor v = (src, dst, w) -> {
                int j = src == node ? dst : src;
                int c = colour[j];
                if (c >= 0) {
                    if (c >= u[0].length) {
                        int old = u[0].length;
                        u[0] = Arrays.copyOf(u[0], Math.max(2 * old, c + 1));
                        Arrays.fill(u[0], old, u[0].length, -1);
                    }
                    u[0][c] = node;
                }
            };
            g.forEachInEdge(i, v);
            g.forEachOutEdge(i, v);
            int c = 0;
            while (c < used[0].length && used[0][c] == i) {
                c++;
            }
            colour[i] = c;
            colours = Math.max(colours, c + 1);
        }
        int[] count = new int[colours];
        for (int c : colour) {
            count[c]++;
        }
        List<int[]> classes = new ArrayList<>();
        int[][] arr = new int[colours][];
        for (int c = 0; c < colours; c++) {
            arr[c] = new int[count[c]];
        }
        int[] fill = new int[colours];
        for (int i = 0; i < n; i++) {
            arr[colour[i]][fill[colour[i]]++] = i;
        }
        for (int[] a : arr) {
            classes.add(a);
        }
        return classes;
    }
}
