package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.testing.SmallGraphs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The layered sweeps of the layered and annealing solvers against references written from their definitions:
 * a zero-temperature sweep visits the node sets in order (and in reverse order on the next sweep), computes the
 * fields of a whole set from the current spins and flips every node of the set with a negative row sum; on
 * graphs without independent node sets the groups are the classes of a greedy colouring in node order. At T > 0
 * node i flips with the heat-bath probability 1 / (1 + exp(2 r_i / (T d_i))).
 */
class SweeperReferenceTest {
    static double field(double[][] au, double[] s, int i) {
        double h = 0;
        for (int j = 0; j < s.length; j++) {
            h += au[i][j] * s[j];
        }
        return h;
    }

    /** A reference zero-temperature sweep over node sets in the given order; returns flips. */
    static int referenceSweep(SignedGraph g, double[][] au, double[] s, boolean forward) {
        int sets = g.nodeSets().size(), flips = 0;
        for (int step = 0; step < sets; step++) {
            NodeSet set = g.nodeSets().get(forward ? step : sets - 1 - step);
            double[] r = new double[set.size()];
            for (int i = set.offset(); i < set.end(); i++) {
                r[i - set.offset()] = s[i] * field(au, s, i);
            }
            for (int i = set.offset(); i < set.end(); i++) {
                if (r[i - set.offset()] < 0) {
                    s[i] = -s[i];
                    flips++;
                }
            }
        }
        return flips;
    }

    @Test
    void zeroTemperatureSweepsEqualTheReferenceSweepBySweep() {
        int flipped = 0;
        for (long seed = 1; seed <= 12; seed++) {
            SignedGraph g = SmallGraphs.tinyNetwork(seed);
            SpinGlass glass = new SpinGlass(g);
            assertTrue(glass.independentSets());
            double[][] au = SpinGlassOracleTest.dense(g);
            double[] s = SmallGraphs.randomSpins(g.nodeCount(), new SplittableRandom(seed));
            double[] ref = s.clone();
            Sweeper sw = new Sweeper(glass, s, false);
            for (int k = 0; k < 4; k++) {
                int want = referenceSweep(g, au, ref, k % 2 == 0);
                long got = sw.sweep(0, null);
                assertEquals(want, got, "flips of sweep " + k + ", seed " + seed);
                assertArrayEquals(ref, s, "spins after sweep " + k + ", seed " + seed);
                assertEquals(
                        glass.check(s, false).epsilon(),
                        glass.epsilonFromRowSumTotal(sw.total),
                        1e-12,
                        "tracked total");
                flipped += want;
            }
            // swept to a fixed point: no set is left dirty and another sweep flips nothing
            while (sw.sweep(0, null) > 0) {
                referenceSweep(g, au, ref, true);
            }
            assertFalse(sw.anyDirty(), "a converged network graph has no dirty set");
            assertEquals(0, glass.negativeRowSums(s, false));
        }
        assertTrue(flipped > 20, "sweeps that flip: " + flipped);
    }

    @Test
    void graphsWithoutIndependentSetsAreSweptByGreedyColourClasses() {
        for (long seed = 1; seed <= 10; seed++) {
            SignedGraph g = SmallGraphs.random(12, 0.5, seed);
            SpinGlass glass = new SpinGlass(g);
            assertFalse(glass.independentSets());
            double[][] au = SpinGlassOracleTest.dense(g);
            List<int[]> classes = Sweeper.colour(g);
            // a proper colouring: no edge inside a class, every node in exactly one class, greedy = smallest colour
            int[] colour = new int[12];
            Arrays.fill(colour, -1);
            for (int c = 0; c < classes.size(); c++) {
                for (int i : classes.get(c)) {
                    assertEquals(-1, colour[i]);
                    colour[i] = c;
                }
            }
            for (int i = 0; i < 12; i++) {
                assertTrue(colour[i] >= 0);
                Set<Integer> nb = new HashSet<>();
                for (int j = 0; j < i; j++) {
                    if (au[i][j] != 0 || au[j][i] != 0) {
                        assertNotEquals(colour[i], colour[j], "adjacent " + i + ", " + j);
                        nb.add(colour[j]);
                    }
                }
                int smallest = 0;
                while (nb.contains(smallest)) {
                    smallest++;
                }
                assertEquals(smallest, colour[i], "greedy colour of node " + i);
            }
            double[] s = SmallGraphs.randomSpins(12, new SplittableRandom(seed + 50));
            double[] ref = s.clone();
            Sweeper sw = new Sweeper(glass, s, false);
            sw.sweep(0, null);
            for (int[] cls : classes) {
                for (int i : cls) {
                    if (ref[i] * field(au, ref, i) < 0) {
                        ref[i] = -ref[i];
                    }
                }
            }
            assertArrayEquals(ref, s, "seed " + seed);
            assertTrue(sw.anyDirty(), "colour-class sweeps keep no dirty flags");
        }
    }

    @Test
    void heatBathFlipsWithTheDocumentedProbability() {
        // node 0 of a two-node graph (its own colour class, decided first): r_0 = w s_0 s_1, d_0 = |w|
        for (double[] c : new double[][] {{0.3, 1.0}, {-0.3, 0.5}, {0.3, 0.25}, {-2.0, 4.0}}) {
            double w = c[0], t = c[1];
            SignedGraph g = new SignedGraph(
                    List.of(new NodeSet(0, "n", "Graph", 0, 2, 1, 1)),
                    List.of(new SparseBlock(
                            "e",
                            PlaneLayout.contiguous(0, 2, 1, 1),
                            0,
                            2,
                            new int[] {0},
                            new int[] {0},
                            new int[] {1},
                            new double[] {w})));
            SpinGlass glass = new SpinGlass(g);
            double p = 1 / (1 + Math.exp(2 * Math.signum(w) / t)); // r/d = sign(w) with both spins +1
            int trials = 40000, flips = 0;
            SplittableRandom r = new SplittableRandom(7);
            for (int k = 0; k < trials; k++) {
                double[] s = {1, 1};
                new Sweeper(glass, s, false).sweep(t, r);
                flips += s[0] < 0 ? 1 : 0;
            }
            double f = flips / (double) trials, sd = Math.sqrt(p * (1 - p) / trials);
            assertEquals(p, f, 5 * sd + 1e-9, "w " + w + ", T " + t);
        }
    }

    @Test
    void descentEndsInALocalMinimumWithAnExactTotal() {
        for (long seed = 1; seed <= 8; seed++) {
            for (SignedGraph g : new SignedGraph[] {SmallGraphs.tinyNetwork(seed), SmallGraphs.random(15, 0.4, seed)}) {
                SpinGlass glass = new SpinGlass(g);
                double[] s = SmallGraphs.randomSpins(g.nodeCount(), new SplittableRandom(seed));
                Sweeper sw = new Sweeper(glass, s, false);
                List<Double> trace = new ArrayList<>();
                sw.descend(-1, new Trace(0), 0);
                assertEquals(0, glass.negativeRowSums(s, false), "seed " + seed);
                assertEquals(glass.check(s, false).epsilon(), glass.epsilonFromRowSumTotal(sw.total), 1e-12);
                // a bounded descent stops after its sweeps
                double[] s2 = SmallGraphs.randomSpins(g.nodeCount(), new SplittableRandom(seed));
                Sweeper one = new Sweeper(glass, s2, false);
                assertTrue(one.descend(1, new Trace(0), 0) <= 1);
                trace.add(0.0);
            }
        }
    }

    @Test
    void descentCountsItsSweepsAndTracesEachOne() {
        for (long seed = 1; seed <= 6; seed++) {
            SignedGraph g = SmallGraphs.tinyNetwork(seed);
            SpinGlass glass = new SpinGlass(g);
            double[] s = SmallGraphs.randomSpins(g.nodeCount(), new SplittableRandom(seed));
            Sweeper sw = new Sweeper(glass, s, false);
            Trace trace = new Trace(1);
            long sweeps = sw.descend(-1, trace, 0);
            assertTrue(sweeps >= 1);
            double[] t = trace.toArray();
            assertEquals(2 * sweeps, t.length, "one trace point per layered sweep");
            for (int k = 0; k < sweeps; k++) {
                assertEquals(k + 1, t[2 * k], 0.0, "sweep number");
            }
            // from a local minimum: one sweep that flips nothing, and no flip
            long before = sw.flips;
            assertEquals(1, new Sweeper(glass, s, false).descend(-1, new Trace(0), 0));
            assertEquals(before, sw.flips);
            // an offset shifts the trace's sweep numbers
            Trace shifted = new Trace(1);
            new Sweeper(glass, SmallGraphs.randomSpins(g.nodeCount(), new SplittableRandom(seed)), false)
                    .descend(-1, shifted, 100);
            assertEquals(101, shifted.toArray()[0], 0.0);
        }
    }
}
