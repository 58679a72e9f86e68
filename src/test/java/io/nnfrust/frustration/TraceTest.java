package io.nnfrust.frustration;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.RandomNetworks;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The energy trace of the solvers: every k-th step, nothing when off, from the initial spins to the result. */
@Timeout(60)
class TraceTest {
    private static SolverOptions options(long nu, int sweeps, double t0, double t1, long trace) {
        return new SolverOptions(nu, -1, sweeps, t0, t1, false, trace);
    }

    @Test
    void traceRecordsEveryKthStepAndNothingWhenOff() {
        Trace off = new Trace(0);
        assertFalse(off.due(0));
        off.add(0, 0.5);
        assertEquals(0, off.toArray().length);
        Trace t = new Trace(3);
        assertTrue(t.due(0));
        assertTrue(t.due(3));
        assertFalse(t.due(4));
        for (int k = 0; k < 20; k++) { // past the first capacity of 16 values
            t.add(k, k / 100.0);
        }
        double[] a = t.toArray();
        assertEquals(40, a.length);
        assertEquals(19, a[38]);
        assertEquals(0.19, a[39]);
    }

    @Test
    void layeredTraceStartsAtTheInitialSpinsAndEndsAtTheResult() {
        SignedGraph g = OnnxImporter.importModel(RandomNetworks.build(2, false), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
        SpinGlass glass = new SpinGlass(g);
        LayeredDescent solver = new LayeredDescent();
        assertEquals("layered", solver.name());
        SolverOptions o = SolverOptions.DEFAULT.withInitialFlips(200).withTraceEvery(1);
        RestartResult r = solver.solve(glass, new SplittableRandom(4), o);
        double[] start = glass.initialSpins(200, new SplittableRandom(4));
        double[] trace = r.trace();
        assertTrue(trace.length >= 4, "at least the start and the end");
        assertEquals(0, trace[0]);
        assertEquals(glass.epsilon(start, false), trace[1], 1e-9, "first point: the initial spins");
        assertEquals(r.steps(), trace[trace.length - 2]);
        assertEquals(r.epsilon(), trace[trace.length - 1], 1e-9, "last point: the result");
        assertTrue(r.localMinimum());
        assertFalse(new RestartResult(0.1, 0.1, 0, 0, 0, 2, new double[0], new double[0]).localMinimum());
    }

    @Test
    void algorithm1TraceHasEveryFlipFromTheStartToTheResult() {
        SignedGraph g = OnnxImporter.importModel(RandomNetworks.build(3, false), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
        SpinGlass glass = new SpinGlass(g);
        for (String name : new String[] {"algorithm1", "algorithm1-first"}) {
            RestartResult r = Solvers.byName(name)
                    .solve(
                            glass,
                            new SplittableRandom(9),
                            SolverOptions.DEFAULT.withInitialFlips(300).withTraceEvery(1));
            double[] t = r.trace();
            assertTrue(r.flips() > 0, name);
            assertEquals(2 * (r.flips() + 2), t.length, name + ": (0), every flip, and the end");
            assertEquals(glass.epsilon(glass.initialSpins(300, new SplittableRandom(9)), false), t[1], 1e-9, name);
            for (int k = 1; k <= r.flips(); k++) {
                assertEquals(k, t[2 * k], name);
                assertTrue(t[2 * k + 1] < t[2 * k - 1], name + ": every greedy flip lowers e");
            }
            assertEquals(r.flips(), t[t.length - 2]);
            assertEquals(r.epsilon(), t[t.length - 1], 1e-9);
        }
        assertEquals("exact", new ExactEnumeration().name());
        assertEquals(0.25, new FrustrationMap.Entry("b", "Conv", "x", "y", 4, 1).fraction());
        assertEquals(0, new FrustrationMap.Entry("b", "Conv", "x", "y", 0, 0).fraction());
    }
}
