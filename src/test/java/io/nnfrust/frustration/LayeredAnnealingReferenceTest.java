package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.testing.SmallGraphs;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The annealing solver against its documented schedule, assembled from the (separately tested) sweeps: the paper's
 * start S = I with nu flips, then k heat-bath sweeps at T_j = T_start (T_end / T_start)^(j / (k - 1)),
 * j = 0..k-1, from the same random stream, then the zero-temperature descent; steps = k + descent sweeps, one
 * trace point per sweep.
 */
class LayeredAnnealingReferenceTest {
    @Test
    void annealingFollowsItsGeometricSchedule() {
        for (long seed = 1; seed <= 6; seed++) {
            SignedGraph g = seed % 2 == 0 ? SmallGraphs.tinyNetwork(seed) : SmallGraphs.random(14, 0.5, seed);
            SpinGlass glass = new SpinGlass(g);
            int k = 7;
            double t0 = 0.8, t1 = 0.05;
            SolverOptions o = new SolverOptions(20, -1, k, t0, t1, false, 1);
            RestartResult r = new LayeredAnnealing().solve(glass, new SplittableRandom(seed), o);
            SplittableRandom random = new SplittableRandom(seed);
            double[] s = glass.initialSpins(20, random);
            Sweeper sw = new Sweeper(glass, s, false);
            for (int j = 0; j < k; j++) {
                sw.sweep(t0 * Math.pow(t1 / t0, j / (double) (k - 1)), random);
            }
            long descent = sw.descend(-1, new Trace(0), k);
            assertArrayEquals(s, r.spins(), "spins, seed " + seed);
            assertEquals(sw.flips, r.flips(), "flips, seed " + seed);
            assertEquals(k + descent, r.steps(), "steps = sweeps + descent sweeps");
            assertEquals(0, r.negativeRowSums());
            assertEquals(r.epsilon(), r.trackedEpsilon(), 1e-12);
            double[] trace = r.trace();
            assertEquals(0, trace[0], 0.0, "the trace starts at step 0");
            for (int j = 1; j <= k; j++) {
                assertEquals(j, trace[2 * j], 0.0, "a trace point after every annealing sweep");
            }
            assertEquals(k + descent, trace[trace.length - 2], 0.0, "the last point is the final step");
            assertEquals(r.epsilon(), trace[trace.length - 1], 1e-12);
        }
        assertEquals("anneal", new LayeredAnnealing().name());
    }

    @Test
    void oneSweepKeepsTheStartTemperature() {
        SignedGraph g = SmallGraphs.tinyNetwork(3);
        SpinGlass glass = new SpinGlass(g);
        SolverOptions o = new SolverOptions(10, -1, 1, 0.3, 0.01, false, 0);
        RestartResult r = new LayeredAnnealing().solve(glass, new SplittableRandom(5), o);
        SplittableRandom random = new SplittableRandom(5);
        double[] s = glass.initialSpins(10, random);
        Sweeper sw = new Sweeper(glass, s, false);
        sw.sweep(0.3, random);
        sw.descend(-1, new Trace(0), 1);
        assertArrayEquals(s, r.spins());
    }
}
