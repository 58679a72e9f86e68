package io.nnfrust.frustration;

import io.nnfrust.util.MemoryCheck;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * Runs R independent restarts of a solver. Restart k uses the k-th long drawn from {@code SplittableRandom(seed)}
 * as its own seed, fixed before anything runs, so every restart, and the result, is bit-identical whatever the
 * number of threads. With one thread a restart uses both cores inside its block products; with several, restarts
 * run side by side. Only the best restart keeps its spin vector (lowest epsilon, lowest index on ties).
 */
public final class FrustrationRunner {
    private FrustrationRunner() {}

    /** One restart's record (without its spins, except for the best). */
    public record Restart(int index, long seed, RestartResult result) {}

    /** All restarts and their summary. */
    public record Result(
            String solver, long seed, List<Restart> restarts, int bestIndex, double seconds, boolean balanced) {
        public Restart best() {
            return restarts.get(bestIndex);
        }

        public double[] epsilons() {
            return restarts.stream().mapToDouble(r -> r.result().epsilon()).toArray();
        }

        public double mean() {
            double s = 0;
            for (double e : epsilons()) {
                s += e;
            }
            return s / restarts.size();
        }

        /** Sample standard deviation (0 for one restart). */
        public double sd() {
            if (restarts.size() < 2) {
                return 0;
            }
            double m = mean(), s = 0;
            for (double e : epsilons()) {
                s += (e - m) * (e - m);
            }
            return Math.sqrt(s / (restarts.size() - 1));
        }
    }

    public static long[] restartSeeds(long seed, int restarts) {
        SplittableRandom master = new SplittableRandom(seed);
        long[] seeds = new long[restarts];
        for (int k = 0; k < restarts; k++) {
            seeds[k] = master.nextLong();
        }
        return seeds;
    }

    /**
     * Runs the restarts. A structurally balanced graph is recognised first, in O(nodes + edges)
     * ({@link StructuralBalance}); then every restart reports its balancing gauge with epsilon = 0 exactly.
     */
    public static Result run(
            SpinGlass glass,
            FrustrationSolver solver,
            SolverOptions options,
            int restarts,
            long seed,
            int threads,
            Consumer<Restart> onFinish) {
        return run(glass, solver, options, restarts, seed, threads, onFinish, k -> true);
    }

    /**
     * As above for the restarts k of 0..restarts-1 with {@code include.test(k)} only (a --shard of the restarts),
     * each with the seed it has in the whole run; the result lists them in index order.
     */
    public static Result run(
            SpinGlass glass,
            FrustrationSolver solver,
            SolverOptions options,
            int restarts,
            long seed,
            int threads,
            Consumer<Restart> onFinish,
            IntPredicate include) {
        if (restarts < 1) {
            throw new NnfrustException("--restarts must be at least 1, got " + restarts);
        }
        if (threads < 1) {
            throw new NnfrustException("--threads must be at least 1, got " + threads);
        }
        long t0 = System.nanoTime();
        long[] seeds = restartSeeds(seed, restarts);
        int[] mine = IntStream.range(0, restarts).filter(include).toArray();
        if (mine.length == 0) {
            throw new NnfrustException("no restart to run in this shard (" + restarts + " restarts)");
        }
        int workers = Math.min(threads, mine.length);
        long n = glass.nodeCount();
        // per running restart: spins, row sums, products and queues (about 48 bytes a node); per finished one: spins
        MemoryCheck.require(
                String.format(Locale.ROOT, "%d restart(s) on %d thread(s) of a %,d-node graph", restarts, workers, n),
                48.0 * n * workers + 8.0 * n * mine.length,
                "use fewer --threads or --restarts, a smaller --input-size, or raise the"
                        + " heap with NNFRUST_JAVA_OPTS=-Xmx...");
        SolverOptions opts = options.withParallel(workers == 1 && threads > 1);
        Restart[] done = new Restart[restarts];
        double[] balanced = glass.isMasked() ? null : StructuralBalance.gauge(glass.graph());
        if (balanced != null) {
            for (int k : mine) {
                RestartResult r =
                        new RestartResult(0.0, 0.0, 0, 0, 0, 0, k == mine[0] ? balanced.clone() : null, new double[0]);
                done[k] = new Restart(k, seeds[k], r);
                if (onFinish != null) {
                    onFinish.accept(done[k]);
                }
            }
            return compact(solver.name(), seed, done, mine[0], (System.nanoTime() - t0) / 1e9, true);
        }
        Object lock = new Object();
        int[] best = {-1};
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "nnfrust-restart");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int k : mine) {
                final int idx = k;
                futures.add(pool.submit(() -> {
                    RestartResult r = solver.solve(glass, new SplittableRandom(seeds[idx]), opts);
                    synchronized (lock) {
                        int b = best[0];
                        boolean better = b < 0
                                || r.epsilon() < done[b].result().epsilon()
                                || (r.epsilon() == done[b].result().epsilon() && idx < b);
                        if (better) {
                            if (b >= 0) {
                                done[b] = slim(done[b]);
                            }
                            best[0] = idx;
                            done[idx] = new Restart(idx, seeds[idx], r);
                        } else {
                            done[idx] = slim(new Restart(idx, seeds[idx], r));
                        }
                        if (onFinish != null) {
                            onFinish.accept(done[idx]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NnfrustException("interrupted");
        } finally {
            pool.shutdownNow();
        }
        return compact(solver.name(), seed, done, best[0], (System.nanoTime() - t0) / 1e9, false);
    }

    /** The restarts that ran, in index order, and the list position of restart {@code bestIndex}. */
    private static Result compact(
            String solver, long seed, Restart[] done, int bestIndex, double seconds, boolean balanced) {
        List<Restart> ran = new ArrayList<>();
        int bestAt = -1;
        for (Restart r : done) {
            if (r != null) {
                if (r.index() == bestIndex) {
                    bestAt = ran.size();
                }
                ran.add(r);
            }
        }
        return new Result(solver, seed, List.copyOf(ran), bestAt, seconds, balanced);
    }

    private static Restart slim(Restart r) {
        RestartResult x = r.result();
        return new Restart(
                r.index(),
                r.seed(),
                new RestartResult(
                        x.epsilon(),
                        x.trackedEpsilon(),
                        x.flips(),
                        x.steps(),
                        x.seconds(),
                        x.negativeRowSums(),
                        null,
                        x.trace()));
    }
}
