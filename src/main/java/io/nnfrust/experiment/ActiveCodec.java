package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.ActiveExperiment.Config;
import io.nnfrust.experiment.ActiveExperiment.EpsilonR;
import io.nnfrust.experiment.ActiveExperiment.ImageResult;
import io.nnfrust.experiment.ActiveExperiment.Result;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hipparchus.stat.descriptive.DescriptiveStatistics;

/**
 * The files of the active-subnetwork study ({@code experiment active}) and their field names: the configuration
 * (checkpoint header and {@code provenance.config}), one checkpoint line per image, the JSON result and its CSV.
 * The key constants are the output schema; readers of the files (reports, figures) use them.
 */
public final class ActiveCodec {
    private ActiveCodec() {}

    public static final String MODEL = "model";
    public static final String IMAGES = "images";
    public static final String WEIGHTS = "weights";
    public static final String SHARD = "shard";
    public static final String IMAGES_LISTED = "imagesListed";
    public static final String COMPLETE = "complete";
    /** ε_R, the frustration of the whole network. */
    public static final String EPSILON_R = "epsilonR";
    /** Where ε_R comes from: "--epsilon-r", the reference file, or "computed: ...". */
    public static final String EPSILON_R_SOURCE = "epsilonRSource";

    public static final String FRACTION_BELOW_EPSILON_R = "fractionBelowEpsilonR";
    /** Summary (n, mean, sd, min, q1, median, q3, max) of ε_act over the images. */
    public static final String EPSILON_ACT = "epsilonAct";

    public static final String SECONDS_PER_IMAGE = "secondsPerImage";
    public static final String WALL_SECONDS = "wallSeconds";
    public static final String CORRECT = "correct";
    public static final String SKIPPED = "skipped";
    public static final String RESULTS = "results";
    public static final String PROVENANCE = "provenance";
    public static final String CONFIG = "config";
    public static final String THREADS = "threads";
    public static final String BATCH = "batch";
    // the configuration (provenance.config; SEED as well)
    public static final String SOLVER = "solver";
    public static final String RESTARTS = "restarts";
    // per image (results and checkpoint lines)
    public static final String INDEX = "index";
    public static final String FILE = "file";
    public static final String TRUE_CLASS = "trueClass";
    public static final String PREDICTED = "predicted";
    public static final String TRUE_RANK = "trueRank";
    public static final String ACTIVE_NODES = "activeNodes";
    public static final String EDGES = "edges";
    public static final String ABS_WEIGHT = "absWeight";
    /** ε_act of one image: the best of its restarts. */
    public static final String EPSILON = "epsilon";

    public static final String EPSILON_MEAN = "epsilonMean";
    public static final String LOCAL_MINIMUM = "localMinimum";
    public static final String SECONDS = "seconds";
    public static final String SEED = "seed";
    // summaries
    public static final String N = "n";
    public static final String MEAN = "mean";
    public static final String SD = "sd";
    public static final String MIN = "min";
    public static final String Q1 = "q1";
    public static final String MEDIAN = "median";
    public static final String Q3 = "q3";
    public static final String MAX = "max";

    // ------------------------------------------------------------------------------------------ configuration

    static ObjectNode configJson(ObjectMapper m, Config c) {
        ObjectNode o = m.createObjectNode();
        c.inputs().putJson(o);
        o.put(SOLVER, c.solver().label());
        o.put(RESTARTS, c.restarts());
        o.put(SEED, c.seed());
        FrustrationExperiment.putSolverOptions(o, c.options());
        return o;
    }

    static Config configOf(JsonNode o) {
        return new Config(
                ImageInputs.fromJson(o),
                SolverKind.parse(StudyJson.text(o, SOLVER), "solver"),
                o.path(RESTARTS).asInt(),
                o.path(SEED).asLong(),
                StudyJson.solverOptions(o));
    }

    // ------------------------------------------------------------------------------------------ per image

    private static ObjectNode imageJson(ObjectMapper m, ImageResult r) {
        ObjectNode o = m.createObjectNode();
        o.put(INDEX, r.index());
        o.put(FILE, r.file());
        o.put(TRUE_CLASS, r.trueClass());
        o.put(PREDICTED, r.predicted());
        o.put(TRUE_RANK, r.trueRank());
        o.put(ACTIVE_NODES, r.activeNodes());
        o.put(EDGES, r.edges());
        o.put(ABS_WEIGHT, r.absWeight());
        o.put(EPSILON, r.epsilon());
        o.put(EPSILON_MEAN, r.epsilonMean());
        o.put(LOCAL_MINIMUM, r.localMinimum());
        o.put(SECONDS, r.seconds());
        o.put(SEED, r.seed());
        return o;
    }

    /** The checkpoint line of one image (type "image"). */
    static String imageLine(ObjectMapper m, ImageResult r) {
        ObjectNode o = m.createObjectNode();
        o.put("type", "image");
        o.setAll(imageJson(m, r));
        return o.toString();
    }

    /** One image read back from its checkpoint line or from the results of the JSON document. */
    static ImageResult imageOf(JsonNode j) {
        return new ImageResult(
                j.get(INDEX).asInt(),
                j.get(FILE).asText(),
                j.get(TRUE_CLASS).asInt(),
                j.get(PREDICTED).asInt(),
                j.get(TRUE_RANK).asInt(-1),
                j.get(ACTIVE_NODES).asInt(),
                j.get(EDGES).asLong(),
                j.get(ABS_WEIGHT).asDouble(),
                j.get(EPSILON).asDouble(),
                j.get(EPSILON_MEAN).asDouble(),
                j.get(LOCAL_MINIMUM).asBoolean(),
                j.get(SECONDS).asDouble(),
                j.get(SEED).asLong());
    }

    // ------------------------------------------------------------------------------------------ result

    static ObjectNode resultJson(ObjectMapper m, Result r) {
        List<ImageResult> images = r.images();
        double[] eps = images.stream().mapToDouble(ImageResult::epsilon).toArray();
        double[] secs = images.stream().mapToDouble(ImageResult::seconds).toArray();
        ObjectNode out = m.createObjectNode();
        out.put(MODEL, r.config().inputs().model());
        out.put(IMAGES, images.size());
        out.put(WEIGHTS, r.weights());
        if (!r.shard().isAll()) {
            out.put(SHARD, r.shard().toString());
        }
        out.put(IMAGES_LISTED, r.imagesListed());
        out.put(COMPLETE, r.complete());
        out.put(EPSILON_R, r.epsilonR().value());
        out.put(EPSILON_R_SOURCE, r.epsilonR().source());
        out.put(FRACTION_BELOW_EPSILON_R, images.isEmpty() ? Double.NaN : r.belowEpsilonR() / (double) images.size());
        putSummary(out.putObject(EPSILON_ACT), eps);
        putSummary(out.putObject(SECONDS_PER_IMAGE), secs);
        out.put(WALL_SECONDS, r.wallSeconds());
        out.put(CORRECT, r.correct());
        r.accuracy().putJson(out);
        ImageStudyJson.putSkipped(out, r.skipped());
        ArrayNode res = out.putArray(RESULTS);
        for (ImageResult im : images) {
            res.add(imageJson(m, im));
        }
        ObjectNode prov = ImageStudyJson.provenance(m, r.provenance(), r.model());
        prov.set(CONFIG, configJson(m, r.config()));
        prov.put(THREADS, r.threads());
        prov.put(BATCH, r.batch());
        out.set(PROVENANCE, prov);
        return out;
    }

    private static void putSummary(ObjectNode d, double[] v) {
        if (v.length == 0) {
            return;
        }
        DescriptiveStatistics st = new DescriptiveStatistics(v);
        d.put(N, v.length);
        d.put(MEAN, st.getMean());
        d.put(SD, st.getStandardDeviation());
        d.put(MIN, st.getMin());
        d.put(Q1, st.getPercentile(25));
        d.put(MEDIAN, st.getPercentile(50));
        d.put(Q3, st.getPercentile(75));
        d.put(MAX, st.getMax());
    }

    static Result resultOf(Path file) {
        JsonNode j;
        try {
            j = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new NnfrustException(
                    "cannot read " + file + ": " + e.getMessage().split("\n")[0]);
        }
        if (j == null || !j.has(EPSILON_R) || !j.path(PROVENANCE).has(CONFIG)) {
            throw new NnfrustException(file + " is not a result of 'nnfrust experiment active'");
        }
        JsonNode prov = j.path(PROVENANCE);
        List<ImageResult> images = new ArrayList<>();
        j.path(RESULTS).forEach(x -> images.add(imageOf(x)));
        return new Result(
                Config.fromJson(prov.path(CONFIG)),
                new EpsilonR(
                        j.path(EPSILON_R).asDouble(), j.path(EPSILON_R_SOURCE).asText()),
                prov.path(MODEL),
                j.path(WEIGHTS).asText(),
                j.path("accuracy").path("classes").asInt(),
                images,
                ImageStudyJson.skippedOf(j.path(SKIPPED)),
                j.path(IMAGES_LISTED).asInt(),
                0,
                j.has(SHARD) ? Shard.parse(j.path(SHARD).asText(), Map.of()) : Shard.ALL,
                prov.path(THREADS).asInt(),
                prov.path(BATCH).asInt(),
                j.path(WALL_SECONDS).asDouble(),
                ImageStudyJson.provenanceOf(prov));
    }

    /** One row per image ({@code --csv}). */
    static String csv(Result r) {
        StringBuilder b = new StringBuilder("index,file,true_class,predicted,active_nodes,edges,abs_weight,epsilon_act,"
                + "epsilon_act_mean,local_minimum,seconds,seed\n");
        for (ImageResult im : r.images()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%d,\"%s\",%d,%d,%d,%d,%.9g,%.12f,%.12f,%b,%.3f,%d%n",
                    im.index(),
                    im.file().replace("\"", "\"\""),
                    im.trueClass(),
                    im.predicted(),
                    im.activeNodes(),
                    im.edges(),
                    im.absWeight(),
                    im.epsilon(),
                    im.epsilonMean(),
                    im.localMinimum(),
                    im.seconds(),
                    im.seed()));
        }
        return b.toString();
    }
}
