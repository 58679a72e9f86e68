package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.experiment.FrustrationStatistics.Comparison;
import io.nnfrust.experiment.FrustrationStatistics.GroupStats;
import io.nnfrust.experiment.FrustrationTasks.Task;
import io.nnfrust.frustration.AnnealingPolish;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Budget;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.nullmodel.ShuffledParameters;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The frustration experiment of the paper (Results, "Frustration", Fig. 2 and 5a): the real network R solved
 * {@code replicas} times, and for each null model (Methods, "Null models": N1, N2, N3) {@code nullCount} null
 * networks, each solved twice, once from S = I (ν = 0) and once from ν random flips; per group the lowest, mean and
 * sd of ε (paper eq. 4), Welch's t-tests of R vs N1, N1 vs N2, R vs N2, R vs N3, and optionally certified intervals
 * [ε_lb, ε_ub] with the orderings they prove ({@link CertifiedOrdering}).
 *
 * <p>The library: a typed {@link Config}, {@link #run} with a {@link RunControl} (threads, shard, checkpoint,
 * resume; none of which changes a result), and a {@link Result} that carries its configuration and provenance and
 * writes and reads its JSON and CSV ({@link FrustrationCodec}). The plan of seeds is {@link FrustrationTasks}, the
 * execution {@link FrustrationExecutor}, the statistics {@link FrustrationStatistics}, N2's memory
 * {@link N2Budget}.
 */
public final class FrustrationExperiment {
    private FrustrationExperiment() {}

    /**
     * Everything that determines the results (its JSON is the checkpoint header's configuration and guards
     * resumption and merging).
     *
     * @param model        the model as named (zoo:NAME or an .onnx file)
     * @param modelSha256  SHA-256 of the model ({@link Network#sha256()}; "" before it is loaded)
     * @param solver       the solver of every solve
     * @param replicas     solves of the real network
     * @param nulls        the null models, each at most once
     * @param nullCount    null networks of each kind
     * @param n3Init       the initialisation N3 redraws the weights from
     * @param seed         seed of all seeds ({@link FrustrationTasks})
     * @param options      solver options (ν is that of the second instance of a null network, and of R)
     * @param bounds       certified intervals for R and the first {@code bounds} null networks of each kind (0: none)
     * @param boundRank    rank of the SDP solutions of the bounds
     */
    public record Config(
            String model,
            String modelSha256,
            ImportOptions importOptions,
            SolverKind solver,
            int replicas,
            List<NullKind> nulls,
            int nullCount,
            WeightInit n3Init,
            long seed,
            SolverOptions options,
            int bounds,
            int boundRank) {
        /** The rank of the bounds' SDP solutions unless given. */
        public static final int DEFAULT_BOUND_RANK = 8;

        public Config {
            require(model, "model");
            require(modelSha256, "modelSha256");
            require(importOptions, "importOptions");
            require(solver, "solver");
            require(nulls, "nulls");
            require(n3Init, "n3Init");
            require(options, "options");
            for (NullKind k : nulls) {
                require(k, "every null model of nulls");
            }
            nulls = List.copyOf(nulls);
            if (model.isBlank()) {
                throw new NnfrustException("model must name a model, got an empty name");
            }
            if (replicas < 0) {
                throw new NnfrustException("replicas must be >= 0, got " + replicas);
            }
            if (nullCount < 0) {
                throw new NnfrustException("nullCount must be >= 0, got " + nullCount);
            }
            if (EnumSet.copyOf(nulls.isEmpty() ? EnumSet.noneOf(NullKind.class) : nulls)
                            .size()
                    != nulls.size()) {
                throw new NnfrustException("nulls names a null model twice: " + nulls);
            }
            if (replicas < 2 && nulls.isEmpty()) {
                throw new NnfrustException("nothing to compare: replicas must be >= 2 or nulls must name a null model");
            }
            if (bounds < 0) {
                throw new NnfrustException("bounds must be >= 0, got " + bounds);
            }
            if (bounds == 0) {
                boundRank = DEFAULT_BOUND_RANK; // unused without bounds, and not written
            } else if (boundRank < 2 || boundRank > 64) {
                throw new NnfrustException("boundRank must be in 2..64, got " + boundRank);
            }
        }

        /** Without certified bounds. */
        public Config(
                String model,
                String modelSha256,
                ImportOptions importOptions,
                SolverKind solver,
                int replicas,
                List<NullKind> nulls,
                int nullCount,
                WeightInit n3Init,
                long seed,
                SolverOptions options) {
            this(
                    model,
                    modelSha256,
                    importOptions,
                    solver,
                    replicas,
                    nulls,
                    nullCount,
                    n3Init,
                    seed,
                    options,
                    0,
                    DEFAULT_BOUND_RANK);
        }

        private static void require(Object value, String parameter) {
            if (value == null) {
                throw new NnfrustException(parameter + " must be given");
            }
        }

        /** This configuration for the model with SHA-256 {@code sha256}. */
        public Config withModelSha256(String sha256) {
            return new Config(
                    model,
                    sha256,
                    importOptions,
                    solver,
                    replicas,
                    nulls,
                    nullCount,
                    n3Init,
                    seed,
                    options,
                    bounds,
                    boundRank);
        }

        /** The settings of the certified intervals (null without bounds). */
        public FrustrationInterval.Config boundsConfig() {
            if (bounds == 0) {
                return null;
            }
            return new FrustrationInterval.Config(
                    new MixingMethod.Options(boundRank, 300, 1e-5, 10, seed),
                    DualBound.Scaling.DEGREE,
                    1000,
                    1e-6,
                    2,
                    seed,
                    AnnealingPolish.Options.DEFAULT);
        }

        /** The JSON of checkpoint headers and {@code provenance.config} ({@link FrustrationCodec#config}). */
        public ObjectNode toJson(ObjectMapper m) {
            return FrustrationCodec.config(m, this);
        }

        /** A configuration read back from {@link #toJson} (also the headers of earlier versions). */
        public static Config fromJson(JsonNode j) {
            return FrustrationCodec.config(j);
        }
    }

    /** A finished solve. */
    public record Outcome(Task task, double epsilon, long flips, double seconds, boolean localMinimum) {}

    /**
     * Where a result comes from, as its {@code provenance} holds it: the model's identity ({@link ModelIdentity}:
     * source, SHA-256, weights, input shape, import options), the weights' description, the nnfrust version and
     * commit, JDK, ONNX Runtime, the command line, the run id, start and end of the run, and its thread count.
     */
    public record Origin(
            JsonNode model,
            String weights,
            String nnfrust,
            String gitCommit,
            Boolean gitDirty,
            String jdk,
            String onnxRuntime,
            List<String> commandLine,
            String runId,
            String start,
            String end,
            int threads) {
        public Origin {
            model = model == null ? null : normalized(model);
            commandLine = List.copyOf(commandLine);
        }

        /** A copy as read from its text: the same numbers compare equal whatever node type held them. */
        private static JsonNode normalized(JsonNode j) {
            try {
                return new ObjectMapper().readTree(j.toString());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The SHA-256 of the model the result was computed on. */
        public String modelSha256() {
            return model == null ? "" : model.path(ModelIdentity.SHA256).asText();
        }

        /** The provenance of a result of {@code net} made now by this process ({@link Provenance#current()}). */
        public static Origin now(Network net, int threads) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode p = Provenance.current().toJson(m);
            p.set(ModelIdentity.MODEL, ModelIdentity.toJson(m, net));
            p.put(FrustrationCodec.THREADS, threads);
            return fromJson(p, ModelIdentity.weights(net));
        }

        /** The provenance object of a result file ({@code weights}: its top-level description of the weights). */
        static Origin fromJson(JsonNode p, String weights) {
            List<String> cl = new ArrayList<>();
            p.path(Provenance.COMMAND_LINE).forEach(a -> cl.add(a.asText()));
            return new Origin(
                    p.get(ModelIdentity.MODEL),
                    weights,
                    p.path(Provenance.NNFRUST).asText(),
                    p.path(Provenance.GIT_COMMIT).asText(),
                    p.has(Provenance.GIT_DIRTY) ? p.get(Provenance.GIT_DIRTY).asBoolean() : null,
                    p.path(Provenance.JDK).asText(),
                    p.path(Provenance.ONNX_RUNTIME).asText(),
                    cl,
                    p.path(Provenance.RUN_ID).asText(),
                    p.path(Provenance.START).asText(),
                    p.path(Provenance.END).asText(),
                    p.path(FrustrationCodec.THREADS).asInt());
        }

        /** The provenance object, with the result's configuration. */
        ObjectNode toJson(ObjectMapper m, ObjectNode config) {
            ObjectNode p = m.createObjectNode();
            p.put(Provenance.SCHEMA_VERSION_KEY, Provenance.SCHEMA_VERSION);
            p.put(Provenance.NNFRUST, nnfrust);
            p.put(Provenance.GIT_COMMIT, gitCommit);
            if (gitDirty != null) {
                p.put(Provenance.GIT_DIRTY, gitDirty);
            }
            p.put(Provenance.JDK, jdk);
            p.put(Provenance.ONNX_RUNTIME, onnxRuntime);
            var cl = p.putArray(Provenance.COMMAND_LINE);
            commandLine.forEach(cl::add);
            p.put(Provenance.RUN_ID, runId);
            p.put(Provenance.START, start);
            p.put(Provenance.END, end);
            if (model != null) {
                p.set(ModelIdentity.MODEL, model.deepCopy());
            }
            p.set(FrustrationCodec.CONFIG, config);
            p.put(FrustrationCodec.THREADS, threads);
            return p;
        }
    }

    /**
     * The result of a run (or of a shard of one): its configuration, the solves done (in task order) out of
     * {@code solvesPlanned}, the group statistics and Welch tests (computed once, from the solves), the certified
     * intervals when asked for and the run is whole and complete, and the provenance. Owns its JSON and CSV forms.
     */
    public record Result(
            Config config,
            Shard shard,
            int solvesPlanned,
            List<Outcome> outcomes,
            List<GroupStats> groups,
            List<Comparison> welch,
            CertifiedOrdering.Result bounds,
            Origin origin) {
        public Result {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(shard, "shard");
            Objects.requireNonNull(origin, "origin");
            outcomes = List.copyOf(outcomes);
            groups = List.copyOf(groups);
            welch = List.copyOf(welch);
        }

        /** The result of these solves, with their statistics and Welch tests. */
        public static Result of(
                Config config,
                Shard shard,
                int solvesPlanned,
                List<Outcome> outcomes,
                CertifiedOrdering.Result bounds,
                Origin origin) {
            Map<String, double[]> groups = FrustrationStatistics.byGroup(outcomes);
            return new Result(
                    config,
                    shard,
                    solvesPlanned,
                    outcomes,
                    FrustrationStatistics.stats(groups),
                    FrustrationStatistics.comparisons(groups),
                    bounds,
                    origin);
        }

        /** Whether every planned solve is done. */
        public boolean complete() {
            return outcomes.size() == solvesPlanned;
        }

        /** ε of the solves by group (R, N1, N2, N3 as present). */
        public Map<String, double[]> epsilonByGroup() {
            return FrustrationStatistics.byGroup(outcomes);
        }

        /** The JSON object of the result file. */
        public ObjectNode toJson(ObjectMapper m) {
            return FrustrationCodec.result(m, this);
        }

        /** The text of the result file (indented JSON, without the final newline). */
        public String jsonText() {
            try {
                return new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(toJson(new ObjectMapper()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The CSV: one row per solve. */
        public String csvText() {
            return FrustrationCodec.csv(this);
        }

        /**
         * The text summary ({@code nnfrust experiment frustration} prints it on stdout): the model, ε by group, the
         * Welch tests, the certified intervals when computed, and whether solves are missing.
         */
        public List<String> summaryLines() {
            List<String> lines = new ArrayList<>();
            lines.add(String.format(Locale.ROOT, "model %s, weights %s", config.model(), origin.weights()));
            lines.add(String.format(Locale.ROOT, "%-6s %6s %12s %12s %12s", "group", "n", "min", "mean", "sd"));
            for (GroupStats s : groups) {
                lines.add(String.format(
                        Locale.ROOT, "%-6s %6d %12.6f %12.6f %12.6f", s.group(), s.n(), s.min(), s.mean(), s.sd()));
            }
            for (Comparison c : welch) {
                lines.add(String.format(
                        Locale.ROOT,
                        "Welch %s vs %s: t = %.3f, df = %.1f, p = %.3g",
                        c.a(),
                        c.b(),
                        c.test().t(),
                        c.test().df(),
                        c.test().p()));
            }
            if (bounds != null) {
                for (var n : bounds.networks()) {
                    lines.add(String.format(
                            Locale.ROOT,
                            "bounds %s%s: eps in [%.6f, %.6f], SDP %.6f",
                            n.group(),
                            n.replica() < 0 ? "" : "/" + n.replica(),
                            n.lower(),
                            n.upper(),
                            n.epsilonSdp()));
                }
                for (var o : bounds.orderings()) {
                    lines.add(o.line());
                }
            }
            if (!complete()) {
                lines.add(String.format(
                        Locale.ROOT,
                        "incomplete: %d of %d solves; continue with --resume",
                        outcomes.size(),
                        solvesPlanned));
            }
            return lines;
        }

        /** Writes the JSON result file atomically. */
        public void writeJson(Path file) {
            String text = jsonText() + "\n";
            AtomicFiles.write(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Writes the CSV atomically. */
        public void writeCsv(Path file) {
            String text = csvText();
            AtomicFiles.write(file, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Writes the JSON result and, when {@code csv} is not null, the CSV, as one set (both appear together). */
        public void write(Path json, Path csv) {
            ImageStudyJson.writeBoth(json, jsonText() + "\n", csv, this::csvText);
        }

        /** A result file read back ({@link FrustrationCodec#result(JsonNode)}). */
        public static Result fromJson(JsonNode j) {
            return FrustrationCodec.result(j);
        }

        /** The result file {@code file} read back. */
        public static Result read(Path file) {
            JsonNode j;
            try {
                j = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new NnfrustException(
                        "cannot read " + file + ": " + e.getMessage().split("\n")[0]);
            }
            try {
                return fromJson(j);
            } catch (NnfrustException e) {
                throw new NnfrustException(file + ": " + e.getMessage());
            }
        }
    }

    /** As {@link #run(Network, Config, RunControl, N2Storage, Consumer)} with N2's default storage and no log. */
    public static Result run(Network net, Config c, RunControl<Outcome> control) {
        return run(net, c, control, N2Storage.DEFAULT, s -> {});
    }

    /**
     * Runs the pending solves of {@code control.shard()} on {@code net} (all, or those not in the checkpoint when
     * resuming; at most {@code control.stopAfter()} when positive), then, for a whole and complete run with bounds
     * asked for, the certified intervals ({@code log} hears their progress).
     *
     * @param n2 where N2 networks keep their weights (does not change a result)
     */
    public static Result run(Network net, Config c, RunControl<Outcome> control, N2Storage n2, Consumer<String> log) {
        requireModel(net, c);
        return result(net, c, control, FrustrationExecutor.run(net.graph(), c, control, n2, true), log);
    }

    /**
     * The result of what {@code control.checkpoint()} already holds, without any new solve (the bounds are computed
     * when they are asked for and the run is whole and complete).
     */
    public static Result collect(Network net, Config c, RunControl<Outcome> control, Consumer<String> log) {
        requireModel(net, c);
        return result(net, c, control, FrustrationExecutor.run(net.graph(), c, control, N2Storage.DEFAULT, false), log);
    }

    /**
     * The result of the whole run from the result lines of its merged shards ({@link CheckpointMerge}): the lines
     * that are solves of {@code c}'s tasks, in task order, without any new solve; then the bounds as in
     * {@link #run}.
     */
    public static Result merge(Network net, Config c, List<JsonNode> lines, int threads, Consumer<String> log) {
        requireModel(net, c);
        List<Task> tasks = FrustrationTasks.all(c);
        Map<String, Outcome> done = FrustrationCodec.outcomes(lines, tasks);
        List<Outcome> outcomes = new ArrayList<>();
        for (Task t : tasks) {
            Outcome o = done.get(t.key());
            if (o != null) {
                outcomes.add(o);
            }
        }
        return result(net, c, RunControl.simple(threads), outcomes, log);
    }

    private static Result result(
            Network net, Config c, RunControl<Outcome> control, List<Outcome> outcomes, Consumer<String> log) {
        int planned = FrustrationTasks.ofShard(c, control.shard()).size();
        CertifiedOrdering.Result bounds = null;
        if (c.bounds() > 0 && control.shard().isAll() && outcomes.size() == planned) {
            bounds = CertifiedOrdering.compute(
                    net.graph(), c, outcomes, c.bounds(), c.boundsConfig(), control.threads() > 1, log);
        }
        return Result.of(c, control.shard(), planned, outcomes, bounds, Origin.now(net, control.threads()));
    }

    /** The model a configuration names, loaded with its import options and checked against its SHA-256. */
    public static Network loadModel(Config c) {
        Network net = ModelLoader.load(c.model(), c.importOptions());
        requireModel(net, c);
        return net;
    }

    private static void requireModel(Network net, Config c) {
        if (!c.modelSha256().equals(net.sha256())) {
            throw new NnfrustException("the configuration's model " + c.model() + " has sha256 " + c.modelSha256()
                    + ", but the model given has sha256 " + net.sha256()
                    + " (" + net.source() + "); the model file changed since the run, or it is another model");
        }
    }

    /**
     * The solves alone, on a graph (no provenance): the pending tasks of {@code control.shard()} run as by
     * {@link #run}, every finished outcome of the shard returned in task order.
     */
    public static List<Outcome> solve(SignedGraph real, Config c, RunControl<Outcome> control) {
        return FrustrationExecutor.run(real, c, control, N2Storage.DEFAULT, true);
    }

    /** The null model of {@code kind} (N2 with the default storage). */
    public static NullModel nullModel(NullKind kind, WeightInit n3Init) {
        return nullModel(kind, n3Init, N2Storage.DEFAULT);
    }

    /** The null model of {@code kind}: N1, N2 (its weights kept as {@code n2} says) or N3 drawn from {@code n3Init}. */
    public static NullModel nullModel(NullKind kind, WeightInit n3Init, N2Storage n2) {
        return switch (kind) {
            case N1 -> new ShuffledParameters();
            case N2 -> new ShuffledEdges(n2);
            case N3 -> new ReinitializedWeights(n3Init);
        };
    }

    /** The solver options that determine results, as configuration fields (checkpoint headers). */
    static void putSolverOptions(ObjectNode o, SolverOptions options) {
        FrustrationCodec.putSolverOptions(o, options);
    }

    /** Heap bytes of one N2 network of {@code real} being solved, with the default storage for one at a time. */
    public static double n2Bytes(SignedGraph real) {
        return N2Budget.bytes(real, N2Storage.DEFAULT);
    }
}
