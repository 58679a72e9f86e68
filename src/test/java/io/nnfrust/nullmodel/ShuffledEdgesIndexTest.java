package io.nnfrust.nullmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.RandomNetworks;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * N2's decoder of a global edge index, against its definition: the quotient by a kernel pair's period equals the
 * exact floor division (including where the floating-point quotient is one off, both ways), and the coarse block
 * index holds, for every 2^shift-wide range, exactly the block of the range's first index (a wrong entry would
 * only slow every lookup, so no other test sees it).
 */
class ShuffledEdgesIndexTest {

    @Test
    void quotientIsTheExactFloorDivisionWhereTheRoundedOneIsOffBothWays() {
        SplittableRandom r = new SplittableRandom(5);
        int high = 0, low = 0;
        for (int i = 0; i < 200_000; i++) {
            long period = 1 + r.nextLong(1L << (1 + r.nextInt(30)));
            long q = r.nextLong(((1L << 53) - period) / period); // the whole documented range
            long local = q * period + (r.nextBoolean() ? 0 : r.nextBoolean() ? -1 : period - 1);
            if (local < 0) {
                continue;
            }
            double inverse = 1.0 / period;
            long rounded = (long) (local * inverse), exact = Math.floorDiv(local, period);
            high += rounded > exact ? 1 : 0;
            low += rounded < exact ? 1 : 0;
            assertEquals(exact, ShuffledEdges.quotient(local, period, inverse), local + " / " + period);
        }
        for (long local = 0; local < 5000; local++) { // small values, every period up to 60
            for (long period = 1; period <= 60; period++) {
                assertEquals(local / period, ShuffledEdges.quotient(local, period, 1.0 / period));
            }
        }
        assertTrue(
                high > 0 && low > 0,
                "the cases must include rounded quotients one too high (" + high + ") and one too low (" + low + ")");
    }

    @Test
    void coarseIndexHoldsTheBlockOfEachRangesFirstIndexAndIsTheFinestThatFits() {
        for (long seed = 1; seed <= 4; seed++) {
            SignedGraph g = OnnxImporter.importModel(
                            RandomNetworks.build(seed, false), "r", "r", "-", ImportOptions.DEFAULT)
                    .graph();
            ShuffledEdges.Permuted p = new ShuffledEdges.Permuted(g, seed);
            long edges = p.blockStart[p.blockStart.length - 1];
            assertTrue(p.coarse.length <= ShuffledEdges.COARSE_MAX, "index size " + p.coarse.length);
            assertEquals((edges - 1) >>> p.shift, p.coarse.length - 1, "one entry per range");
            if (p.shift > 0) {
                assertTrue(
                        (edges - 1) >>> (p.shift - 1) >= ShuffledEdges.COARSE_MAX,
                        "a finer index would have fit: shift " + p.shift + " for " + edges + " edges");
            }
            for (int i = 0; i < p.coarse.length; i++) {
                long k = (long) i << p.shift;
                int b = p.coarse[i];
                assertTrue(
                        p.blockStart[b] <= k && k < p.blockStart[b + 1],
                        "seed " + seed + ": range " + i + " starts at edge " + k + ", not in block " + b);
            }
            int b = 0;
            for (long k = 0; k < edges; k++) {
                while (p.blockStart[b + 1] <= k) {
                    b++;
                }
                assertEquals(b, p.block(k), "block of edge " + k);
            }
        }
    }

    @Test
    void coarseIndexOnAGraphLargerThanTheIndexUsesRanges() {
        SignedGraph g = OnnxImporter.importModel(RandomNetworks.build(2, false), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
        ShuffledEdges.Permuted p = new ShuffledEdges.Permuted(g, 1);
        long edges = p.blockStart[p.blockStart.length - 1];
        assertTrue(
                edges > ShuffledEdges.COARSE_MAX && p.shift > 0,
                "the test network must have more edges than the index entries: " + edges);
    }
}
