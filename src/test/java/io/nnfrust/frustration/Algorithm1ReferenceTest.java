package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.graph.WindowGeometry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Algorithm 1 (paper SI B) against a naive reference written from the pseudocode alone: a dense A_u = A + Aᵀ
 * built from the edge list, S = I with ν uniform single-spin flips, then every step rescans all row sums of
 * S A_u S and flips the most negative one, lowest index on ties, until none is negative. Compared flip by flip:
 * the spins after every prefix of m flips (algorithm1 stopped with M = m) and the flip count. The graphs are
 * full of ties (pooling edges of one weight, ±1 and ±½ weights) and all weights are dyadic, so every row sum is
 * exact in double whatever the order of summation: a tie is a tie for both implementations.
 */
@Timeout(60)
class Algorithm1ReferenceTest {
    /** The naive reference; {@code order} receives the flipped nodes, {@code ties} counts picks among equals. */
    static double[] reference(SignedGraph g, long nu, SplittableRandom random, List<Integer> order, int[] ties) {
        int n = g.nodeCount();
        double[][] au = SpinGlassOracleTest.dense(g);
        double[] s = new double[n];
        Arrays.fill(s, 1);
        for (long k = 0; k < nu; k++) {
            int i = random.nextInt(n);
            s[i] = -s[i];
        }
        while (true) {
            int best = -1;
            double min = 0;
            int equal = 0;
            for (int i = 0; i < n; i++) {
                double r = 0;
                for (int j = 0; j < n; j++) {
                    r += au[i][j] * s[j];
                }
                r *= s[i];
                if (r < min) {
                    min = r;
                    best = i;
                    equal = 1;
                } else if (r == min && best >= 0) {
                    equal++;
                }
            }
            if (best < 0) {
                return s;
            }
            if (equal > 1) {
                ties[0]++;
            }
            s[best] = -s[best];
            order.add(best);
        }
    }

    /** input 1x4x4 -> conv 2x2 to 2 channels (±1) -> max pool 2x2 stride 1 (weight ¼) -> dense 3 (±1, ±½). */
    static SignedGraph dyadicNetwork(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] k = new float[2 * 2 * 2];
        for (int i = 0; i < k.length; i++) {
            k[i] = r.nextBoolean() ? 1f : -1f;
        }
        float[] d = new float[3 * 8];
        for (int i = 0; i < d.length; i++) {
            d[i] = (r.nextBoolean() ? 1f : -1f) * (r.nextBoolean() ? 1f : 0.5f);
        }
        List<NodeSet> sets = List.of(
                new NodeSet(0, "x", "Input", 0, 1, 4, 4),
                new NodeSet(1, "conv", "Conv", 16, 2, 3, 3),
                new NodeSet(2, "pool", "MaxPool", 34, 2, 2, 2),
                new NodeSet(3, "fc", "Gemm", 42, 3, 1, 1));
        return new SignedGraph(
                sets,
                List.of(
                        new ConvolutionBlock(
                                "conv",
                                PlaneLayout.contiguous(0, 1, 4, 4),
                                16,
                                2,
                                1,
                                new WindowGeometry(4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 0, 0),
                                k),
                        new PoolingBlock(
                                "pool",
                                PlaneLayout.contiguous(16, 2, 3, 3),
                                34,
                                new WindowGeometry(3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0),
                                0.25,
                                true),
                        new DenseBlock("fc", PlaneLayout.contiguous(34, 2, 2, 2), 42, 3, d)));
    }

    /** A random graph with ±1 weights on n nodes. */
    static SignedGraph plusMinusOne(int n, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> e = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (r.nextDouble() < p) {
                    e.add(new int[] {i, j, r.nextBoolean() ? 1 : -1});
                }
            }
        }
        int m = e.size();
        int[] s = new int[m], t = new int[m];
        double[] w = new double[m];
        for (int k = 0; k < m; k++) {
            s[k] = e.get(k)[0];
            t[k] = e.get(k)[1];
            w[k] = e.get(k)[2];
        }
        return new SignedGraph(
                List.of(new NodeSet(0, "n", "Graph", 0, n, 1, 1)),
                List.of(new SparseBlock("pm1", PlaneLayout.contiguous(0, n, 1, 1), 0, n, s, s, t, w)));
    }

    static List<SignedGraph> graphs() {
        List<SignedGraph> g = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            g.add(dyadicNetwork(seed));
            g.add(plusMinusOne(10 + (int) seed, 0.4, seed));
        }
        return g;
    }

    @Test
    void algorithm1EqualsTheNaiveReferenceFlipByFlip() {
        int totalTies = 0, graphIndex = 0, compared = 0;
        // the solver the command line runs as --solver algorithm1
        FrustrationSolver a1 = Solvers.byName("algorithm1");
        for (SignedGraph g : graphs()) {
            graphIndex++;
            SpinGlass glass = new SpinGlass(g);
            for (long nu : new long[] {0, 3, 40}) {
                long seed = 1000L * graphIndex + nu;
                List<Integer> order = new ArrayList<>();
                int[] ties = {0};
                double[] ref = reference(g, nu, new SplittableRandom(seed), order, ties);
                totalTies += ties[0];
                RestartResult full =
                        a1.solve(glass, new SplittableRandom(seed), SolverOptions.DEFAULT.withInitialFlips(nu));
                assertEquals(order.size(), full.flips(), "flip count, graph " + graphIndex + ", nu " + nu);
                assertArrayEquals(ref, full.spins(), "final spins, graph " + graphIndex + ", nu " + nu);
                // the order: after every prefix of m flips the spins are those of the reference after m flips
                double[] s = SpinGlass.initialSpins(g.nodeCount(), nu, new SplittableRandom(seed));
                for (int m = 0; m <= order.size(); m++) {
                    RestartResult part = a1.solve(
                            glass, new SplittableRandom(seed), new SolverOptions(nu, m, 40, 0.5, 0.02, false, 0));
                    assertArrayEquals(
                            s, part.spins(), "spins after " + m + " flips, graph " + graphIndex + ", nu " + nu);
                    if (m < order.size()) {
                        s[order.get(m)] = -s[order.get(m)];
                    }
                    compared++;
                }
            }
        }
        assertTrue(totalTies >= 20, "the graphs must exercise the tie rule: " + totalTies + " tied picks");
        assertTrue(compared > 200, "prefixes compared: " + compared);
    }

    @Test
    void theFirstInFirstOutPickIsAnotherAlgorithm() {
        // algorithm1 flips the most negative row sum first; algorithm1-first the lowest-index negative one. Where
        // the two differ, one flip (M = 1) tells them apart, and the descents end in different local minima often.
        FrustrationSolver most = Solvers.byName("algorithm1"), first = Solvers.byName("algorithm1-first");
        int differ = 0, runs = 0, firstFlipsDiffer = 0;
        for (SignedGraph g : graphs()) {
            SpinGlass glass = new SpinGlass(g);
            int n = g.nodeCount();
            double[][] au = SpinGlassOracleTest.dense(g);
            for (long seed = 1; seed <= 3; seed++) {
                double[] s0 = SpinGlass.initialSpins(n, 30, new SplittableRandom(seed));
                int lowest = -1, mostNeg = -1;
                double min = 0;
                for (int i = 0; i < n; i++) {
                    double r = row(au, s0, i);
                    if (r < 0 && lowest < 0) {
                        lowest = i;
                    }
                    if (r < min) {
                        min = r;
                        mostNeg = i;
                    }
                }
                SolverOptions one = new SolverOptions(30, 1, 40, 0.5, 0.02, false, 0);
                if (lowest >= 0) {
                    double[] a1 =
                            most.solve(glass, new SplittableRandom(seed), one).spins();
                    double[] f1 =
                            first.solve(glass, new SplittableRandom(seed), one).spins();
                    assertEquals(-s0[mostNeg], a1[mostNeg], "algorithm1 flips the most negative node first");
                    assertEquals(-s0[lowest], f1[lowest], "algorithm1-first flips the first negative node first");
                    if (lowest != mostNeg) {
                        firstFlipsDiffer++;
                        assertFalse(Arrays.equals(a1, f1));
                    }
                }
                SolverOptions o = SolverOptions.DEFAULT.withInitialFlips(30);
                RestartResult a = most.solve(glass, new SplittableRandom(seed), o);
                RestartResult b = first.solve(glass, new SplittableRandom(seed), o);
                assertTrue(b.localMinimum() && a.localMinimum());
                runs++;
                if (a.flips() != b.flips() || !Arrays.equals(a.spins(), b.spins())) {
                    differ++;
                }
            }
        }
        assertTrue(firstFlipsDiffer >= 10, "graphs where the two picks differ at once: " + firstFlipsDiffer);
        assertTrue(differ >= runs / 4, "algorithm1 and algorithm1-first end differently in " + differ + " of " + runs);
    }

    private static double row(double[][] au, double[] s, int i) {
        double r = 0;
        for (int j = 0; j < s.length; j++) {
            r += au[i][j] * s[j];
        }
        return r * s[i];
    }
}
