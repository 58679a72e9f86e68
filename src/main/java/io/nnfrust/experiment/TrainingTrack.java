package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.IdxImages;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training study ({@code nnfrust track}): the same protocol on every checkpoint of one training run, with the
 * same seeds, so that frustration, its null baselines, accuracy and near-monotonicity can be read against the
 * epoch. Per checkpoint:
 * <ul>
 *   <li>the graph summary (nodes, edges, parameters, Σ|A|);</li>
 *   <li>top-1 accuracy on a labelled IDX image set ({@link IdxImages}), when one is given;</li>
 *   <li>the solves of {@code experiment frustration} with these settings ({@link FrustrationTasks#all}):
 *   {@code restarts} restarts on the checkpoint's own network (R) and, per null kind, {@code nullCount} null
 *   networks each solved twice; the seeds are those of {@code experiment frustration CHECKPOINT --seed S}, so
 *   every ε equals the single-model command's;</li>
 *   <li>optionally λ and Ω (paper eq. 9, 10) of perturbations along the input order of the checkpoint's best R
 *   spins, on the first images of the set, beside the same for a random partial order
 *   ({@link MonotonicityEngine}, seeds {@link MonotonicityExperiment.Seeds#of}).</li>
 * </ul>
 * Work units, in a fixed order: per checkpoint, one unit "R" (its restarts, then accuracy and λ, which need the
 * best spins) and one unit per null network. Shard K of N runs the units u with u mod N = K − 1; a run resumes
 * from its JSON Lines checkpoint; results do not depend on threads, shards or interruptions.
 */
public final class TrainingTrack {
    private TrainingTrack() {}

    /** Null models a track may compute (N2 is left out: its cost and heap are those of the real network's edges). */
    public enum NullKind {
        N1,
        N2,
        N3
    }

    /** How the checkpoints are put in order. */
    public enum Order {
        /** As given. */
        GIVEN,
        /** By file name. */
        NAME,
        /** By the epoch in the file name (its last run of digits) or the list given. */
        EPOCH
    }

    /** One checkpoint of the series and its epoch (-1 when unknown). */
    public record Snapshot(Path file, int epoch) {}

    /** A labelled IDX image set: accuracy on the first {@code limit} images (0: all). */
    public record Images(Path images, Path labels, int limit) {
        public Images {
            if (limit < 0) {
                throw new NnfrustException("limit must be >= 0, got " + limit);
            }
        }
    }

    /** λ and Ω on the first {@code images} images of the set, {@code amplitudes.count()} perturbations each. */
    public record Monotonicity(int images, AmplitudeSchedule amplitudes, int batch) {
        public Monotonicity {
            if (images < 1) {
                throw new NnfrustException("lambdaImages must be >= 1 for λ, got " + images);
            }
            if (batch < 1) {
                throw new NnfrustException("batch must be at least 1, got " + batch);
            }
        }
    }

    /**
     * Everything that determines the results (its JSON is the checkpoint header's configuration).
     *
     * @param snapshots    the checkpoints in study order
     * @param restarts     K restarts on each checkpoint's network; ε_R is the best
     * @param nullCount    null networks of each kind per checkpoint
     * @param images       labelled images for accuracy, or null
     * @param monotonicity λ and Ω, or null (needs {@code images})
     */
    public record Config(
            List<Snapshot> snapshots,
            ImportOptions importOptions,
            String solver,
            SolverOptions options,
            int restarts,
            List<NullKind> nulls,
            int nullCount,
            WeightInit n3Init,
            long seed,
            Images images,
            Monotonicity monotonicity) {
        public Config {
            snapshots = List.copyOf(snapshots);
            nulls = List.copyOf(nulls);
            if (snapshots.isEmpty()) {
                throw new NnfrustException("no checkpoint to track");
            }
            if (restarts < 1) {
                throw new NnfrustException("restarts must be >= 1, got " + restarts);
            }
            if (nullCount < 0 || (!nulls.isEmpty() && nullCount < 1)) {
                throw new NnfrustException("nullCount must be >= 1 with null models, got " + nullCount);
            }
            if (nulls.size() != nulls.stream().distinct().count()) {
                throw new NnfrustException("nulls names a null model twice: " + nulls);
            }
            Solvers.byName(solver);
            if (monotonicity != null && images == null) {
                throw new NnfrustException(
                        "--lambda-images needs a labelled image set (--images-idx and --labels-idx)");
            }
            if (monotonicity != null && images.limit() > 0 && monotonicity.images() > images.limit()) {
                throw new NnfrustException(
                        "--lambda-images " + monotonicity.images() + " exceeds --limit " + images.limit());
            }
            var seen = new HashSet<Path>();
            for (Snapshot s : snapshots) {
                if (!seen.add(s.file().toAbsolutePath().normalize())) {
                    throw new NnfrustException("checkpoint " + s.file() + " is given twice");
                }
            }
        }

        /** The {@code experiment frustration} configuration of checkpoint {@code i} (same tasks and seeds). */
        public FrustrationExperiment.Config frustration(int i, String sha256) {
            return new FrustrationExperiment.Config(
                    snapshots.get(i).file().toString(),
                    sha256,
                    importOptions,
                    SolverKind.parse(solver, "solver"),
                    restarts,
                    FrustrationCodec.nullKinds(
                            String.join(",", nulls.stream().map(Enum::name).toList()), "nulls"),
                    nullCount,
                    n3Init,
                    seed,
                    options);
        }

        ObjectNode toJson(ObjectMapper m, List<String> sha256) {
            ObjectNode o = m.createObjectNode();
            o.put("study", "track");
            ArrayNode cs = o.putArray("checkpoints");
            for (int i = 0; i < snapshots.size(); i++) {
                cs.addObject()
                        .put("file", snapshots.get(i).file().toString())
                        .put("epoch", snapshots.get(i).epoch())
                        .put("sha256", sha256.get(i));
            }
            o.set("importOptions", importOptions.toJson(m));
            o.put("solver", solver);
            o.put("restarts", restarts);
            o.put("nulls", String.join(",", nulls.stream().map(Enum::name).toList()));
            o.put("nullCount", nullCount);
            o.put("n3Init", n3Init.label());
            o.put("seed", seed);
            FrustrationCodec.putSolverOptions(o, options);
            if (images != null) {
                o.put("images", images.images().toAbsolutePath().normalize().toString());
                o.put("labels", images.labels().toAbsolutePath().normalize().toString());
                o.put("limit", images.limit());
                o.put("preprocessing", IdxImages.PREPROCESSING);
            }
            if (monotonicity != null) {
                o.put("lambdaImages", monotonicity.images());
                o.put("perturbations", monotonicity.amplitudes().count());
                o.put("amplitudeMin", monotonicity.amplitudes().min());
                o.put("amplitudeMax", monotonicity.amplitudes().max());
                o.put("spacing", monotonicity.amplitudes().logarithmic() ? "log" : "linear");
            }
            return o;
        }
    }

    /** How a run is carried out; none of it changes a result. */
    public record RunControl(
            int threads,
            Shard shard,
            Path checkpoint,
            boolean resume,
            int stopAfter,
            List<Path> fromShards,
            Consumer<? super UnitResult> progress) {
        public RunControl {
            fromShards = fromShards == null ? List.of() : List.copyOf(fromShards);
            if (threads < 1) {
                throw new NnfrustException("threads must be >= 1, got " + threads);
            }
            if (stopAfter < 0) {
                throw new NnfrustException("stopAfter must be >= 0");
            }
            if (!fromShards.isEmpty() && (checkpoint != null || !shard.isAll())) {
                throw new NnfrustException(
                        "fromShards reads finished shards: give it without a shard and a checkpoint");
            }
        }

        /** One process, all the work, no checkpoint. */
        public static RunControl simple(int threads) {
            return new RunControl(threads, Shard.ALL, null, false, 0, List.of(), null);
        }
    }

    /** λ and Ω of one order on one checkpoint (pooled over images and perturbations). */
    public record Lambda(
            double lambda, boolean attained, int samples, double meanOmega, double shareAbove, double keptOverall) {
        ObjectNode toJson(ObjectMapper m) {
            return m.createObjectNode()
                    .put("lambda", lambda)
                    .put("attained", attained)
                    .put("samples", samples)
                    .put("meanOmega", meanOmega)
                    .put("shareAbove", shareAbove)
                    .put("keptOverall", keptOverall);
        }

        static Lambda of(JsonNode j) {
            return new Lambda(
                    j.get("lambda").asDouble(),
                    j.get("attained").asBoolean(),
                    j.get("samples").asInt(),
                    j.get("meanOmega").asDouble(),
                    j.get("shareAbove").asDouble(),
                    j.get("keptOverall").asDouble());
        }
    }

    /**
     * The result of one unit: checkpoint {@code checkpoint}, unit {@code unit} ("R" or "N1/3": kind/network), its
     * solves; for R also the accuracy, λ of the best spins and λ of a random order (null when not asked).
     */
    public record UnitResult(
            int checkpoint,
            String unit,
            List<FrustrationExperiment.Outcome> solves,
            Accuracy accuracy,
            Lambda lambda,
            Lambda lambdaRandomOrder) {
        String key() {
            return checkpoint + "/" + unit;
        }

        String toLine(ObjectMapper m) {
            ObjectNode r = m.createObjectNode();
            r.put("type", "result");
            r.put("checkpoint", checkpoint);
            r.put("unit", unit);
            ArrayNode s = r.putArray("solves");
            for (FrustrationExperiment.Outcome o : solves) {
                s.add(m.valueToTree(readTree(m, FrustrationCodec.outcome(m, o).toString())));
            }
            if (accuracy != null) {
                r.putObject("accuracy")
                        .put("labelled", accuracy.labelled())
                        .put("top1", accuracy.top1())
                        .put("top5", accuracy.top5())
                        .put("classes", accuracy.classes());
            }
            if (lambda != null) {
                r.set("lambda", lambda.toJson(m));
                r.set("lambdaRandomOrder", lambdaRandomOrder.toJson(m));
            }
            return r.toString();
        }
    }

    /** The summary of one checkpoint. */
    public record Point(
            int index,
            Snapshot snapshot,
            String sha256,
            long nodes,
            long edges,
            long params,
            double absWeightSum,
            Accuracy accuracy,
            Map<String, FrustrationStatistics.GroupStats> groups,
            Map<String, double[]> perNetwork,
            Lambda lambda,
            Lambda lambdaRandomOrder,
            List<FrustrationExperiment.Outcome> solves) {
        /** ε_R: the best of the K restarts. */
        public double epsilonR() {
            var r = groups.get("R");
            return r == null ? Double.NaN : r.min();
        }

        /** Mean over the null networks of a kind of each network's best ε (of its two solves). */
        public double epsilonNull(String kind) {
            double[] e = perNetwork.get(kind);
            return e == null || e.length == 0 ? Double.NaN : WelchTest.mean(e);
        }

        /** Standard deviation over the null networks of a kind of each network's best ε. */
        public double epsilonNullSd(String kind) {
            double[] e = perNetwork.get(kind);
            return e == null || e.length < 2 ? Double.NaN : Math.sqrt(WelchTest.variance(e, WelchTest.mean(e)));
        }

        /** ε_N − ε_R: mean null-network ε minus the best real ε. */
        public double gap(String kind) {
            return epsilonNull(kind) - epsilonR();
        }
    }

    /** The study's result: its configuration, one point per checkpoint, whether every unit is done. */
    public record Result(
            Config config,
            List<String> sha256,
            List<Point> points,
            int unitsDone,
            int unitsPlanned,
            Shard shard,
            int threads,
            Provenance provenance) {
        public boolean complete() {
            return unitsDone == unitsPlanned;
        }

        /** The JSON document ({@code --output}): summary per checkpoint, every solve, configuration, provenance. */
        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode out = m.createObjectNode();
            out.put("study", "track");
            if (!shard.isAll()) {
                out.put("shard", shard.toString());
            }
            out.put("complete", complete());
            out.put("units", unitsDone);
            out.put("unitsPlanned", unitsPlanned);
            ArrayNode pts = out.putArray("checkpoints");
            for (Point p : points) {
                ObjectNode j = pts.addObject();
                j.put("index", p.index());
                j.put("file", p.snapshot().file().toString());
                j.put("epoch", p.snapshot().epoch());
                j.put("sha256", p.sha256());
                j.putObject("graph")
                        .put("nodes", p.nodes())
                        .put("edges", p.edges())
                        .put("params", p.params())
                        .put("absWeightSum", p.absWeightSum());
                if (p.accuracy() != null) {
                    j.putObject("accuracy")
                            .put("labelled", p.accuracy().labelled())
                            .put("top1", p.accuracy().top1())
                            .put("top5", p.accuracy().top5())
                            .put("classes", p.accuracy().classes())
                            .put("top1Rate", p.accuracy().top1Rate());
                }
                j.put("epsilonR", p.epsilonR());
                ObjectNode g = j.putObject("groups");
                p.groups()
                        .forEach((name, s) -> g.putObject(name)
                                .put("n", s.n())
                                .put("min", s.min())
                                .put("mean", s.mean())
                                .put("sd", s.sd()));
                ObjectNode nulls = j.putObject("nulls");
                for (String kind : p.perNetwork().keySet()) {
                    double[] e = p.perNetwork().get(kind);
                    ObjectNode k = nulls.putObject(kind);
                    k.put("networks", e.length)
                            .put("mean", p.epsilonNull(kind))
                            .put("sd", p.epsilonNullSd(kind))
                            .put("min", Arrays.stream(e).min().orElse(Double.NaN))
                            .put("gap", p.gap(kind));
                }
                if (p.lambda() != null) {
                    j.set("lambda", p.lambda().toJson(m));
                    j.set("lambdaRandomOrder", p.lambdaRandomOrder().toJson(m));
                }
                ArrayNode res = j.putArray("results");
                for (FrustrationExperiment.Outcome o : p.solves()) {
                    res.add(readTree(m, FrustrationCodec.outcome(m, o).toString()));
                }
            }
            ObjectNode prov = provenance.toJson(m);
            prov.set("config", config.toJson(m, sha256));
            prov.put("threads", threads);
            out.set("provenance", prov);
            return out;
        }

        /** One CSV row per checkpoint ({@code --csv}). */
        public String toCsv() {
            List<String> kinds = config.nulls().stream().map(Enum::name).toList();
            StringBuilder b = new StringBuilder("index,file,epoch,nodes,edges,params,absWeightSum,labelled,top1,"
                    + "accuracy,epsilonR,epsilonRMean,epsilonRSd");
            for (String k : kinds) {
                b.append(",epsilon")
                        .append(k)
                        .append(",epsilon")
                        .append(k)
                        .append("Sd,gap")
                        .append(k);
            }
            b.append(",lambda,meanOmega,lambdaRandomOrder,meanOmegaRandomOrder\n");
            for (Point p : points) {
                var r = p.groups().get("R");
                b.append(String.format(
                        Locale.ROOT,
                        "%d,%s,%d,%d,%d,%d,%.9g",
                        p.index(),
                        csv(p.snapshot().file().getFileName().toString()),
                        p.snapshot().epoch(),
                        p.nodes(),
                        p.edges(),
                        p.params(),
                        p.absWeightSum()));
                if (p.accuracy() != null) {
                    b.append(String.format(
                            Locale.ROOT,
                            ",%d,%d,%.6f",
                            p.accuracy().labelled(),
                            p.accuracy().top1(),
                            p.accuracy().top1Rate()));
                } else {
                    b.append(",,,");
                }
                b.append(r == null ? ",,," : String.format(Locale.ROOT, ",%.9f,%.9f,%.9f", r.min(), r.mean(), r.sd()));
                for (String k : kinds) {
                    b.append(
                            p.perNetwork().containsKey(k)
                                    ? String.format(
                                            Locale.ROOT,
                                            ",%.9f,%.9f,%.9f",
                                            p.epsilonNull(k),
                                            p.epsilonNullSd(k),
                                            p.gap(k))
                                    : ",,,");
                }
                if (p.lambda() != null) {
                    b.append(String.format(
                            Locale.ROOT,
                            ",%.6f,%.6f,%.6f,%.6f%n",
                            p.lambda().lambda(),
                            p.lambda().meanOmega(),
                            p.lambdaRandomOrder().lambda(),
                            p.lambdaRandomOrder().meanOmega()));
                } else {
                    b.append(",,,,\n");
                }
            }
            return b.toString();
        }

        private static String csv(String s) {
            return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }

    /**
     * The per-checkpoint summary of a track JSON document ({@link Result#toJson}), for the report: epoch, accuracy,
     * ε_R, the null means and gaps, λ.
     */
    public record Row(
            int index,
            String file,
            int epoch,
            double accuracy,
            double epsilonR,
            double epsilonRMean,
            Map<String, double[]> nulls,
            double lambda,
            double lambdaRandomOrder,
            double meanOmega,
            double meanOmegaRandomOrder,
            double absWeightSum) {
        /** The rows of a track JSON document. Refuses a document that is not one. */
        public static List<Row> read(JsonNode doc, String source) {
            if (doc == null || !"track".equals(doc.path("study").asText())) {
                throw new NnfrustException(
                        source + " is not the JSON result of 'nnfrust track' (no \"study\": \"track\")");
            }
            List<Row> rows = new ArrayList<>();
            for (JsonNode c : doc.path("checkpoints")) {
                Map<String, double[]> nulls = new LinkedHashMap<>();
                c.path("nulls")
                        .fields()
                        .forEachRemaining(e -> nulls.put(e.getKey(), new double[] {
                            e.getValue().path("mean").asDouble(Double.NaN),
                            e.getValue().path("sd").asDouble(Double.NaN),
                            e.getValue().path("gap").asDouble(Double.NaN)
                        }));
                rows.add(new Row(
                        c.path("index").asInt(),
                        c.path("file").asText(),
                        c.path("epoch").asInt(-1),
                        c.path("accuracy").path("top1Rate").asDouble(Double.NaN),
                        c.path("epsilonR").asDouble(Double.NaN),
                        c.path("groups").path("R").path("mean").asDouble(Double.NaN),
                        nulls,
                        c.path("lambda").path("lambda").asDouble(Double.NaN),
                        c.path("lambdaRandomOrder").path("lambda").asDouble(Double.NaN),
                        c.path("lambda").path("meanOmega").asDouble(Double.NaN),
                        c.path("lambdaRandomOrder").path("meanOmega").asDouble(Double.NaN),
                        c.path("graph").path("absWeightSum").asDouble(Double.NaN)));
            }
            return rows;
        }
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    private static final Pattern DIGITS = Pattern.compile("(\\d+)(?!.*\\d)");

    /** The epoch in a file name: its last run of digits, or -1. */
    public static int epochOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Matcher mt = DIGITS.matcher(dot > 0 ? name.substring(0, dot) : name);
        if (!mt.find()) {
            return -1;
        }
        try {
            return Integer.parseInt(mt.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The checkpoints of {@code args} (files, or one folder whose {@code .onnx} files are taken) in study order:
     * {@code order}, with {@code epochs} (one per checkpoint, in the order given) when not null.
     */
    public static List<Snapshot> snapshots(List<Path> args, Order order, List<Integer> epochs) {
        List<Path> files = new ArrayList<>();
        for (Path a : args) {
            if (Files.isDirectory(a)) {
                try (Stream<Path> s = Files.list(a)) {
                    List<Path> in = s.filter(p -> p.getFileName()
                                    .toString()
                                    .toLowerCase(Locale.ROOT)
                                    .endsWith(".onnx"))
                            .filter(Files::isRegularFile)
                            .sorted()
                            .toList();
                    if (in.isEmpty()) {
                        throw new NnfrustException("folder " + a + " holds no .onnx checkpoint");
                    }
                    files.addAll(in);
                } catch (IOException e) {
                    throw new NnfrustException("cannot list " + a + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(a)) {
                files.add(a);
            } else {
                throw new NnfrustException("checkpoint not found: " + a);
            }
        }
        if (epochs != null && epochs.size() != files.size()) {
            throw new NnfrustException("epochs gives " + epochs.size() + " epochs for " + files.size()
                    + " checkpoints; give one per checkpoint, in the order of the arguments");
        }
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            int e = epochs != null ? epochs.get(i) : epochOf(files.get(i));
            if (order == Order.EPOCH && e < 0) {
                throw new NnfrustException("no epoch in the name of " + files.get(i) + " (--order epoch takes the last "
                        + "number of the file name); give --epochs E,E,... or --order name|given");
            }
            out.add(new Snapshot(files.get(i), e));
        }
        switch (order) {
            case NAME ->
                out.sort(Comparator.comparing(s -> s.file().getFileName().toString()));
            case EPOCH -> out.sort(Comparator.comparingInt(Snapshot::epoch));
            default -> {}
        }
        if (order == Order.EPOCH) {
            for (int i = 1; i < out.size(); i++) {
                if (out.get(i).epoch() == out.get(i - 1).epoch()) {
                    throw new NnfrustException("checkpoints " + out.get(i - 1).file() + " and "
                            + out.get(i).file() + " have the same epoch "
                            + out.get(i).epoch() + "; give --epochs or --order name|given");
                }
            }
        }
        return out;
    }

    /** A network's architecture: input shape and, per layer, operator, shape, nodes, edges and parameters. */
    static String architecture(Network net) {
        StringBuilder b = new StringBuilder("input " + Arrays.toString(net.inputShape()));
        for (LayerInfo l : net.layers()) {
            b.append('\n')
                    .append(l.operator())
                    .append(' ')
                    .append(l.shape())
                    .append(" nodes ")
                    .append(l.nodes())
                    .append(" edges ")
                    .append(l.edges())
                    .append(" params ")
                    .append(l.params());
        }
        return b.toString();
    }

    /** Refuses {@code net} (checkpoint {@code file}) when its architecture differs from the first checkpoint's. */
    static void requireSameArchitecture(Network first, Path firstFile, Network net, Path file) {
        String a = architecture(first), b = architecture(net);
        if (a.equals(b)) {
            return;
        }
        String[] la = a.split("\n"), lb = b.split("\n");
        int k = 0;
        while (k < Math.min(la.length, lb.length) && la[k].equals(lb[k])) {
            k++;
        }
        String what = k == 0
                ? "input"
                : "layer " + k
                        + (k - 1 < net.layers().size()
                                ? " (" + net.layers().get(k - 1).name() + ")"
                                : "");
        throw new NnfrustException("checkpoint " + file + " has another architecture than " + firstFile + ": " + what
                + " is '" + (k < lb.length ? lb[k] : "absent") + "', the first has '"
                + (k < la.length ? la[k] : "absent")
                + "'; track needs the checkpoints of one network");
    }

    // ------------------------------------------------------------------------------------------ units

    /** A unit of work: checkpoint index, its key ("R" or "N1/3") and its frustration tasks. */
    record Unit(int global, int checkpoint, String key, List<FrustrationTasks.Task> tasks) {}

    /** Every unit of the study in its fixed order (the tasks of every checkpoint are the same list). */
    static List<Unit> units(Config c) {
        List<FrustrationTasks.Task> tasks = FrustrationTasks.all(c.frustration(0, ""));
        List<FrustrationTasks.Task> r =
                tasks.stream().filter(t -> t.group().equals("R")).toList();
        List<List<FrustrationTasks.Task>> nullUnits = FrustrationTasks.units(
                tasks.stream().filter(t -> !t.group().equals("R")).toList());
        List<Unit> out = new ArrayList<>();
        for (int i = 0; i < c.snapshots().size(); i++) {
            out.add(new Unit(out.size(), i, "R", r));
            for (List<FrustrationTasks.Task> u : nullUnits) {
                out.add(new Unit(
                        out.size(), i, u.get(0).group() + "/" + u.get(0).replica(), u));
            }
        }
        return out;
    }

    /** Units planned for {@code c} with {@code shard} (for progress totals before loading anything). */
    public static int unitsPlanned(Config c, Shard shard) {
        int n = 0;
        for (Unit u : units(c)) {
            n += shard.owns(u.global()) ? 1 : 0;
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------ run

    /**
     * Runs the study (the pending units of this shard, at most {@code stopAfter} new ones when positive), or, with
     * {@link RunControl#fromShards}, reads the finished units of the shards' checkpoints without new work.
     */
    public static Result run(Config c, RunControl rc) {
        ObjectMapper m = new ObjectMapper();
        int n = c.snapshots().size();
        // identities first: the checkpoint header holds every checkpoint's SHA-256
        List<String> sha = new ArrayList<>();
        for (Snapshot s : c.snapshots()) {
            sha.add(ModelLoader.sha256(ModelLoader.readFile(s.file())));
        }
        Map<Integer, ModelLoader.Loaded> cache = new HashMap<>();
        ModelLoader.Loaded first = load(c, 0, cache);
        Network firstNet = first.network();
        cache.put(0, first);
        double[] absWeightSum = new double[n];
        absWeightSum[0] = firstNet.graph().absWeightSum();
        for (int i = 1; i < n; i++) {
            ModelLoader.Loaded l =
                    ModelLoader.loadWithModel(c.snapshots().get(i).file().toString(), c.importOptions());
            requireSameArchitecture(
                    firstNet,
                    c.snapshots().get(0).file(),
                    l.network(),
                    c.snapshots().get(i).file());
            absWeightSum[i] = l.network().graph().absWeightSum();
        }
        IdxImages images = c.images() == null
                ? null
                : IdxImages.read(
                        c.images().images(), c.images().labels(), c.images().limit());
        if (images != null
                && images.perImage() * 1L
                        != Arrays.stream(firstNet.inputShape())
                                .skip(1)
                                .asLongStream()
                                .reduce(1, (a, b) -> a * b)) {
            throw new NnfrustException("the images of " + c.images().images() + " are " + images.rows() + "x"
                    + images.cols() + " with 1 channel; the model takes " + Arrays.toString(firstNet.inputShape()));
        }
        List<Unit> all = units(c);
        List<Unit> mine = all.stream().filter(u -> rc.shard().owns(u.global())).toList();
        Map<String, UnitResult> done = new HashMap<>();
        String header = Checkpoint.header(m, c.toJson(m, sha), rc.shard(), List.of());
        Checkpoint cp = null;
        if (!rc.fromShards().isEmpty()) {
            readShards(m, c, sha, rc.fromShards(), all, done);
        } else if (rc.checkpoint() != null) {
            List<JsonNode> lines = new ArrayList<>();
            cp = Checkpoint.open(rc.checkpoint(), header, rc.resume(), lines);
            Map<String, Unit> byKey = new HashMap<>();
            mine.forEach(u -> byKey.put(u.checkpoint() + "/" + u.key(), u));
            for (JsonNode j : lines) {
                UnitResult r = parse(j, byKey);
                if (r != null) {
                    done.put(r.key(), r);
                }
            }
        }
        try {
            List<Unit> pending = new ArrayList<>();
            if (rc.fromShards().isEmpty()) {
                for (Unit u : mine) {
                    if (!done.containsKey(u.checkpoint() + "/" + u.key())
                            && (rc.stopAfter() == 0 || pending.size() < rc.stopAfter())) {
                        pending.add(u);
                    }
                }
            }
            ProgressSink.starting(rc.progress(), done.size(), pending.size());
            execute(c, rc, images, pending, cache, done, cp, m);
        } finally {
            if (cp != null) {
                cp.close();
            }
        }
        // assemble the points in checkpoint order (only units of this shard, or all when merging)
        List<Unit> counted = rc.fromShards().isEmpty() ? mine : all;
        List<Point> points = new ArrayList<>();
        int unitsDone = 0;
        for (int i = 0; i < n; i++) {
            List<UnitResult> rs = new ArrayList<>();
            for (Unit u : counted) {
                UnitResult r = u.checkpoint() == i ? done.get(i + "/" + u.key()) : null;
                if (r != null) {
                    rs.add(r);
                    unitsDone++;
                }
            }
            if (!rs.isEmpty()) {
                points.add(point(c, i, sha.get(i), firstNet, absWeightSum[i], rs));
            }
        }
        return new Result(
                c,
                sha,
                points,
                unitsDone,
                counted.size(),
                rc.fromShards().isEmpty() ? rc.shard() : Shard.ALL,
                rc.threads(),
                Provenance.current());
    }

    private static ModelLoader.Loaded load(Config c, int i, Map<Integer, ModelLoader.Loaded> cache) {
        synchronized (cache) {
            ModelLoader.Loaded l = cache.get(i);
            if (l == null) {
                l = ModelLoader.loadWithModel(c.snapshots().get(i).file().toString(), c.importOptions());
                cache.put(i, l);
            }
            return l;
        }
    }

    /** Runs the pending units checkpoint by checkpoint (its units in parallel), appending each to the checkpoint. */
    private static void execute(
            Config c,
            RunControl rc,
            IdxImages images,
            List<Unit> pending,
            Map<Integer, ModelLoader.Loaded> cache,
            Map<String, UnitResult> done,
            Checkpoint cp,
            ObjectMapper m) {
        if (pending.isEmpty()) {
            return;
        }
        FrustrationSolver solver = Solvers.byName(c.solver());
        ExecutorService pool = Executors.newFixedThreadPool(rc.threads(), r -> {
            Thread th = new Thread(r, "nnfrust-track");
            th.setDaemon(true);
            return th;
        });
        Object lock = new Object();
        try {
            int at = 0;
            while (at < pending.size()) {
                int ckpt = pending.get(at).checkpoint();
                int end = at;
                while (end < pending.size() && pending.get(end).checkpoint() == ckpt) {
                    end++;
                }
                ModelLoader.Loaded loaded = load(c, ckpt, cache);
                SpinGlass real = new SpinGlass(loaded.network().graph());
                List<Future<?>> futures = new ArrayList<>();
                for (Unit u : pending.subList(at, end)) {
                    futures.add(pool.submit(() -> {
                        UnitResult r = solveUnit(c, u, loaded, real, solver, images);
                        synchronized (lock) {
                            done.put(r.key(), r);
                            if (cp != null) {
                                cp.append(r.toLine(m));
                            }
                            if (rc.progress() != null) {
                                rc.progress().accept(r);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                synchronized (cache) {
                    cache.remove(ckpt); // one checkpoint's network in memory at a time (beside the first)
                }
                at = end;
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
        }
    }

    /** One unit: its solves (as {@link FrustrationExperiment#run} does them), then for R accuracy and λ. */
    static UnitResult solveUnit(
            Config c, Unit u, ModelLoader.Loaded loaded, SpinGlass real, FrustrationSolver solver, IdxImages images) {
        FrustrationTasks.Task head = u.tasks().get(0);
        boolean isReal = head.group().equals("R");
        NullModel model = isReal ? null : FrustrationExperiment.nullModel(head.nullKind(), c.n3Init());
        SpinGlass glass = isReal ? real : new SpinGlass(model.apply(real.graph(), head.nullSeed()));
        List<FrustrationExperiment.Outcome> out = new ArrayList<>();
        RestartResult best = null;
        try {
            for (FrustrationTasks.Task t : u.tasks()) {
                RestartResult r = solver.solve(
                        glass, new SplittableRandom(t.seed()), c.options().withInitialFlips(t.initialFlips()));
                out.add(new FrustrationExperiment.Outcome(t, r.epsilon(), r.flips(), r.seconds(), r.localMinimum()));
                if (best == null || r.epsilon() < best.epsilon()) {
                    best = r;
                }
            }
        } finally {
            if (model != null) {
                model.release(glass.graph());
            }
        }
        if (!isReal) {
            return new UnitResult(u.checkpoint(), u.key(), out, null, null, null);
        }
        Accuracy acc = images == null ? null : accuracy(loaded, images);
        Lambda[] lambda = c.monotonicity() == null
                ? new Lambda[2]
                : lambda(
                        c,
                        loaded,
                        SpinFile.of(
                                best.spins(),
                                loaded.network().inputNodes(),
                                loaded.network().outputNodes(),
                                best.epsilon()),
                        images);
        return new UnitResult(u.checkpoint(), u.key(), out, acc, lambda[0], lambda[1]);
    }

    /** Top-1/top-5 of the network on the image set, by ONNX Runtime (one thread), batches of 500. */
    public static Accuracy accuracy(ModelLoader.Loaded loaded, IdxImages images) {
        Network net = loaded.network();
        int classes = net.outputNodes().length;
        int[] ranks = new int[images.count()];
        try (InferenceSession s =
                new InferenceSession(loaded.model(), net, List.of(), InferenceSession.Precision.FLOAT32, 1)) {
            for (int b0 = 0; b0 < images.count(); b0 += 500) {
                int nb = Math.min(500, images.count() - b0);
                float[] y = s.run(images.batch(b0, nb), nb).get(net.outputName());
                for (int i = 0; i < nb; i++) {
                    ranks[b0 + i] = Accuracy.rank(y, i * classes, classes, images.classes()[b0 + i]);
                }
            }
        }
        return Accuracy.ofRanks(ranks, classes);
    }

    /** λ and Ω along the best spins' input order and along a random order (seeds of {@code experiment monotonicity}). */
    static Lambda[] lambda(Config c, ModelLoader.Loaded loaded, SpinFile spins, IdxImages images) {
        Monotonicity mo = c.monotonicity();
        int count = Math.min(mo.images(), images.count());
        var real = MonotonicityNetworks.real(loaded, spins, "best of the R restarts");
        var random = MonotonicityNetworks.randomOrder(loaded);
        MonotonicityExperiment.Seeds seeds = MonotonicityExperiment.Seeds.of(c.seed(), count);
        List<MonotonicityExperiment.ImageResult> results = new ArrayList<>();
        int batch = mo.batch();
        try (var engine = new MonotonicityEngine(
                List.of(real, random),
                InferenceSession.Precision.FLOAT32,
                1,
                batch,
                mo.amplitudes().amplitudes())) {
            for (int b0 = 0; b0 < count; b0 += batch) {
                int nb = Math.min(batch, count - b0);
                float[] in = images.batch(b0, nb);
                var y1 = engine.originals(in, nb);
                for (int i = 0; i < nb; i++) {
                    int k = b0 + i;
                    results.add(engine.image(
                            k, Path.of("idx-" + k), seeds.images()[k], images.classes()[k], in, y1, i, nb));
                }
            }
        }
        Lambda[] out = new Lambda[2];
        Variant[] names = {Variant.REAL, Variant.RANDOM_ORDER};
        for (int v = 0; v < 2; v++) {
            var s = MonotonicityStatistics.summarize(
                    names[v], results, mo.amplitudes().count());
            out[v] = new Lambda(
                    s.lambda().lambda(),
                    s.lambda().attained(),
                    s.samples(),
                    s.meanOmega(),
                    s.shareAbove(),
                    s.keptOverall());
        }
        return out;
    }

    private static Point point(Config c, int i, String sha, Network arch, double absWeightSum, List<UnitResult> rs) {
        List<FrustrationExperiment.Outcome> solves = new ArrayList<>();
        Accuracy acc = null;
        Lambda lambda = null, random = null;
        Map<String, List<Double>> perNet = new LinkedHashMap<>();
        for (UnitResult r : rs) {
            solves.addAll(r.solves());
            if (r.unit().equals("R")) {
                acc = r.accuracy();
                lambda = r.lambda();
                random = r.lambdaRandomOrder();
            } else {
                double best = r.solves().stream()
                        .mapToDouble(FrustrationExperiment.Outcome::epsilon)
                        .min()
                        .orElse(Double.NaN);
                perNet.computeIfAbsent(r.solves().get(0).task().group(), k -> new ArrayList<>())
                        .add(best);
            }
        }
        solves.sort(Comparator.comparingInt(o -> o.task().index()));
        Map<String, FrustrationStatistics.GroupStats> groups = new LinkedHashMap<>();
        FrustrationStatistics.byGroup(solves).forEach((k, v) -> groups.put(k, FrustrationStatistics.stats(k, v)));
        Map<String, double[]> per = new LinkedHashMap<>();
        perNet.forEach(
                (k, v) -> per.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        var g = arch.graph();
        return new Point(
                i,
                c.snapshots().get(i),
                sha,
                g.nodeCount(),
                g.edgeCount(),
                arch.parameters(),
                absWeightSum,
                acc,
                groups,
                per,
                lambda,
                random,
                solves);
    }

    // ------------------------------------------------------------------------------------------ codec

    private static UnitResult parse(JsonNode j, Map<String, Unit> byKey) {
        try {
            if (!"result".equals(j.path("type").asText())) {
                return null;
            }
            Unit u = byKey.get(j.get("checkpoint").asInt() + "/" + j.get("unit").asText());
            if (u == null) {
                return null;
            }
            List<FrustrationExperiment.Outcome> solves = new ArrayList<>();
            JsonNode s = j.get("solves");
            if (s == null || s.size() != u.tasks().size()) {
                return null;
            }
            for (int k = 0; k < s.size(); k++) {
                FrustrationTasks.Task t = u.tasks().get(k);
                JsonNode o = s.get(k);
                if (t.seed() != o.get("seed").asLong()
                        || !t.group().equals(o.get("group").asText())
                        || t.replica() != o.get("replica").asInt()
                        || t.instance() != o.get("instance").asInt()) {
                    return null;
                }
                solves.add(new FrustrationExperiment.Outcome(
                        t,
                        o.get("epsilon").asDouble(),
                        o.get("flips").asLong(),
                        o.get("seconds").asDouble(),
                        o.get("localMinimum").asBoolean()));
            }
            JsonNode a = j.get("accuracy");
            Accuracy acc = a == null
                    ? null
                    : new Accuracy(
                            a.get("labelled").asInt(),
                            a.get("top1").asInt(),
                            a.get("top5").asInt(),
                            a.get("classes").asInt());
            Lambda l = j.has("lambda") ? Lambda.of(j.get("lambda")) : null;
            Lambda lr = j.has("lambdaRandomOrder") ? Lambda.of(j.get("lambdaRandomOrder")) : null;
            return new UnitResult(u.checkpoint(), u.key(), solves, acc, l, lr);
        } catch (RuntimeException malformed) {
            return null; // not a result of this study: the unit runs again
        }
    }

    /**
     * Reads the finished units of shard checkpoints: each file's header must be this configuration's for some
     * shard K/N (all files of one N, each K once), and each line's check must hold. Only data is read: nothing in a
     * file chooses what runs or where anything is written.
     */
    private static void readShards(
            ObjectMapper m,
            Config c,
            List<String> sha,
            List<Path> files,
            List<Unit> all,
            Map<String, UnitResult> done) {
        JsonNode config = readTree(m, c.toJson(m, sha).toString()); // as a file holds it (11 is an int there)
        Map<String, Unit> byKey = new HashMap<>();
        all.forEach(u -> byKey.put(u.checkpoint() + "/" + u.key(), u));
        Set<Integer> seen = new HashSet<>();
        int count = -1;
        for (Path f : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new NnfrustException("cannot read shard checkpoint " + f + ": " + e.getMessage());
            }
            JsonNode head;
            try {
                head = lines.isEmpty() ? null : m.readTree(lines.get(0));
            } catch (IOException e) {
                head = null;
            }
            if (head == null || !"header".equals(head.path("type").asText()) || !config.equals(head.get("config"))) {
                throw new NnfrustException("shard checkpoint " + f + " was not written by 'nnfrust track' with these "
                        + "checkpoints and options; give the shards of this run");
            }
            if (head.path("schemaVersion").asInt(1) != Provenance.SCHEMA_VERSION) {
                throw new NnfrustException("shard checkpoint " + f + " was written by another nnfrust version (output "
                        + "schema " + head.path("schemaVersion").asInt(1) + "); run the shards again");
            }
            Shard s = Shard.parse(head.path("shard").asText("1/1"), Map.of());
            if (count >= 0 && s.count() != count) {
                throw new NnfrustException("shard checkpoint " + f + " is shard " + s + ", the others are of " + count);
            }
            count = s.count();
            if (!seen.add(s.index())) {
                throw new NnfrustException("shard " + s + " is given twice (" + f + ")");
            }
            for (int i = 1; i < lines.size(); i++) {
                JsonNode j = Checkpoint.verified(m, lines.get(0), lines.get(i));
                UnitResult r = j == null ? null : parse(j, byKey);
                if (r != null && s.owns(byKey.get(r.key()).global())) {
                    done.put(r.key(), r);
                }
            }
        }
        if (seen.size() != count) {
            throw new NnfrustException(
                    "--from-shards got " + seen.size() + " of the " + count + " shards; give all of " + "them");
        }
    }

    private static JsonNode readTree(ObjectMapper m, String json) {
        try {
            return m.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
