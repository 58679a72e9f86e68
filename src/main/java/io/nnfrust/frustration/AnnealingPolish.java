package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Iterated low-temperature annealing from given spins: a polish of a good local minimum (such as an SDP rounding
 * after its descent). Each round copies the best spins found so far, runs {@code sweeps} layered heat-bath sweeps
 * (the step of {@link LayeredAnnealing}, an exact Gibbs update of a whole node set) while the relative temperature
 * falls geometrically from {@code startTemperature} to {@code endTemperature}, descends to a local minimum as
 * {@link LayeredDescent} does, and keeps the result when its ε — recomputed from scratch over all edges — is lower.
 * The temperatures are low enough that the walk stays in the neighbourhood of its start (annealing the real
 * SqueezeNet from random spins with {@code anneal}'s own schedule, 0.5 to 0.02, ends far higher: docs/bounds.md);
 * each round moves the start to a nearby,
 * lower minimum. Deterministic for the random generator's state; independent of the thread count (the fields are
 * computed from whole-block products, the random draws in node order).
 *
 * <p>Cost: {@code rounds} × ({@code sweeps} + descent sweeps + 1) products of the graph with one vector.
 */
public final class AnnealingPolish {
    private AnnealingPolish() {}

    /**
     * @param rounds           annealing rounds (0: no polish)
     * @param sweeps           heat-bath sweeps per round
     * @param startTemperature relative temperature of a round's first sweep (in units of a node's total |weight|)
     * @param endTemperature   relative temperature of its last sweep
     */
    public record Options(int rounds, int sweeps, double startTemperature, double endTemperature) {
        /** No polish. */
        public static final Options NONE = new Options(0, 100, 0.05, 0.005);

        /** The default of {@code nnfrust bound}: 10 rounds of 100 sweeps from T = 0.05 to 0.005. */
        public static final Options DEFAULT = new Options(10, 100, 0.05, 0.005);

        public Options {
            if (rounds < 0) {
                throw new NnfrustException("polish rounds must be >= 0, got " + rounds);
            }
            if (sweeps < 1) {
                throw new NnfrustException("polish sweeps must be >= 1, got " + sweeps);
            }
            if (!(startTemperature > 0) || !(endTemperature > 0) || endTemperature > startTemperature) {
                throw new NnfrustException("polish temperatures need 0 < end <= start, got " + startTemperature
                        + " and " + endTemperature);
            }
        }
    }

    /**
     * @param spins        the best spins found (the start when no round improved on it)
     * @param epsilon      their ε, recomputed from scratch
     * @param startEpsilon ε of the start
     * @param improvements rounds that lowered ε
     */
    public record Result(double[] spins, double epsilon, double startEpsilon, int improvements, double seconds) {}

    /**
     * Polishes {@code start} (not modified).
     *
     * @param log one line per round (may be null)
     */
    public static Result polish(
            SpinGlass glass,
            double[] start,
            Options o,
            SplittableRandom random,
            boolean parallel,
            Consumer<String> log) {
        long t0 = System.nanoTime();
        double[] best = start.clone();
        double startEpsilon = glass.epsilon(best, parallel);
        double bestEpsilon = startEpsilon;
        int improvements = 0;
        if (o.rounds() > 0) {
            glass.strengths();
        }
        double ratio = o.sweeps() > 1 ? Math.pow(o.endTemperature() / o.startTemperature(), 1.0 / (o.sweeps() - 1)) : 1;
        double[] x = new double[best.length];
        for (int round = 1; round <= o.rounds(); round++) {
            System.arraycopy(best, 0, x, 0, x.length);
            Sweeper sw = new Sweeper(glass, x, parallel);
            double temperature = o.startTemperature();
            for (int k = 0; k < o.sweeps(); k++) {
                sw.sweep(temperature, random);
                temperature *= ratio;
            }
            sw.descend(-1, new Trace(0), 0);
            double e = glass.epsilon(x, parallel);
            if (e < bestEpsilon) {
                bestEpsilon = e;
                double[] t = best;
                best = x;
                x = t;
                improvements++;
            }
            if (log != null) {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                log.accept(String.format(
                        Locale.ROOT,
                        "polish round %d/%d: eps %.6f, best %.6f (%.1f s, about %.0f s left)",
                        round,
                        o.rounds(),
                        e,
                        bestEpsilon,
                        elapsed,
                        elapsed / round * (o.rounds() - round)));
            }
        }
        return new Result(best, bestEpsilon, startEpsilon, improvements, (System.nanoTime() - t0) / 1e9);
    }
}
