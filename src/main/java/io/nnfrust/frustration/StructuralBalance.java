package io.nnfrust.frustration;

import io.nnfrust.graph.EdgeVisitor;
import io.nnfrust.graph.SignedGraph;

/**
 * Decides structural balance exactly (paper, Methods): a breadth-first search over A_u = A + A^T gives each
 * node the spin that makes every tree edge positive (s_j = sign(w) s_i, the first node of each connected
 * component +1); the graph is balanced iff no edge then stays negative, and the spins are the gauge S with
 * SAS >= 0, unique up to one sign per connected component. O(nodes + edges), stopping at the first frustrated
 * edge, which for real networks comes after a tiny part of the graph.
 */
public final class StructuralBalance {
    private StructuralBalance() {}

    /** The balancing gauge (+1/-1 per node), or null when the graph is not structurally balanced. */
    public static double[] gauge(SignedGraph g) {
        int n = g.nodeCount();
        double[] s = new double[n]; // 0 = unvisited
        int[] queue = new int[n];
        boolean[] conflict = {false};
        for (int root = 0; root < n && !conflict[0]; root++) {
            if (s[root] != 0) {
                continue;
            }
            s[root] = 1;
            int head = 0, tail = 0;
            queue[tail++] = root;
            final int[] t = {tail};
            while (head < t[0] && !conflict[0]) {
                int i = queue[head++];
                double si = s[i];
                EdgeVisitor v = (src, dst, w) -> {
                    int j = src == i ? dst : src;
                    double want = w > 0 ? si : w < 0 ? -si : 0;
                    if (want == 0) {
                        return;
                    }
                    if (s[j] == 0) {
                        s[j] = want;
                        queue[t[0]++] = j;
                    } else if (s[j] != want) {
                        conflict[0] = true;
                    }
                };
                g.forEachInEdge(i, v);
                if (!conflict[0]) {
                    g.forEachOutEdge(i, v);
                }
            }
        }
        if (conflict[0]) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            if (s[i] == 0) {
                s[i] = 1;
            }
        }
        return s;
    }
}
