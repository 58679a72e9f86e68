package io.nnfrust.util;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class FeistelPermutationTest {
    @Test
    void isABijectionWithItsInverseOnEveryDomainSize() {
        for (long n : new long[] {1, 2, 3, 5, 16, 17, 255, 1000, 4097, 65537}) {
            FeistelPermutation p = new FeistelPermutation(n, 42);
            boolean[] hit = new boolean[(int) n];
            for (long x = 0; x < n; x++) {
                long y = p.apply(x);
                assertTrue(y >= 0 && y < n, "image inside the domain");
                assertFalse(hit[(int) y], "no two elements share an image (n = " + n + ")");
                hit[(int) y] = true;
                assertEquals(x, p.inverse(y));
            }
        }
    }

    @Test
    void worksBeyondTheJavaArrayLimit() {
        long n = 3_000_000_017L;
        FeistelPermutation p = new FeistelPermutation(n, 7);
        for (long x = n - 1000; x < n; x++) {
            long y = p.apply(x);
            assertTrue(y >= 0 && y < n);
            assertEquals(x, p.inverse(y));
        }
    }

    @Test
    void seedsGiveDifferentRoughlyUniformPermutations() {
        int n = 1000, seeds = 4000;
        double sum = 0;
        int fixed = 0, same = 0;
        FeistelPermutation a = new FeistelPermutation(n, 1), b = new FeistelPermutation(n, 2);
        for (int x = 0; x < n; x++) {
            if (a.apply(x) == b.apply(x)) {
                same++;
            }
        }
        assertTrue(same < 10, "two seeds must give different permutations, " + same + " agreements");
        int[] bucket = new int[10];
        for (long s = 0; s < seeds; s++) {
            long y = new FeistelPermutation(n, s).apply(0);
            sum += y;
            bucket[(int) (y / 100)]++;
            if (y == 0) {
                fixed++;
            }
        }
        // the image of 0 over seeds: mean (n-1)/2 within 5 standard errors, every decile near 10 %
        double se = Math.sqrt((n * (double) n - 1) / 12.0 / seeds);
        assertEquals((n - 1) / 2.0, sum / seeds, 5 * se);
        for (int c : bucket) {
            assertTrue(c > 300 && c < 500, "decile count " + c);
        }
        assertTrue(fixed < 15);
    }

    @Test
    void rejectsBadDomains() {
        assertThrows(IllegalArgumentException.class, () -> new FeistelPermutation(0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> new FeistelPermutation(10, 1).apply(10));
    }
}
