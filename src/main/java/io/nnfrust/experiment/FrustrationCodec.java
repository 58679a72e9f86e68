package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.FrustrationExperiment.Config;
import io.nnfrust.experiment.FrustrationExperiment.Origin;
import io.nnfrust.experiment.FrustrationExperiment.Outcome;
import io.nnfrust.experiment.FrustrationExperiment.Result;
import io.nnfrust.experiment.FrustrationTasks.Task;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.PoolWeightRule;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON and CSV forms of the frustration experiment, and the one place where their keys are spelled: the
 * configuration (checkpoint header and {@code provenance.config} of the result), one solve (a checkpoint line and
 * an entry of {@code results}), and the result file ({@code --output}) with its CSV ({@code --csv}). Reading is
 * strict: a missing or mistyped field is a one-line error naming the field.
 */
public final class FrustrationCodec {
    private FrustrationCodec() {}

    /** The study kind written in checkpoint headers. */
    public static final Study STUDY = Study.FRUSTRATION;

    // the result file
    public static final String MODEL = "model";
    public static final String WEIGHTS = "weights";
    public static final String SHARD = "shard";
    public static final String COMPLETE = "complete";
    public static final String SOLVES = "solves";
    public static final String SOLVES_PLANNED = "solvesPlanned";
    public static final String GROUPS = "groups";
    public static final String N = "n";
    public static final String MIN = "min";
    public static final String MEAN = "mean";
    public static final String SD = "sd";
    public static final String WELCH = "welch";
    public static final String A = "a";
    public static final String B = "b";
    public static final String T = "t";
    public static final String DF = "df";
    public static final String P = "p";
    public static final String RESULTS = "results";
    public static final String BOUNDS = "bounds";
    public static final String PROVENANCE = "provenance";
    public static final String CONFIG = "config";
    public static final String THREADS = "threads";

    // one solve
    public static final String TYPE = "type";
    public static final String RESULT = "result";
    public static final String GROUP = "group";
    public static final String REPLICA = "replica";
    public static final String INSTANCE = "instance";
    public static final String NULL_SEED = "nullSeed";
    public static final String SEED = "seed";
    public static final String INITIAL_FLIPS = "initialFlips";
    public static final String EPSILON = "epsilon";
    public static final String FLIPS = "flips";
    public static final String SECONDS = "seconds";
    public static final String LOCAL_MINIMUM = "localMinimum";

    // the configuration
    public static final String MODEL_SHA256 = "modelSha256";
    public static final String IMPORT_OPTIONS = "importOptions";
    public static final String SOLVER = "solver";
    public static final String REPLICAS = "replicas";
    public static final String NULLS = "nulls";
    public static final String NULL_COUNT = "nullCount";
    public static final String N3_INIT = "n3Init";
    public static final String MAX_ITERATIONS = "maxIterations";
    public static final String SWEEPS = "sweeps";
    public static final String T_START = "tStart";
    public static final String T_END = "tEnd";
    public static final String BOUND_RANK = "boundRank";

    /** The CSV header line: one row per solve. */
    public static final String CSV_HEADER =
            "group,replica,instance,nullSeed,seed,initialFlips,epsilon,flips,seconds,localMinimum\n";

    /** The solver options that determine results, as configuration fields (checkpoint headers). */
    public static void putSolverOptions(ObjectNode o, SolverOptions options) {
        o.put(INITIAL_FLIPS, options.initialFlips());
        o.put(MAX_ITERATIONS, options.maxIterations());
        o.put(SWEEPS, options.sweeps());
        o.put(T_START, options.startTemperature());
        o.put(T_END, options.endTemperature());
    }

    /** The configuration as the checkpoint header and {@code provenance.config} hold it. */
    public static ObjectNode config(ObjectMapper m, Config c) {
        ObjectNode o = m.createObjectNode();
        o.put(MODEL, c.model());
        o.put(MODEL_SHA256, c.modelSha256());
        o.set(IMPORT_OPTIONS, c.importOptions().toJson(m));
        o.put(SOLVER, c.solver().label());
        o.put(REPLICAS, c.replicas());
        o.put(NULLS, String.join(",", c.nulls().stream().map(Enum::name).toList()));
        o.put(NULL_COUNT, c.nullCount());
        o.put(N3_INIT, c.n3Init().label());
        o.put(SEED, c.seed());
        putSolverOptions(o, c.options());
        if (c.bounds() > 0) { // absent without bounds: the configurations of earlier versions read the same
            o.put(BOUNDS, c.bounds());
            o.put(BOUND_RANK, c.boundRank());
        }
        return o;
    }

    /** The configuration of {@link #config(ObjectMapper, Config)} read back (headers of earlier versions too). */
    public static Config config(JsonNode j) {
        String where = "the frustration experiment's configuration";
        if (j == null || !j.isObject()) {
            throw new NnfrustException(where + " is missing or not a JSON object");
        }
        JsonNode io = field(j, IMPORT_OPTIONS, where);
        ImportOptions importOptions = new ImportOptions(
                field(io, "inputHeight", where).asInt(),
                field(io, "inputWidth", where).asInt(),
                AddConvention.valueOf(upper(field(io, "add", where))),
                PoolWeightRule.valueOf(upper(field(io, "poolWeight", where))),
                BatchNormConvention.valueOf(upper(field(io, "batchNorm", where))));
        List<NullKind> nulls = nullKinds(field(j, NULLS, where).asText(), where + ": " + NULLS);
        SolverOptions options = new SolverOptions(
                field(j, INITIAL_FLIPS, where).asLong(),
                field(j, MAX_ITERATIONS, where).asLong(),
                field(j, SWEEPS, where).asInt(),
                field(j, T_START, where).asDouble(),
                field(j, T_END, where).asDouble(),
                false,
                0);
        return new Config(
                field(j, MODEL, where).asText(),
                field(j, MODEL_SHA256, where).asText(),
                importOptions,
                SolverKind.parse(field(j, SOLVER, where).asText(), where + ": " + SOLVER),
                field(j, REPLICAS, where).asInt(),
                nulls,
                field(j, NULL_COUNT, where).asInt(),
                WeightInit.parse(field(j, N3_INIT, where).asText()),
                field(j, SEED, where).asLong(),
                options,
                j.path(BOUNDS).asInt(0),
                j.has(BOUND_RANK) ? j.get(BOUND_RANK).asInt() : Config.DEFAULT_BOUND_RANK);
    }

    /** The null kinds of a comma-separated list ("N1,N3"; "" for none); an unknown one is an error naming {@code where}. */
    public static List<NullKind> nullKinds(String commaSeparated, String where) {
        List<NullKind> nulls = new ArrayList<>();
        for (String k : commaSeparated.split(",")) {
            if (!k.isBlank()) {
                nulls.add(NullKind.parse(k, where));
            }
        }
        return nulls;
    }

    /** One solve as a checkpoint line and an entry of {@code results}. */
    public static ObjectNode outcome(ObjectMapper m, Outcome o) {
        ObjectNode r = m.createObjectNode();
        r.put(TYPE, RESULT);
        r.put(GROUP, o.task().group());
        r.put(REPLICA, o.task().replica());
        r.put(INSTANCE, o.task().instance());
        r.put(NULL_SEED, o.task().nullSeed());
        r.put(SEED, o.task().seed());
        r.put(INITIAL_FLIPS, o.task().initialFlips());
        r.put(EPSILON, o.epsilon());
        r.put(FLIPS, o.flips());
        r.put(SECONDS, o.seconds());
        r.put(LOCAL_MINIMUM, o.localMinimum());
        return r;
    }

    /**
     * The solves among {@code lines} that belong to {@code tasks} (same group, replica, instance and seed), by task
     * key; other or malformed lines are left out (their task runs again).
     */
    public static Map<String, Outcome> outcomes(List<JsonNode> lines, List<Task> tasks) {
        Map<String, Task> byKey = new LinkedHashMap<>();
        for (Task t : tasks) {
            byKey.put(t.key(), t);
        }
        Map<String, Outcome> done = new LinkedHashMap<>();
        for (JsonNode j : lines) {
            try {
                Task t = byKey.get(FrustrationTasks.key(
                        j.get(GROUP).asText(),
                        j.get(REPLICA).asInt(),
                        j.get(INSTANCE).asInt()));
                if (t != null && t.seed() == j.get(SEED).asLong()) {
                    done.put(t.key(), outcome(j, t));
                }
            } catch (RuntimeException malformed) {
                // not a result of this experiment: ignored, the task runs again
            }
        }
        return done;
    }

    private static Outcome outcome(JsonNode j, Task t) {
        return new Outcome(
                t,
                j.get(EPSILON).asDouble(),
                j.get(FLIPS).asLong(),
                j.get(SECONDS).asDouble(),
                j.get(LOCAL_MINIMUM).asBoolean());
    }

    /** The result file: summary, groups, Welch tests, every solve, optional bounds, provenance. */
    public static ObjectNode result(ObjectMapper m, Result r) {
        ObjectNode out = m.createObjectNode();
        out.put(MODEL, r.config().model());
        out.put(WEIGHTS, r.origin().weights());
        if (!r.shard().isAll()) {
            out.put(SHARD, r.shard().toString());
        }
        out.put(COMPLETE, r.complete());
        out.put(SOLVES, r.outcomes().size());
        out.put(SOLVES_PLANNED, r.solvesPlanned());
        ObjectNode g = out.putObject(GROUPS);
        for (FrustrationStatistics.GroupStats s : r.groups()) {
            g.putObject(s.group())
                    .put(N, s.n())
                    .put(MIN, s.min())
                    .put(MEAN, s.mean())
                    .put(SD, s.sd());
        }
        ArrayNode tests = out.putArray(WELCH);
        for (FrustrationStatistics.Comparison c : r.welch()) {
            tests.addObject()
                    .put(A, c.a())
                    .put(B, c.b())
                    .put(T, c.test().t())
                    .put(DF, c.test().df())
                    .put(P, c.test().p());
        }
        ArrayNode res = out.putArray(RESULTS);
        for (Outcome o : r.outcomes()) {
            res.add(outcome(m, o));
        }
        if (r.bounds() != null) {
            out.set(BOUNDS, r.bounds().toJson(m, r.config().boundsConfig()));
        }
        out.set(PROVENANCE, r.origin().toJson(m, config(m, r.config())));
        return out;
    }

    /**
     * A result file read back: its configuration ({@code provenance.config}), shard, solves (each checked to be a
     * task of that configuration), bounds and provenance; groups and Welch tests are recomputed from the solves.
     */
    public static Result result(JsonNode j) {
        String where = "the frustration experiment's result";
        if (j == null || !j.isObject() || !j.has(RESULTS) || !j.path(PROVENANCE).has(CONFIG)) {
            throw new NnfrustException(
                    where + " is not there: the file is not the JSON --output of 'nnfrust experiment frustration'");
        }
        JsonNode prov = j.get(PROVENANCE);
        int schema = prov.path("schemaVersion").asInt(1);
        if (schema != Provenance.SCHEMA_VERSION) {
            throw new NnfrustException(
                    where + " has output schema " + schema + "; this nnfrust reads " + Provenance.SCHEMA_VERSION);
        }
        Config c = config(prov.get(CONFIG));
        Shard shard = j.has(SHARD) ? Shard.parse(j.get(SHARD).asText(), Map.of()) : Shard.ALL;
        List<Task> tasks = FrustrationTasks.ofShard(c, shard);
        Map<String, Task> byKey = new LinkedHashMap<>();
        tasks.forEach(t -> byKey.put(t.key(), t));
        List<Outcome> outcomes = new ArrayList<>();
        for (JsonNode r : j.get(RESULTS)) {
            String key = FrustrationTasks.key(
                    field(r, GROUP, where).asText(),
                    field(r, REPLICA, where).asInt(),
                    field(r, INSTANCE, where).asInt());
            Task t = byKey.remove(key);
            if (t == null || t.seed() != field(r, SEED, where).asLong()) {
                throw new NnfrustException(
                        where + ": solve " + key + " is not a task of its configuration" + " (or appears twice)");
            }
            field(r, EPSILON, where);
            field(r, FLIPS, where);
            field(r, SECONDS, where);
            field(r, LOCAL_MINIMUM, where);
            outcomes.add(outcome(r, t));
        }
        outcomes.sort((x, y) -> Integer.compare(x.task().index(), y.task().index()));
        CertifiedOrdering.Result bounds = j.has(BOUNDS) ? CertifiedOrdering.Result.of(j.get(BOUNDS)) : null;
        return Result.of(
                c,
                shard,
                field(j, SOLVES_PLANNED, where).asInt(),
                outcomes,
                bounds,
                Origin.fromJson(prov, field(j, WEIGHTS, where).asText()));
    }

    /** One row per solve, in task order. */
    public static String csv(Result r) {
        StringBuilder b = new StringBuilder(CSV_HEADER);
        for (Outcome o : r.outcomes()) {
            Task k = o.task();
            b.append(String.format(
                    Locale.ROOT,
                    "%s,%d,%d,%d,%d,%d,%.12f,%d,%.3f,%b%n",
                    k.group(),
                    k.replica(),
                    k.instance(),
                    k.nullSeed(),
                    k.seed(),
                    k.initialFlips(),
                    o.epsilon(),
                    o.flips(),
                    o.seconds(),
                    o.localMinimum()));
        }
        return b.toString();
    }

    private static JsonNode field(JsonNode j, String key, String where) {
        JsonNode v = j.get(key);
        if (v == null || v.isNull()) {
            throw new NnfrustException(where + " has no field '" + key + "'");
        }
        return v;
    }

    private static String upper(JsonNode v) {
        return v.asText().toUpperCase(Locale.ROOT);
    }
}
