package io.nnfrust.monotonicity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;

/** The amplitude schedule at its limits, and F(λ) = P(|Ω − 0.5| > λ) by its definition on dyadic values. */
class AmplitudeScheduleAndTailTest {
    @Test
    void scheduleLimitsAndSpacing() {
        AmplitudeSchedule one = new AmplitudeSchedule(0.5, 8, 1, true);
        assertEquals(0.5, one.amplitude(0), 0.0, "one perturbation: the minimum");
        assertArrayEquals(new double[] {0.5}, one.amplitudes(), 0.0);
        AmplitudeSchedule same = new AmplitudeSchedule(2, 2, 3, false);
        assertArrayEquals(new double[] {2, 2, 2}, same.amplitudes(), 0.0, "MIN = MAX is allowed");
        assertThrows(NnfrustException.class, () -> new AmplitudeSchedule(1, 2, 0, true));
        assertThrows(NnfrustException.class, () -> new AmplitudeSchedule(0, 2, 3, true));
        assertThrows(NnfrustException.class, () -> new AmplitudeSchedule(2, 1, 3, true));
        assertThrows(NnfrustException.class, () -> new AmplitudeSchedule(1, Double.POSITIVE_INFINITY, 3, true));
        AmplitudeSchedule log = AmplitudeSchedule.parse("0.5:8", 5, "log");
        assertArrayEquals(new double[] {0.5, 1, 2, 4, 8}, log.amplitudes(), 1e-12, "geometric");
        AmplitudeSchedule lin = AmplitudeSchedule.parse("1:3", 5, "LINEAR");
        assertArrayEquals(new double[] {1, 1.5, 2, 2.5, 3}, lin.amplitudes(), 1e-12, "even");
        assertEquals("0.5:8.0 log", log.label());
        assertEquals("1.0:3.0 linear", lin.label());
        assertEquals(3.0, AmplitudeSchedule.parse("3", 2, "log").max(), 0.0, "a single value: MIN = MAX");
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("1:2:3", 2, "log"));
        assertThrows(NnfrustException.class, () -> AmplitudeSchedule.parse("1:2", 2, "cubic"));
    }

    @Test
    void tailByDefinition() {
        // |Ω − 0.5| = 0, 0.125, 0.375, 0.375: exact in binary
        double[] omega = {0.5, 0.625, 0.875, 0.125};
        double[] f = LambdaMonotonicity.tail(omega, new double[] {0, 0.125, 0.25, 0.375, 0.5});
        assertArrayEquals(new double[] {0.75, 0.5, 0.5, 0, 0}, f, 0.0, "strictly greater than λ");
        assertArrayEquals(new double[] {0, 0}, LambdaMonotonicity.tail(new double[0], new double[] {0, 0.1}), 0.0);
    }
}
