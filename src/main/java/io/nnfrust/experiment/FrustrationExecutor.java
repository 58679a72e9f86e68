package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.FrustrationExperiment.Config;
import io.nnfrust.experiment.FrustrationExperiment.Outcome;
import io.nnfrust.experiment.FrustrationTasks.Task;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.nullmodel.N2Budget;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Carries out the solves of one shard of a frustration experiment ({@link FrustrationTasks}): the tasks not yet in
 * the checkpoint, at most {@code stopAfter} of them when it is positive, one unit of work (a real restart, or a null
 * network with its two instances sharing one build of the network) per thread at a time. Each finished solve is
 * appended to the JSON Lines checkpoint ({@link Checkpoint}) at once; resuming skips the solves already there.
 */
final class FrustrationExecutor {
    private FrustrationExecutor() {}

    /**
     * Runs the pending tasks of {@code control.shard()} (none with {@code newWork} false: then only the checkpoint's
     * solves are collected) and returns every finished outcome of the shard in task order.
     */
    static List<Outcome> run(
            SignedGraph real, Config c, RunControl<Outcome> control, N2Storage n2Policy, boolean newWork) {
        ObjectMapper m = new ObjectMapper();
        List<Task> tasks = FrustrationTasks.ofShard(c, control.shard());
        String header = Checkpoint.header(m, FrustrationCodec.config(m, c), control.shard(), FrustrationCodec.STUDY);
        Map<String, Outcome> done = new HashMap<>();
        final Checkpoint cp = control.checkpoint() == null ? null : openCheckpoint(control, header, tasks, done);
        List<Task> pending = new ArrayList<>();
        int stopAfter = control.stopAfter();
        for (Task t : tasks) {
            if (newWork && !done.containsKey(t.key()) && (stopAfter == 0 || pending.size() < stopAfter)) {
                pending.add(t);
            }
        }
        int threads = control.threads();
        long n2Networks = FrustrationTasks.units(pending).stream()
                .filter(u -> u.get(0).nullKind() == NullKind.N2)
                .count();
        final N2Storage n2 = N2Budget.require(real, n2Networks, threads, n2Policy);
        Consumer<? super Outcome> progress = control.progressOrNone();
        ProgressSink.starting(control.progress(), done.size(), pending.size());
        SpinGlass realGlass = new SpinGlass(real);
        FrustrationSolver solver = c.solver().create();
        Object lock = new Object();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread th = new Thread(r, "nnfrust-experiment");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<Task> unit : FrustrationTasks.units(pending)) {
                futures.add(pool.submit(() -> {
                    Task first = unit.get(0);
                    NullModel model = first.nullKind() == null
                            ? null
                            : FrustrationExperiment.nullModel(first.nullKind(), c.n3Init(), n2);
                    SpinGlass glass = model == null ? realGlass : new SpinGlass(model.apply(real, first.nullSeed()));
                    try {
                        for (Task t : unit) {
                            RestartResult r = solver.solve(
                                    glass,
                                    new SplittableRandom(t.seed()),
                                    c.options().withInitialFlips(t.initialFlips()));
                            Outcome o = new Outcome(t, r.epsilon(), r.flips(), r.seconds(), r.localMinimum());
                            synchronized (lock) {
                                done.put(t.key(), o);
                                if (cp != null) {
                                    cp.append(FrustrationCodec.outcome(m, o).toString());
                                }
                                progress.accept(o);
                            }
                        }
                    } finally {
                        if (model != null) {
                            model.release(glass.graph()); // N2: unmaps its off-heap weights now
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NnfrustException("interrupted");
        } finally {
            pool.shutdownNow();
            if (cp != null) {
                cp.close();
            }
        }
        List<Outcome> out = new ArrayList<>();
        for (Task t : tasks) {
            Outcome o = done.get(t.key());
            if (o != null) {
                out.add(o);
            }
        }
        return out;
    }

    /** Opens the checkpoint (see {@link Checkpoint}) and collects the finished solves of these tasks. */
    private static Checkpoint openCheckpoint(
            RunControl<Outcome> control, String header, List<Task> tasks, Map<String, Outcome> done) {
        List<JsonNode> lines = new ArrayList<>();
        Checkpoint cp = Checkpoint.open(control.checkpoint(), header, control.resume(), lines);
        done.putAll(FrustrationCodec.outcomes(lines, tasks));
        return cp;
    }
}
