package io.nnfrust.monotonicity;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.util.NnfrustException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LambdaMonotonicityTest {
    /** F(λ) = #{|Ω − 0.5| > λ}/N by definition. */
    static double tail(double[] omega, double lambda) {
        int c = 0;
        for (double w : omega) {
            if (Math.abs(w - 0.5) > lambda) {
                c++;
            }
        }
        return c / (double) omega.length;
    }

    @Test
    void pointMassAtDistanceCGivesLambdaC() {
        // F(λ) = 1 for λ < c and 0 from c on: sup{F ≥ 2λ} = min(c, 1/2), not attained
        for (double c : new double[] {0, 0.03, 0.25, 0.4, 0.5}) {
            double[] om = new double[40];
            for (int i = 0; i < om.length; i++) {
                om[i] = i % 2 == 0 ? 0.5 + c : 0.5 - c;
            }
            var r = LambdaMonotonicity.of(om);
            assertEquals(c, r.lambda(), 1e-15);
            assertEquals(c == 0, r.attained());
        }
    }

    @Test
    void uniformSampleGivesOneQuarter() {
        // Ω_i = i/N, i = 0..N (N = 4000): F(λ) = #{|i − N/2| > λN}/(N+1); the crossing with 2λ is at λ = 1/4
        int n = 4000;
        double[] om = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            om[i] = i / (double) n;
        }
        var r = LambdaMonotonicity.of(om);
        assertEquals(0.25, r.lambda(), 1.0 / n);
        // exact: the deviations are k/N (k = 0..N/2, twice except 0); count above λ = j/N is N − 2j
        // sup{λ : (N − 2⌊λN⌋)/(N+1) ≥ 2λ}, found by scanning the rationals j/N and the levels
        double best = 0;
        for (int j = 0; j <= n / 2; j++) {
            double f = (n - 2.0 * j) / (n + 1); // F on [j/N, (j+1)/N)
            double hi = Math.min(f / 2, (j + 1) / (double) n);
            if (hi >= j / (double) n) {
                best = Math.max(best, hi);
            }
        }
        assertEquals(best, r.lambda(), 1e-15);
    }

    @Test
    void lambdaIsTheSupremumOfTheSetWhereFExceedsTwoLambda() {
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + r.nextInt(60);
            int outputs = 1 + r.nextInt(30);
            int[] counts = new int[n];
            double[] om = new double[n];
            double spread = r.nextDouble();
            for (int i = 0; i < n; i++) {
                int a = (int) Math.round(outputs * (0.5 + spread * (r.nextDouble() - 0.5)));
                counts[i] = a;
                om[i] = a / (double) outputs;
            }
            var x = LambdaMonotonicity.of(om);
            var y = LambdaMonotonicity.ofCounts(counts, outputs);
            assertEquals(x.lambda(), y.lambda(), 1e-15);
            double l = x.lambda();
            assertTrue(l >= 0 && l <= 0.5);
            double eps = 1e-9;
            if (l > eps) {
                assertTrue(tail(om, l - eps) >= 2 * (l - eps), "F below lambda");
            }
            assertTrue(tail(om, l + eps) < 2 * (l + eps), "F above lambda");
            assertEquals(tail(om, l) >= 2 * l, x.attained(), "attained flag");
            // F at λ = g/200 by the definition in exact integers (|Ω − 0.5| > λ ⟺ |2a − n|·200 > 2n·g); the double
            // form |a/n − 0.5| > g/200 is off where a rounding lands on the wrong side (0.8 − 0.5 > 0.3)
            double[] f = LambdaMonotonicity.tailOfCounts(counts, outputs, 200);
            assertEquals(101, f.length);
            for (int g = 0; g <= 100; g++) {
                int c = 0;
                for (int a : counts) {
                    if ((long) Math.abs(2 * a - outputs) * 200 > 2L * outputs * g) {
                        c++;
                    }
                }
                assertEquals(c / (double) n, f[g], 0, "grid point " + g);
            }
        }
    }

    @Test
    void alignmentCountsTiesAsAligned() {
        float[] y1 = {1, 2, 3, 4, 0};
        float[] y2 = {2, 1, 3, 5, 0};
        byte[] s = {1, 1, -1, -1, -1};
        // +: up, +: down, -: tie, -: up, -: tie
        assertEquals(3, OutputAlignment.aligned(y1, 0, y2, 0, s, 5));
        assertEquals(2, OutputAlignment.ties(y1, 0, y2, 0, 5));
    }

    @Test
    void amplitudeScheduleSpansTheRange() {
        var a = AmplitudeSchedule.parse("0.5:50", 5, "log");
        assertArrayEquals(
                new double[] {0.5, 0.5 * Math.pow(100, 0.25), 5, 0.5 * Math.pow(100, 0.75), 50}, a.amplitudes(), 1e-12);
        assertArrayEquals(
                new double[] {1, 2, 3},
                AmplitudeSchedule.parse("1:3", 3, "linear").amplitudes(),
                1e-15);
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("0:1", 5, "log"));
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("2:1", 5, "log"));
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("1:x", 5, "log"));
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("1:2", 5, "cubic"));
    }

    @Test
    void perturbationsArePositiveAlongTheOrder() {
        float[] u = new float[1000];
        double norm = Perturbation.uniform(new SplittableRandom(1), u, u.length);
        double sq = 0, sum = 0;
        for (float v : u) {
            assertTrue(v > 0 && v < 1);
            sq += v * (double) v;
            sum += v;
        }
        assertEquals(Math.sqrt(sq), norm, 1e-9);
        assertEquals(0.5, sum / u.length, 0.03);
        float[] x1 = new float[1000];
        byte[] s = Perturbation.randomSigns(new SplittableRandom(2), 1000);
        float[] x2 = new float[1000];
        Perturbation.apply(x1, 0, s, 2.0, u, x2, 0, 1000);
        for (int i = 0; i < 1000; i++) {
            assertTrue(s[i] * (x2[i] - x1[i]) > 0);
        }
    }
}
