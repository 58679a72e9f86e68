package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.MonotonicityExperiment.Config;
import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.Result;
import io.nnfrust.experiment.MonotonicityExperiment.VariantInfo;
import io.nnfrust.experiment.MonotonicityExperiment.VariantResult;
import io.nnfrust.experiment.MonotonicityStatistics.Summary;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The files of the near-monotonicity study ({@code experiment monotonicity}) and their field names: the
 * configuration (checkpoint header and {@code provenance.config}), one checkpoint line per image, the JSON result
 * and its CSV. The key constants are the output schema; readers of the files (reports, figures) use them.
 */
public final class MonotonicityCodec {
    private MonotonicityCodec() {}

    // ------------------------------------------------------------------------------------------ result keys
    public static final String MODEL = "model";
    public static final String IMAGES = "images";
    public static final String WEIGHTS = "weights";
    public static final String SHARD = "shard";
    public static final String IMAGES_LISTED = "imagesListed";
    public static final String COMPLETE = "complete";
    public static final String PERTURBATIONS = "perturbations";
    public static final String AMPLITUDES = "amplitudes";
    public static final String MEAN_DELTA_NORM = "meanDeltaNorm";
    public static final String VARIANTS = "variants";
    public static final String NETWORK = "network";
    public static final String ORDER = "order";
    public static final String EPSILON = "epsilon";
    public static final String SAMPLES = "samples";
    public static final String LAMBDA = "lambda";
    public static final String LAMBDA_ATTAINED = "lambdaAttained";
    public static final String LAMBDA_TIES_EXCLUDED = "lambdaTiesExcluded";
    public static final String MEAN_OMEGA = "meanOmega";
    public static final String SHARE_ABOVE_HALF = "shareOmegaAboveHalf";
    public static final String SHARE_BELOW_HALF = "shareOmegaBelowHalf";
    public static final String MEAN_TIE_FRACTION = "meanTieFraction";
    public static final String KEPT_OVERALL = "keptOverall";
    public static final String KEPT_BY_AMPLITUDE = "keptByAmplitude";
    /** F(λ) of Fig. 7: {@code tail.F} at λ = g·{@code tail.lambdaStep}. */
    public static final String TAIL = "tail";

    public static final String LAMBDA_STEP = "lambdaStep";
    public static final String TAIL_F = "F";
    public static final String OMEGA_HISTOGRAM = "omegaHistogram";
    public static final String FIG8 = "fig8";
    public static final String HISTOGRAM = "histogram";
    public static final String IMAGES_ALL_ABOVE = "imagesAllAbove";
    public static final String IMAGES_ALL_BELOW = "imagesAllBelow";
    public static final String INFERENCE = "inference";
    public static final String SECONDS = "seconds";
    public static final String IMAGES_PER_SECOND = "imagesPerSecond";
    public static final String BATCH = "batch";
    public static final String WALL_SECONDS = "wallSeconds";
    public static final String NEW_IMAGES = "newImages";
    public static final String SKIPPED = "skipped";
    public static final String RESULTS = "results";
    public static final String INDEX = "index";
    public static final String FILE = "file";
    public static final String TRUE_CLASS = "trueClass";
    public static final String DELTA_NORM = "deltaNorm";
    public static final String PREDICTED = "predicted";
    public static final String FRACTION_ABOVE_HALF = "fractionOmegaAboveHalf";
    public static final String OMEGA = "omega";
    public static final String KEPT = "kept";
    public static final String PROVENANCE = "provenance";
    public static final String CONFIG = "config";
    public static final String SPINS_SHA256 = "spinsSha256";
    // the configuration (provenance.config)
    public static final String SOLVER = "solver";
    public static final String RESTARTS = "restarts";
    public static final String SEED = "seed";
    public static final String THREADS = "threads";
    /** Configuration field: the amplitude spacing, {@code log} or {@code linear}. */
    public static final String SPACING = "spacing";

    private static final String COMPUTED = "computed: ";

    // ------------------------------------------------------------------------------------------ configuration

    static ObjectNode configJson(ObjectMapper m, Config c) {
        ObjectNode o = m.createObjectNode();
        c.inputs().putJson(o);
        o.put(PERTURBATIONS, c.amplitudes().count());
        o.put("amplitudeMin", c.amplitudes().min());
        o.put("amplitudeMax", c.amplitudes().max());
        o.put(SPACING, c.amplitudes().logarithmic() ? "log" : "linear");
        ArrayNode v = o.putArray(VARIANTS);
        c.variants().forEach(x -> v.add(x.label()));
        o.put("spins", spinsLabel(c.spins(), c.restarts(), c.solver()));
        o.put(SOLVER, c.solver().label());
        o.put(RESTARTS, c.restarts());
        o.put("nullRestarts", c.nullRestarts());
        o.put("n3Init", c.n3Init().label());
        o.put("n3Bias", c.n3Bias().name().toLowerCase(Locale.ROOT));
        o.put(SEED, c.seed());
        FrustrationExperiment.putSolverOptions(o, c.options());
        return o;
    }

    /** The spins of the real network as the configuration names them: the file, or how they are computed. */
    static String spinsLabel(Path spins, int restarts, SolverKind solver) {
        return spins != null ? spins.toString() : COMPUTED + "best of " + restarts + " restarts of " + solver.label();
    }

    static Config configOf(JsonNode o) {
        List<Variant> variants = new ArrayList<>();
        o.path(VARIANTS).forEach(x -> variants.add(Variant.parse(x.asText())));
        String spins = StudyJson.text(o, "spins");
        String spacing = StudyJson.text(o, SPACING);
        if (!spacing.equals("log") && !spacing.equals("linear")) {
            throw new NnfrustException("configuration field 'spacing' must be log or linear, got '" + spacing + "'");
        }
        return new Config(
                ImageInputs.fromJson(o),
                new AmplitudeSchedule(
                        o.path("amplitudeMin").asDouble(),
                        o.path("amplitudeMax").asDouble(),
                        o.path(PERTURBATIONS).asInt(),
                        spacing.equals("log")),
                variants,
                spins.startsWith(COMPUTED) ? null : Path.of(spins),
                SolverKind.parse(StudyJson.text(o, SOLVER), "solver"),
                o.path(RESTARTS).asInt(),
                o.path("nullRestarts").asInt(),
                WeightInit.parse(StudyJson.text(o, "n3Init")),
                WeightWriter.BiasPolicy.parse(StudyJson.text(o, "n3Bias")),
                o.path(SEED).asLong(),
                StudyJson.solverOptions(o));
    }

    // ------------------------------------------------------------------------------------------ checkpoint line

    /** The checkpoint line of one image (type "image"). */
    static String imageLine(ObjectMapper m, ImageResult im) {
        ObjectNode r = m.createObjectNode();
        r.put("type", "image");
        r.put(INDEX, im.index());
        r.put(FILE, im.file());
        r.put(SEED, im.seed());
        r.put(TRUE_CLASS, im.trueClass());
        r.put("trueRank", im.trueRank());
        ArrayNode a = r.putArray("amplitude");
        for (double v : im.amplitude()) {
            a.add(v);
        }
        ArrayNode d = r.putArray(DELTA_NORM);
        for (double v : im.deltaNorm()) {
            d.add(v);
        }
        ObjectNode vs = r.putObject(VARIANTS);
        im.variants().forEach((variant, v) -> {
            ObjectNode j = vs.putObject(variant.label());
            j.put(PREDICTED, v.predicted());
            j.put("outputs", v.outputs());
            ArrayNode al = j.putArray("aligned");
            ArrayNode ti = j.putArray("ties");
            ArrayNode ke = j.putArray(KEPT);
            for (int p = 0; p < v.aligned().length; p++) {
                al.add(v.aligned()[p]);
                ti.add(v.ties()[p]);
                ke.add(v.kept()[p] ? 1 : 0);
            }
        });
        return r.toString();
    }

    /** One image read back from its checkpoint line. */
    static ImageResult imageOf(JsonNode j) {
        Map<Variant, VariantResult> vs = new LinkedHashMap<>();
        j.get(VARIANTS).fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            int[] ke = StudyJson.ints(v.get(KEPT));
            boolean[] kept = new boolean[ke.length];
            for (int p = 0; p < kept.length; p++) {
                kept[p] = ke[p] != 0;
            }
            vs.put(
                    Variant.parse(e.getKey()),
                    new VariantResult(
                            v.get(PREDICTED).asInt(),
                            v.get("outputs").asInt(),
                            StudyJson.ints(v.get("aligned")),
                            StudyJson.ints(v.get("ties")),
                            kept));
        });
        return new ImageResult(
                j.get(INDEX).asInt(),
                j.get(FILE).asText(),
                j.get(SEED).asLong(),
                j.get(TRUE_CLASS).asInt(),
                j.path("trueRank").asInt(-1),
                StudyJson.doubles(j.get("amplitude")),
                StudyJson.doubles(j.get(DELTA_NORM)),
                vs);
    }

    // ------------------------------------------------------------------------------------------ result

    /** The JSON document of a result ({@code --output}). */
    static ObjectNode resultJson(ObjectMapper m, Result r) {
        Config c = r.config();
        List<ImageResult> images = r.images();
        int perturbations = c.amplitudes().count();
        ObjectNode out = m.createObjectNode();
        out.put(MODEL, c.inputs().model());
        out.put(IMAGES, images.size());
        out.put(WEIGHTS, r.weights());
        if (!r.shard().isAll()) {
            out.put(SHARD, r.shard().toString());
        }
        out.put(IMAGES_LISTED, r.imagesListed());
        out.put(COMPLETE, r.complete());
        out.put(PERTURBATIONS, perturbations);
        out.set(AMPLITUDES, m.valueToTree(c.amplitudes().amplitudes()));
        out.set(MEAN_DELTA_NORM, m.valueToTree(r.meanDeltaNorm()));
        r.accuracy().putJson(out);
        ObjectNode vj = out.putObject(VARIANTS);
        List<Summary> sums = r.summaries();
        for (int i = 0; i < r.variants().size(); i++) {
            VariantInfo v = r.variants().get(i);
            Summary s = sums.get(i);
            ObjectNode j = vj.putObject(v.variant().label());
            j.put(NETWORK, v.network());
            j.put(ORDER, v.order());
            if (!Double.isNaN(v.epsilon())) {
                j.put(EPSILON, v.epsilon());
            }
            j.put(SAMPLES, s.samples());
            j.put(LAMBDA, s.lambda().lambda());
            j.put(LAMBDA_ATTAINED, s.lambda().attained());
            j.put(LAMBDA_TIES_EXCLUDED, s.lambdaTiesExcluded().lambda());
            j.put(MEAN_OMEGA, s.meanOmega());
            j.put(SHARE_ABOVE_HALF, s.shareAbove());
            j.put(SHARE_BELOW_HALF, s.shareBelow());
            j.put(MEAN_TIE_FRACTION, s.meanTieFraction());
            j.put(KEPT_OVERALL, s.keptOverall());
            j.set(KEPT_BY_AMPLITUDE, m.valueToTree(s.keptByAmplitude()));
            ObjectNode tail = j.putObject(TAIL);
            tail.put(LAMBDA_STEP, 1.0 / MonotonicityStatistics.GRID_STEPS);
            tail.set(TAIL_F, m.valueToTree(s.tail()));
            j.set(OMEGA_HISTOGRAM, m.valueToTree(s.omegaHistogram()));
            ObjectNode f8 = j.putObject(FIG8);
            f8.set(HISTOGRAM, m.valueToTree(s.fig8Histogram()));
            f8.put(IMAGES_ALL_ABOVE, s.imagesAllAbove());
            f8.put(IMAGES_ALL_BELOW, s.imagesAllBelow());
        }
        ObjectNode inf = out.putObject(INFERENCE);
        MonotonicityExperiment.Timing t = r.timing();
        inf.put(IMAGES, t.inferredImages());
        inf.put(SECONDS, t.inferenceSeconds());
        inf.put(IMAGES_PER_SECOND, t.inferenceSeconds() > 0 ? t.inferredImages() / t.inferenceSeconds() : 0);
        inf.put(BATCH, r.batch());
        out.put(WALL_SECONDS, t.wallSeconds());
        out.put(NEW_IMAGES, r.newImages());
        ImageStudyJson.putSkipped(out, r.skipped());
        ArrayNode res = out.putArray(RESULTS);
        for (ImageResult im : images) {
            ObjectNode j = res.addObject();
            j.put(INDEX, im.index());
            j.put(FILE, im.file());
            j.put(TRUE_CLASS, im.trueClass());
            j.set(DELTA_NORM, m.valueToTree(im.deltaNorm()));
            ObjectNode rv = j.putObject(VARIANTS);
            im.variants().forEach((variant, v) -> {
                ObjectNode x = rv.putObject(variant.label());
                x.put(PREDICTED, v.predicted());
                x.put(FRACTION_ABOVE_HALF, v.fractionAbove());
                ArrayNode om = x.putArray(OMEGA);
                ArrayNode ke = x.putArray(KEPT);
                for (int p = 0; p < v.aligned().length; p++) {
                    om.add(v.omega(p));
                    ke.add(v.kept()[p]);
                }
            });
        }
        ObjectNode prov = ImageStudyJson.provenance(m, r.provenance(), r.model());
        prov.set(CONFIG, configJson(m, c));
        if (r.spinsSha256() != null) {
            prov.put(SPINS_SHA256, r.spinsSha256());
        }
        prov.put(THREADS, r.threads());
        prov.put(BATCH, r.batch());
        out.set(PROVENANCE, prov);
        return out;
    }

    /** One CSV row per image and perturbation, with four columns per variant ({@code --csv}). */
    static String csv(Result r) {
        StringBuilder b = new StringBuilder("index,file,true_class,perturbation,amplitude,delta_norm");
        for (VariantInfo v : r.variants()) {
            String n = v.variant().columnName();
            b.append(",predicted_")
                    .append(n)
                    .append(",omega_")
                    .append(n)
                    .append(",ties_")
                    .append(n)
                    .append(",kept_")
                    .append(n);
        }
        b.append('\n');
        for (ImageResult im : r.images()) {
            for (int p = 0; p < im.amplitude().length; p++) {
                b.append(String.format(
                        Locale.ROOT,
                        "%d,\"%s\",%d,%d,%.6g,%.6g",
                        im.index(),
                        im.file().replace("\"", "\"\""),
                        im.trueClass(),
                        p,
                        im.amplitude()[p],
                        im.deltaNorm()[p]));
                for (VariantInfo v : r.variants()) {
                    VariantResult x = im.variants().get(v.variant());
                    b.append(String.format(
                            Locale.ROOT, ",%d,%.4f,%d,%b", x.predicted(), x.omega(p), x.ties()[p], x.kept()[p]));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }
}
