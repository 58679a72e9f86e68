package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.testing.SmallGraphs;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The restart runner's bookkeeping: seeds, order, the best restart and its spins, callbacks, shards, balance. */
class FrustrationRunnerTest {
    @Test
    void restartsKeepTheirSeedsOrderAndOnlyTheBestKeepsItsSpins() {
        SignedGraph g = SmallGraphs.random(14, 0.5, 3);
        SpinGlass glass = new SpinGlass(g);
        SolverOptions o = SolverOptions.DEFAULT.withInitialFlips(30);
        List<Integer> called = Collections.synchronizedList(new ArrayList<>());
        FrustrationRunner.Result r =
                FrustrationRunner.run(glass, Solvers.byName("algorithm1"), o, 6, 9, 2, x -> called.add(x.index()));
        long[] seeds = FrustrationRunner.restartSeeds(9, 6);
        assertEquals(6, r.restarts().size());
        assertEquals(6, called.size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), called.stream().sorted().toList());
        int best = 0;
        for (int k = 0; k < 6; k++) {
            FrustrationRunner.Restart x = r.restarts().get(k);
            assertEquals(k, x.index());
            assertEquals(seeds[k], x.seed());
            // each restart is the solver run with its seed
            RestartResult alone = Solvers.byName("algorithm1").solve(glass, new SplittableRandom(seeds[k]), o);
            assertEquals(alone.epsilon(), x.result().epsilon());
            if (x.result().epsilon() < r.restarts().get(best).result().epsilon()) {
                best = k;
            }
        }
        assertEquals(best, r.best().index(), "lowest epsilon, lowest index on ties");
        assertNotNull(r.best().result().spins());
        for (FrustrationRunner.Restart x : r.restarts()) {
            if (x != r.best()) {
                assertNull(x.result().spins(), "only the best restart keeps its spins");
            }
        }
        assertFalse(r.balanced());
        assertEquals("algorithm1", r.solver());
        assertTrue(r.seconds() >= 0);
        // a shard: the same seeds, only its restarts
        FrustrationRunner.Result odd =
                FrustrationRunner.run(glass, Solvers.byName("algorithm1"), o, 6, 9, 1, null, k -> k % 2 == 1);
        assertEquals(
                List.of(1, 3, 5),
                odd.restarts().stream().map(FrustrationRunner.Restart::index).toList());
        for (FrustrationRunner.Restart x : odd.restarts()) {
            assertEquals(
                    r.restarts().get(x.index()).result().epsilon(), x.result().epsilon());
        }
        assertThrows(
                NnfrustException.class,
                () -> FrustrationRunner.run(glass, Solvers.byName("algorithm1"), o, 6, 9, 1, null, k -> false));
        assertThrows(
                NnfrustException.class,
                () -> FrustrationRunner.run(glass, Solvers.byName("algorithm1"), o, 0, 9, 1, null));
        assertThrows(
                NnfrustException.class,
                () -> FrustrationRunner.run(glass, Solvers.byName("algorithm1"), o, 2, 9, 0, null));
    }

    @Test
    void aBalancedGraphIsAnsweredByItsGaugeForEveryRestart() {
        SignedGraph net = SmallGraphs.tinyNetwork(4);
        double[] gauge = SmallGraphs.randomSpins(net.nodeCount(), new SplittableRandom(1));
        SpinGlass glass = new SpinGlass(SmallGraphs.gaugedAbsolute(net, gauge));
        List<Integer> called = new ArrayList<>();
        FrustrationRunner.Result r = FrustrationRunner.run(
                glass, Solvers.byName("layered"), SolverOptions.DEFAULT, 4, 7, 2, x -> called.add(x.index()));
        assertTrue(r.balanced());
        assertEquals(List.of(0, 1, 2, 3), called);
        long[] seeds = FrustrationRunner.restartSeeds(7, 4);
        for (int k = 0; k < 4; k++) {
            assertEquals(0.0, r.restarts().get(k).result().epsilon());
            assertEquals(seeds[k], r.restarts().get(k).seed());
        }
        assertEquals(0, r.best().index());
        assertEquals(0.0, glass.epsilon(r.best().result().spins(), false), 1e-15);
        assertNull(r.restarts().get(1).result().spins());
        assertEquals(0.0, r.mean());
        assertEquals(0.0, r.sd());
        FrustrationRunner.Result shard = FrustrationRunner.run(
                glass, Solvers.byName("layered"), SolverOptions.DEFAULT, 4, 7, 1, null, k -> k >= 2);
        assertEquals(2, shard.best().index());
        assertNotNull(shard.best().result().spins());
    }

    @Test
    void meanAndSampleSd() {
        SpinGlass glass = new SpinGlass(SmallGraphs.random(12, 0.6, 5));
        FrustrationRunner.Result r = FrustrationRunner.run(
                glass, Solvers.byName("algorithm1-first"), SolverOptions.DEFAULT.withInitialFlips(20), 5, 3, 1, null);
        double[] e = r.epsilons();
        double m = 0;
        for (double v : e) {
            m += v;
        }
        m /= e.length;
        double ss = 0;
        for (double v : e) {
            ss += (v - m) * (v - m);
        }
        assertEquals(m, r.mean(), 1e-15);
        assertEquals(Math.sqrt(ss / (e.length - 1)), r.sd(), 1e-15);
        FrustrationRunner.Result one = FrustrationRunner.run(
                glass, Solvers.byName("algorithm1-first"), SolverOptions.DEFAULT.withInitialFlips(20), 1, 3, 1, null);
        assertEquals(0.0, one.sd());
    }

    @Test
    void tiedRestartsGoToTheLowestIndexAndTwoRestartsHaveAnSd() {
        // +-1 weights: many restarts end at the same epsilon
        int ties = 0;
        for (long seed = 1; seed <= 8; seed++) {
            SpinGlass glass = new SpinGlass(Algorithm1ReferenceTest.plusMinusOne(10, 0.5, seed));
            FrustrationRunner.Result r = FrustrationRunner.run(
                    glass, Solvers.byName("algorithm1"), SolverOptions.DEFAULT.withInitialFlips(5), 8, seed, 2, null);
            double min = Double.MAX_VALUE;
            int first = -1;
            for (FrustrationRunner.Restart x : r.restarts()) {
                if (x.result().epsilon() < min) {
                    min = x.result().epsilon();
                    first = x.index();
                }
            }
            final double best = min;
            ties += r.restarts().stream()
                                    .filter(x -> x.result().epsilon() == best)
                                    .count()
                            > 1
                    ? 1
                    : 0;
            assertEquals(first, r.best().index(), "seed " + seed);
        }
        assertTrue(ties >= 4, "tied best restarts in " + ties + " of 8 graphs");
        SpinGlass glass = new SpinGlass(SmallGraphs.random(12, 0.6, 5));
        FrustrationRunner.Result two = FrustrationRunner.run(
                glass, Solvers.byName("algorithm1-first"), SolverOptions.DEFAULT.withInitialFlips(20), 2, 11, 1, null);
        double[] e = two.epsilons();
        double m = (e[0] + e[1]) / 2;
        assertEquals(Math.sqrt((e[0] - m) * (e[0] - m) + (e[1] - m) * (e[1] - m)), two.sd(), 1e-15);
    }
}
