package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.RandomNetworks;
import io.nnfrust.testing.SmallGraphs;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SpinGlass}'s from-scratch quantities against a dense A_u = A + Aᵀ built from the edge list: e(s), the
 * number of negative row sums (with the rounding allowance), node strengths, the masked |A| total and the masked
 * initial spins (the paper's ν flips drawn among the active nodes only).
 */
class SpinGlassOracleTest {
    static double[][] dense(SignedGraph g) {
        int n = g.nodeCount();
        double[][] au = new double[n][n];
        g.forEachEdge((s, t, w) -> {
            au[s][t] += w;
            au[t][s] += w;
        });
        return au;
    }

    @Test
    void epsilonRowSumsAndStrengthsEqualTheDenseMatrix() {
        for (long seed = 1; seed <= 20; seed++) {
            SignedGraph g = seed % 2 == 0 ? SmallGraphs.tinyNetwork(seed) : SmallGraphs.random(14, 0.5, seed);
            SpinGlass glass = new SpinGlass(g);
            double[][] au = dense(g);
            int n = g.nodeCount();
            double abs = 0;
            double[] strength = new double[n]; // total |weight| of the edges at each node
            g.forEachEdge((a, b, w) -> {
                strength[a] += Math.abs(w);
                strength[b] += Math.abs(w);
            });
            double[] edgeAbs = {0};
            g.forEachEdge((s, t, w) -> edgeAbs[0] += Math.abs(w));
            abs = edgeAbs[0];
            assertEquals(abs, glass.absWeightSum(), 1e-12 * abs);
            assertArrayEquals(strength, glass.strengths(), 1e-12);
            SplittableRandom r = new SplittableRandom(seed);
            for (int trial = 0; trial < 5; trial++) {
                double[] s = SmallGraphs.randomSpins(n, r);
                int negative = 0;
                double frustrated = 0;
                for (int i = 0; i < n; i++) {
                    double row = 0;
                    for (int j = 0; j < n; j++) {
                        row += au[i][j] * s[j];
                    }
                    negative += s[i] * row < -1e-9 * strength[i] ? 1 : 0;
                }
                double[] f = {0};
                g.forEachEdge((a, b, w) -> f[0] += s[a] * w * s[b] < 0 ? Math.abs(w) : 0);
                frustrated = f[0];
                SpinGlass.Check c = glass.check(s, trial % 2 == 0);
                assertEquals(negative, c.negativeRowSums(), "seed " + seed);
                assertEquals(negative, glass.negativeRowSums(s, false));
                assertEquals(frustrated / abs, c.epsilon(), 1e-12, "seed " + seed);
                assertEquals(frustrated / abs, glass.epsilon(s, false), 1e-12);
            }
        }
    }

    /**
     * A masked glass computes its products only on the partitions (channel planes) that hold an active node; at every
     * active node its fields — whole graph and set by set, into an h that holds garbage — must equal the explicit
     * induced subgraph's. The masks switch whole planes off (so partitions are really skipped) and single nodes.
     */
    @Test
    void maskedFieldsEqualTheInducedSubgraphAtEveryActiveNode() {
        for (long seed = 1; seed <= 6; seed++) {
            SignedGraph g = OnnxImporter.importModel(
                            RandomNetworks.build(seed, false), "r", "r", "-", ImportOptions.DEFAULT)
                    .graph();
            SplittableRandom r = new SplittableRandom(seed);
            int n = g.nodeCount();
            double[] mask = new double[n];
            Arrays.fill(mask, 1);
            for (EdgeBlock b : g.blocks()) { // switch off whole output planes of some blocks
                int parts = b.outputPartitions(), size = b.outputCount() / parts;
                for (int p = 0; p < parts; p++) {
                    if (r.nextInt(3) == 0) {
                        Arrays.fill(mask, b.outputOffset() + p * size, b.outputOffset() + (p + 1) * size, 0);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (r.nextInt(5) == 0) {
                    mask[i] = 0;
                }
            }
            SpinGlass glass = new SpinGlass(g, mask);
            double[] spins = glass.initialSpins(n, r);
            double[] want = new double[n];
            g.forEachEdge((a, b, w) -> {
                if (mask[a] == 1 && mask[b] == 1) {
                    want[a] += w * spins[b];
                    want[b] += w * spins[a];
                }
            });
            double[] h = new double[n];
            Arrays.fill(h, 7.5); // garbage: fields must overwrite it
            glass.fields(spins, h, seed % 2 == 0);
            double[] hSets = new double[n];
            Arrays.fill(hSets, -3.25);
            for (int k = 0; k < g.nodeSets().size(); k++) {
                glass.fieldsOfSet(k, spins, hSets, seed % 2 == 1);
            }
            for (int i = 0; i < n; i++) {
                if (mask[i] == 1) {
                    assertEquals(want[i], h[i], 1e-9, "fields, node " + i + " of network " + seed);
                    assertEquals(want[i], hSets[i], 1e-9, "fieldsOfSet, node " + i + " of network " + seed);
                }
            }
            // and the frustration of the masked glass is the induced subgraph's
            double[] frustrated = {0}, total = {0};
            g.forEachEdge((a, b, w) -> {
                if (mask[a] == 1 && mask[b] == 1) {
                    total[0] += Math.abs(w);
                    if (spins[a] * w * spins[b] < 0) {
                        frustrated[0] += Math.abs(w);
                    }
                }
            });
            assertEquals(frustrated[0] / total[0], glass.epsilon(spins, true), 1e-9);
        }
    }

    @Test
    void aRowSumNegativeOnlyByRoundingIsNotCounted() {
        // a path 0 -(1)- 1 -(1 + 1e-13)- 2 -(5)- 3 with spins (1, 1, -1, -1): node 1's row sum is
        // 1 - (1 + 1e-13) = -1e-13, far inside the allowance of 1e-9 of its strength; every other row sum is positive
        int[] s = {0, 2, 2}, t = {1, 1, 3};
        double[] w = {1, 1 + 1e-13, 5};
        SignedGraph g = new SignedGraph(
                List.of(new NodeSet(0, "n", "Graph", 0, 4, 1, 1)),
                List.of(new SparseBlock("t", PlaneLayout.contiguous(0, 4, 1, 1), 0, 4, s, s, t, w)));
        SpinGlass glass = new SpinGlass(g);
        assertEquals(0, glass.negativeRowSums(new double[] {1, 1, -1, -1}, false));
        // flipping node 3 makes nodes 2 and 3 clearly negative
        assertEquals(2, glass.negativeRowSums(new double[] {1, 1, -1, 1}, false));
    }

    @Test
    void maskedGlassDrawsItsFlipsAmongActiveNodesOnly() {
        SignedGraph g = SmallGraphs.random(12, 0.6, 3);
        double[] mask = new double[12];
        for (int i = 0; i < 12; i += 3) {
            mask[i] = 1;
            mask[i + 1] = 1;
        }
        SpinGlass glass = new SpinGlass(g, mask);
        double[] s = glass.initialSpins(25, new SplittableRandom(9));
        SplittableRandom ref = new SplittableRandom(9);
        int[] active = {0, 1, 3, 4, 6, 7, 9, 10};
        double[] want = mask.clone();
        for (int k = 0; k < 25; k++) {
            int i = active[ref.nextInt(active.length)];
            want[i] = -want[i];
        }
        assertArrayEquals(want, s);
        for (int i = 2; i < 12; i += 3) {
            assertEquals(0, s[i], "inactive node " + i + " has no spin");
        }
        // the masked total is the sum over edges between two active nodes
        double[] abs = {0};
        g.forEachEdge((a, b, w) -> abs[0] += mask[a] * mask[b] * Math.abs(w));
        assertEquals(abs[0], glass.absWeightSum(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new SpinGlass(g, new double[3]));
        double[] half = mask.clone();
        half[0] = 0.5;
        assertThrows(IllegalArgumentException.class, () -> new SpinGlass(g, half));
        assertThrows(NnfrustException.class, () -> new SpinGlass(g, new double[12]), "no edge left");
    }

    @Test
    void independentSetsTellNetworksFromGraphsWithEdgesInsideASet() {
        assertTrue(new SpinGlass(SmallGraphs.tinyNetwork(2)).independentSets());
        assertFalse(new SpinGlass(SmallGraphs.random(8, 0.8, 2)).independentSets());
    }

    @Test
    void unmaskedInitialSpinsAreTheIdentityWithNuFlips() {
        double[] s = SpinGlass.initialSpins(5, 0, new SplittableRandom(1));
        assertArrayEquals(new double[] {1, 1, 1, 1, 1}, s);
        double[] t = SpinGlass.initialSpins(5, 3, new SplittableRandom(4));
        SplittableRandom r = new SplittableRandom(4);
        double[] want = {1, 1, 1, 1, 1};
        for (int k = 0; k < 3; k++) {
            int i = r.nextInt(5);
            want[i] = -want[i];
        }
        assertArrayEquals(want, t);
        assertTrue(Arrays.stream(new SpinGlass(SmallGraphs.tinyNetwork(1)).initialSpins(7, new SplittableRandom(2)))
                .allMatch(v -> v == 1 || v == -1));
    }
}
