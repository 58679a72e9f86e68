package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.nullmodel.ShuffledParameters;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.util.MemoryCheck;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The frustration experiment of the paper (Results, Fig. 2 and 5a): the real network solved {@code replicas}
 * times, and for each null kind {@code nullCount} null networks, each solved twice, once from S = I (nu = 0) and
 * once from nu random flips. Every task's seeds are drawn up front from {@code SplittableRandom(seed)} in task
 * order, so the results do not depend on threads, interruptions or resumption. Each finished task is appended to
 * a JSON Lines checkpoint; {@code resume} skips the tasks already there.
 */
public final class FrustrationExperiment {
    private FrustrationExperiment() {}

    /** Everything that determines the results (its hash guards --resume). */
    public record Config(
            String model,
            String modelSha256,
            ImportOptions importOptions,
            String solver,
            int replicas,
            List<String> nulls,
            int nullCount,
            String n3Init,
            long seed,
            SolverOptions options) {
        public Config {
            if (replicas < 0 || nullCount < 0) {
                throw new NnfrustException("--replicas and --null-count must be >= 0");
            }
            if (replicas < 2 && nulls.isEmpty()) {
                throw new NnfrustException("nothing to compare: give --replicas >= 2 or some --nulls");
            }
            for (String k : nulls) {
                if (!k.equals("N1") && !k.equals("N2") && !k.equals("N3")) {
                    throw new NnfrustException("unknown null model '" + k + "' (available: N1, N2, N3)");
                }
            }
            Solvers.byName(solver);
            WeightInit.parse(n3Init);
        }

        ObjectNode toJson(ObjectMapper m) {
            ObjectNode o = m.createObjectNode();
            o.put("model", model);
            o.put("modelSha256", modelSha256);
            o.set("importOptions", importOptions.toJson(m));
            o.put("solver", solver);
            o.put("replicas", replicas);
            o.put("nulls", String.join(",", nulls));
            o.put("nullCount", nullCount);
            o.put("n3Init", n3Init);
            o.put("seed", seed);
            putSolverOptions(o, options);
            return o;
        }
    }

    /** The solver options that determine results, as configuration fields (checkpoint headers). */
    static void putSolverOptions(ObjectNode o, SolverOptions options) {
        o.put("initialFlips", options.initialFlips());
        o.put("maxIterations", options.maxIterations());
        o.put("sweeps", options.sweeps());
        o.put("tStart", options.startTemperature());
        o.put("tEnd", options.endTemperature());
    }

    /** One solve: group R (real) or a null kind, replica (null network) index, instance (0: nu = 0, 1: nu). */
    public record Task(
            int index, String group, int replica, int instance, long nullSeed, long seed, long initialFlips) {
        public String key() {
            return group + "/" + replica + "/" + instance;
        }
    }

    /** A finished task. */
    public record Outcome(Task task, double epsilon, long flips, double seconds, boolean localMinimum) {}

    /** All tasks in their fixed order, seeds drawn up front. */
    public static List<Task> tasks(Config c) {
        SplittableRandom master = new SplittableRandom(c.seed());
        List<Task> t = new ArrayList<>();
        for (int r = 0; r < c.replicas(); r++) {
            t.add(new Task(
                    t.size(), "R", r, 1, 0, master.nextLong(), c.options().initialFlips()));
        }
        for (String kind : c.nulls()) {
            for (int k = 0; k < c.nullCount(); k++) {
                long nullSeed = master.nextLong();
                long s0 = master.nextLong(), s1 = master.nextLong();
                t.add(new Task(t.size(), kind, k, 0, nullSeed, s0, 0));
                t.add(new Task(t.size(), kind, k, 1, nullSeed, s1, c.options().initialFlips()));
            }
        }
        return t;
    }

    public static NullModel nullModel(String kind, String n3Init) {
        return switch (kind) {
            case "N1" -> new ShuffledParameters();
            case "N2" -> new ShuffledEdges();
            default -> new ReinitializedWeights(WeightInit.parse(n3Init));
        };
    }

    /**
     * Runs the pending tasks (all, or those not in the checkpoint when resuming), at most {@code stopAfter} of them
     * when it is positive, and returns every finished outcome in task order.
     */
    public static List<Outcome> run(
            SignedGraph real,
            Config c,
            Path checkpoint,
            boolean resume,
            int threads,
            int stopAfter,
            Consumer<Outcome> progress) {
        return run(real, c, Shard.ALL, checkpoint, resume, threads, stopAfter, progress);
    }

    /**
     * The units of work in their fixed order: one per real restart and one per null network (whose instances share
     * one build of the network); {@link Shard} K of N runs the units u with u mod N = K - 1.
     */
    public static List<List<Task>> units(List<Task> tasks) {
        Map<String, List<Task>> units = new LinkedHashMap<>();
        for (Task t : tasks) {
            String unit = t.group().equals("R") ? t.key() : t.group() + "/" + t.replica();
            units.computeIfAbsent(unit, k -> new ArrayList<>()).add(t);
        }
        return new ArrayList<>(units.values());
    }

    /** The tasks of shard {@code shard}, in task order. */
    public static List<Task> tasks(Config c, Shard shard) {
        List<List<Task>> units = units(tasks(c));
        List<Task> mine = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            if (shard.owns(u)) {
                mine.addAll(units.get(u));
            }
        }
        mine.sort(Comparator.comparingInt(Task::index));
        return mine;
    }

    /**
     * As {@link #run(SignedGraph, Config, Path, boolean, int, int, Consumer)} for shard {@code shard} of the tasks,
     * with the seeds of the whole run; its checkpoint header names the shard.
     */
    public static List<Outcome> run(
            SignedGraph real,
            Config c,
            Shard shard,
            Path checkpoint,
            boolean resume,
            int threads,
            int stopAfter,
            Consumer<Outcome> progress) {
        ObjectMapper m = new ObjectMapper();
        List<Task> tasks = tasks(c, shard);
        String header = Checkpoint.header(m, c.toJson(m), shard);
        Map<String, Outcome> done = new HashMap<>();
        final Checkpoint cp = checkpoint == null ? null : openCheckpoint(checkpoint, header, resume, tasks, done);
        List<Task> pending = new ArrayList<>();
        for (Task t : tasks) {
            if (!done.containsKey(t.key()) && (stopAfter == 0 || pending.size() < stopAfter)) {
                pending.add(t);
            }
        }
        final ShuffledEdges.Storage n2Storage = requireMemoryForN2(real, pending, threads);
        ProgressSink.starting(progress, done.size(), pending.size());
        SpinGlass realGlass = new SpinGlass(real);
        FrustrationSolver solver = Solvers.byName(c.solver());
        Object lock = new Object();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread th = new Thread(r, "nnfrust-experiment");
            th.setDaemon(true);
            return th;
        });
        try {
            // one unit of work per real restart and per null network (its instances share one build of the network)
            List<Future<?>> futures = new ArrayList<>();
            for (List<Task> unit : units(pending)) {
                futures.add(pool.submit(() -> {
                    Task first = unit.get(0);
                    NullModel model = first.group().equals("R")
                            ? null
                            : first.group().equals("N2")
                                    ? new ShuffledEdges(n2Storage)
                                    : nullModel(first.group(), c.n3Init());
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
                                    cp.append(resultLine(m, o));
                                }
                                if (progress != null) {
                                    progress.accept(o);
                                }
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

    /**
     * N2 holds one float per learnable edge (docs/nullmodels.md): chooses where (heap, or convolutions mapped
     * off-heap when they would take over 40 % of the heap), and refuses up front, in one line, a run whose N2
     * networks built side by side (one per thread) would not fit in the heap or in the mapping folder, instead of
     * failing after hours of other solves. Returns the storage.
     */
    static ShuffledEdges.Storage requireMemoryForN2(SignedGraph real, List<Task> pending, int threads) {
        long n2 = units(pending).stream()
                .filter(u -> u.get(0).group().equals("N2"))
                .count();
        int side = (int) Math.max(1, Math.min(Math.max(1, threads), n2));
        var storage = ShuffledEdges.storageFor(real, side);
        if (n2 == 0) {
            return storage;
        }
        double bytes = side * n2Bytes(real, storage);
        long gib = (long) Math.ceil((bytes
                                + (Runtime.getRuntime().totalMemory()
                                        - Runtime.getRuntime().freeMemory()))
                        / 1073741824.0
                        * 1.2)
                + 1;
        MemoryCheck.require(
                String.format(
                        Locale.ROOT,
                        "%d null network%s N2 built side by side (%,d learnable edges at 4 bytes each%s)",
                        side,
                        side == 1 ? "" : "s",
                        ShuffledEdges.learnableEdges(real),
                        storage == ShuffledEdges.Storage.MAPPED ? ", convolutions mapped off-heap" : ""),
                bytes,
                "raise the heap with NNFRUST_JAVA_OPTS=-Xmx" + gib + "g"
                        + (side > 1 ? ", or use --threads 1 (results do not depend on it)" : "")
                        + ", or leave N2 out of --nulls");
        if (storage == ShuffledEdges.Storage.MAPPED) {
            Path dir = ShuffledEdges.mappedDir();
            double disk = side * 4.0 * ShuffledEdges.convolutionEdges(real);
            if (!Files.isDirectory(dir)) {
                throw new NnfrustException("N2 weights are mapped in " + dir + ", which is not a folder; choose one "
                        + "with NNFRUST_JAVA_OPTS=-Dnnfrust.n2.dir=DIR");
            }
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw new NnfrustException("N2 weights are mapped in " + dir + ", which cannot be used ("
                        + e.getMessage() + "); choose a folder with -Dnnfrust.n2.dir=DIR");
            }
            if (disk > free) {
                throw new NnfrustException(String.format(
                        Locale.ROOT,
                        "%d null network%s N2 side by side map %.1f GiB of weights in %s, which has %.1f GiB free; "
                                + "choose a larger folder with NNFRUST_JAVA_OPTS=-Dnnfrust.n2.dir=DIR%s",
                        side,
                        side == 1 ? "" : "s",
                        disk / 1073741824.0,
                        dir,
                        free / 1073741824.0,
                        side > 1 ? ", or use --threads 1 (results do not depend on it)" : ""));
            }
        }
        return storage;
    }

    /** Heap bytes of one N2 network of {@code real} being solved, with the storage chosen for one at a time. */
    public static double n2Bytes(SignedGraph real) {
        return n2Bytes(real, ShuffledEdges.storageFor(real, 1));
    }

    /**
     * Heap bytes of one N2 network of {@code real} being solved: 4 per learnable edge on the heap (all of them, or
     * only the dense ones when convolutions are mapped), 48 per node for the solve.
     */
    public static double n2Bytes(SignedGraph real, ShuffledEdges.Storage storage) {
        long heapEdges = ShuffledEdges.learnableEdges(real)
                - (storage == ShuffledEdges.Storage.MAPPED ? ShuffledEdges.convolutionEdges(real) : 0);
        return 4.0 * heapEdges + 48.0 * real.nodeCount();
    }

    /** The JSON Lines form of an outcome. */
    public static String resultJson(ObjectMapper m, Outcome o) {
        return resultLine(m, o);
    }

    /** The JSON form of a configuration. */
    public static String configJson(ObjectMapper m, Config c) {
        return c.toJson(m).toString();
    }

    static String resultLine(ObjectMapper m, Outcome o) {
        ObjectNode r = m.createObjectNode();
        r.put("type", "result");
        r.put("group", o.task().group());
        r.put("replica", o.task().replica());
        r.put("instance", o.task().instance());
        r.put("nullSeed", o.task().nullSeed());
        r.put("seed", o.task().seed());
        r.put("initialFlips", o.task().initialFlips());
        r.put("epsilon", o.epsilon());
        r.put("flips", o.flips());
        r.put("seconds", o.seconds());
        r.put("localMinimum", o.localMinimum());
        return r.toString();
    }

    /** Opens the checkpoint (see {@link Checkpoint}) and collects the finished solves of these tasks. */
    private static Checkpoint openCheckpoint(
            Path file, String header, boolean resume, List<Task> tasks, Map<String, Outcome> done) {
        List<JsonNode> lines = new ArrayList<>();
        Checkpoint cp = Checkpoint.open(file, header, resume, lines);
        Map<String, Task> byKey = new LinkedHashMap<>();
        for (Task t : tasks) {
            byKey.put(t.key(), t);
        }
        for (JsonNode j : lines) {
            try {
                Task t = byKey.get(j.get("group").asText() + "/"
                        + j.get("replica").asInt() + "/" + j.get("instance").asInt());
                if (t != null && t.seed() == j.get("seed").asLong()) {
                    done.put(
                            t.key(),
                            new Outcome(
                                    t,
                                    j.get("epsilon").asDouble(),
                                    j.get("flips").asLong(),
                                    j.get("seconds").asDouble(),
                                    j.get("localMinimum").asBoolean()));
                }
            } catch (RuntimeException malformed) {
                // not a result of this experiment: ignored, the task runs again
            }
        }
        return cp;
    }

    /** Summary of one group. */
    public record GroupStats(String group, int n, double min, double mean, double sd) {}

    public static Map<String, double[]> byGroup(List<Outcome> outcomes) {
        Map<String, List<Double>> g = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            g.computeIfAbsent(o.task().group(), k -> new ArrayList<>()).add(o.epsilon());
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        g.forEach(
                (k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    public static GroupStats stats(String group, double[] e) {
        double min = Double.MAX_VALUE;
        for (double v : e) {
            min = Math.min(min, v);
        }
        double mean = WelchTest.mean(e);
        return new GroupStats(group, e.length, min, mean, e.length > 1 ? Math.sqrt(WelchTest.variance(e, mean)) : 0);
    }

    /** The paper's comparisons that the groups present allow: R vs N1, N1 vs N2, R vs N2, R vs N3. */
    public static List<String[]> comparisons(Map<String, double[]> groups) {
        List<String[]> pairs = new ArrayList<>();
        for (String[] p : new String[][] {{"R", "N1"}, {"N1", "N2"}, {"R", "N2"}, {"R", "N3"}}) {
            if (groups.containsKey(p[0])
                    && groups.containsKey(p[1])
                    && groups.get(p[0]).length > 1
                    && groups.get(p[1]).length > 1) {
                pairs.add(p);
            }
        }
        return pairs;
    }
}
