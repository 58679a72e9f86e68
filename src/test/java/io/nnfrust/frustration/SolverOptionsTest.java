package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.util.NnfrustException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Solver options: each limit accepted exactly, one beyond it refused. */
@Timeout(60)
class SolverOptionsTest {
    private static SolverOptions options(long nu, int sweeps, double t0, double t1, long trace) {
        return new SolverOptions(nu, -1, sweeps, t0, t1, false, trace);
    }

    @Test
    void solverOptionsAcceptEachLimitAndRefuseOneBeyond() {
        assertEquals(0, options(0, 0, 0.5, 0.5, 0).initialFlips()); // nu = 0, no sweeps, t-end = t-start, no trace
        assertThrows(NnfrustException.class, () -> options(-1, 0, 0.5, 0.5, 0));
        assertThrows(NnfrustException.class, () -> options(0, -1, 0.5, 0.5, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.5000001, 0)); // t-end above t-start
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.0, 0.0, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.0, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, Double.NaN, 0.1, 0));
        assertThrows(NnfrustException.class, () -> options(0, 0, 0.5, 0.1, -1));
        SolverOptions o = SolverOptions.DEFAULT
                .withMaxIterations(7)
                .withTraceEvery(3)
                .withSweeps(2)
                .withInitialFlips(5)
                .withParallel(true);
        assertEquals(7, o.maxIterations());
        assertEquals(3, o.traceEvery());
        assertEquals(2, o.sweeps());
        assertEquals(5, o.initialFlips());
        assertTrue(o.parallel());
    }
}
