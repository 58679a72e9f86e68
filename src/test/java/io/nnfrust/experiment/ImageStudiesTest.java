package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The active-subnetwork and near-monotonicity studies as a library: typed configurations validated by parameter
 * name, their codecs (configuration, checkpoint line, result) written and read back equal, results rebuilt from a
 * finished checkpoint equal to the run's, and results independent of the thread count.
 */
class ImageStudiesTest {
    @TempDir
    static Path dir;

    static Path model;
    static Path images;
    static ModelLoader.Loaded loaded;

    private static final SolverOptions FAST = SolverOptions.DEFAULT.withInitialFlips(200);
    private static final Consumer<String> QUIET = s -> {};

    @BeforeAll
    static void setUp() throws Exception {
        model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(31).toByteArray());
        images = SmallOnnx.images(dir.resolve("imgs"), 4, 9);
        loaded = ModelLoader.loadWithModel(model.toString(), ImportOptions.DEFAULT);
    }

    static ImageInputs inputs() {
        return new ImageInputs(
                model.toString(),
                loaded.network().sha256(),
                ImportOptions.DEFAULT,
                images,
                0,
                ImagePreprocessor.Preset.RAW,
                8,
                InferenceSession.Precision.FLOAT32);
    }

    static ImageSource source(int batch) {
        return ImageSource.of(inputs(), loaded.network(), null, batch);
    }

    static MonotonicityExperiment.Config mono(List<Variant> variants, Path spins) {
        return new MonotonicityExperiment.Config(
                inputs(),
                new AmplitudeSchedule(0.5, 40, 5, true),
                variants,
                spins,
                SolverKind.LAYERED,
                2,
                1,
                WeightInit.XAVIER_UNIFORM,
                WeightWriter.BiasPolicy.KEEP,
                17,
                FAST);
    }

    static ActiveExperiment.Config active() {
        return new ActiveExperiment.Config(inputs(), SolverKind.LAYERED, 2, 5, FAST);
    }

    private static void refused(String parameter, Executable e) {
        NnfrustException x = assertThrows(NnfrustException.class, e);
        assertTrue(x.getMessage().startsWith(parameter + " "), x.getMessage());
        assertFalse(x.getMessage().contains("--"), "names the parameter, not a flag: " + x.getMessage());
    }

    @Test
    void configurationsNameTheBadParameter() {
        ImageInputs in = inputs();
        var amps = new AmplitudeSchedule(0.5, 40, 5, true);
        List<Variant> rv = List.of(Variant.REAL);
        refused("variants", () -> mono(List.of(Variant.N3), null));
        refused("variants", () -> mono(List.of(Variant.REAL, Variant.N3, Variant.N3), null));
        refused(
                "restarts",
                () -> new MonotonicityExperiment.Config(
                        in,
                        amps,
                        rv,
                        null,
                        SolverKind.LAYERED,
                        0,
                        1,
                        WeightInit.HE_NORMAL,
                        WeightWriter.BiasPolicy.ZERO,
                        1,
                        FAST));
        refused(
                "nullRestarts",
                () -> new MonotonicityExperiment.Config(
                        in,
                        amps,
                        rv,
                        null,
                        SolverKind.LAYERED,
                        1,
                        0,
                        WeightInit.HE_NORMAL,
                        WeightWriter.BiasPolicy.ZERO,
                        1,
                        FAST));
        refused(
                "solver",
                () -> new MonotonicityExperiment.Config(
                        in, amps, rv, null, null, 1, 1, WeightInit.HE_NORMAL, WeightWriter.BiasPolicy.ZERO, 1, FAST));
        refused("perturbations", () -> new AmplitudeSchedule(0.5, 40, 0, true));
        refused("amplitudes", () -> new AmplitudeSchedule(0, 40, 5, true));
        refused(
                "limit",
                () -> new ImageInputs(
                        "m",
                        "s",
                        ImportOptions.DEFAULT,
                        images,
                        -1,
                        ImagePreprocessor.Preset.RAW,
                        8,
                        InferenceSession.Precision.FLOAT32));
        refused(
                "resize",
                () -> new ImageInputs(
                        "m",
                        "s",
                        ImportOptions.DEFAULT,
                        images,
                        0,
                        ImagePreprocessor.Preset.RAW,
                        0,
                        InferenceSession.Precision.FLOAT32));
        refused("batch", () -> source(0));
        refused("restarts", () -> new ActiveExperiment.Config(in, SolverKind.LAYERED, 0, 1, FAST));
        refused("epsilonR", () -> ActiveExperiment.Reference.given(0.7));
        refused("epsilonR", () -> ActiveExperiment.Reference.given(Double.NaN));
        refused("referenceRestarts", () -> ActiveExperiment.Reference.computed(0));
        refused("reference", () -> ActiveExperiment.Reference.file(dir.resolve("missing.json")));
        // a configuration field read back is checked the same way
        ObjectNode c = mono(rv, null).toJson(new ObjectMapper());
        c.put("nullRestarts", 0);
        refused("nullRestarts", () -> MonotonicityExperiment.Config.fromJson(c));
        c.put("nullRestarts", 1).put("n3Init", "lecun");
        NnfrustException x = assertThrows(NnfrustException.class, () -> MonotonicityExperiment.Config.fromJson(c));
        assertTrue(x.getMessage().contains("weight initialisation 'lecun'"), x.getMessage());
    }

    @Test
    void configurationsReadBackEqual() {
        ObjectMapper m = new ObjectMapper();
        for (var c : List.of(
                mono(List.of(Variant.REAL), dir.resolve("x.spins")),
                mono(List.of(Variant.REAL, Variant.N3_RANDOM_OUTPUT, Variant.RANDOM_ORDER, Variant.N3), null),
                mono(List.of(Variant.values()), null))) {
            var back = MonotonicityExperiment.Config.fromJson(m.valueToTree(c.toJson(m)));
            assertEquals(c, back);
            assertEquals(c.toJson(m), back.toJson(m));
        }
        var a = active();
        assertEquals(a, ActiveExperiment.Config.fromJson(a.toJson(m)));
        // the order of the variants as given is kept (the header), results follow the Variant order
        var given = mono(List.of(Variant.REAL, Variant.N3, Variant.RANDOM_ORDER), null);
        assertEquals(
                "[\"real\",\"N3\",\"random-order\"]",
                given.toJson(m).get("variants").toString());
        assertEquals(List.of(Variant.REAL, Variant.RANDOM_ORDER, Variant.N3), given.runOrder());
    }

    @Test
    void checkpointLinesReadBackEqual() throws Exception {
        ObjectMapper m = new ObjectMapper();
        var r = MonotonicityExperiment.run(
                loaded,
                source(3),
                mono(List.of(Variant.REAL, Variant.RANDOM_INPUT, Variant.N3), null),
                RunControl.simple(1),
                QUIET);
        assertEquals(4, r.images().size());
        for (var im : r.images()) {
            assertEquals(im, MonotonicityCodec.imageOf(m.readTree(MonotonicityCodec.imageLine(m, im))));
        }
        var a = ActiveExperiment.run(
                loaded, source(2), active(), ActiveExperiment.Reference.given(0.3), RunControl.simple(1), QUIET);
        for (var im : a.images()) {
            assertEquals(im, ActiveCodec.imageOf(m.readTree(ActiveCodec.imageLine(m, im))));
        }
        // the active result reads back from its JSON document and writes the same document again
        Path json = dir.resolve("active.json");
        a.writeJson(json);
        var back = ActiveExperiment.Result.read(json);
        assertEquals(a.config(), back.config());
        assertEquals(a.images(), back.images());
        assertEquals(a.epsilonR(), back.epsilonR());
        Path again = dir.resolve("active-again.json");
        back.writeJson(again);
        assertEquals(withoutRunFields(m.readTree(json.toFile())), withoutRunFields(m.readTree(again.toFile())));
    }

    @Test
    void monotonicityFromCheckpointEqualsTheRun() throws Exception {
        ObjectMapper m = new ObjectMapper();
        Path cp = dir.resolve("mono.jsonl");
        var c = mono(List.of(Variant.REAL, Variant.RANDOM_ORDER, Variant.N3_RANDOM_INPUT), null);
        var full = MonotonicityExperiment.run(
                loaded, source(2), c, new RunControl<>(2, Shard.ALL, cp, false, 0, null), QUIET);
        assertEquals(4, full.newImages());
        assertTrue(Files.isRegularFile(Path.of(cp + ".real.spins")) && Files.isRegularFile(Path.of(cp + ".N3.spins")));
        var resumed = MonotonicityExperiment.run(
                loaded, source(2), c, new RunControl<>(2, Shard.ALL, cp, true, 0, null), QUIET);
        assertEquals(0, resumed.newImages());
        var rebuilt = MonotonicityExperiment.fromCheckpoint(cp, loaded, 2, 2, QUIET);
        assertEquals(MonotonicityExperiment.Config.ofCheckpoint(cp), rebuilt.config());
        assertEquals(full.config(), rebuilt.config());
        assertEquals(full.images(), rebuilt.images());
        assertEquals(full.variants(), rebuilt.variants());
        assertEquals(full.model(), rebuilt.model());
        assertEquals(
                withoutRunFields(m.valueToTree(resumed.toJson(m))), withoutRunFields(m.valueToTree(rebuilt.toJson(m))));
        // and the run's own document differs only by what this run computed (new images, inferences, timings)
        ObjectNode a = withoutRunFields(m.valueToTree(full.toJson(m)));
        ObjectNode b = withoutRunFields(m.valueToTree(rebuilt.toJson(m)));
        for (ObjectNode o : List.of(a, b)) {
            o.remove("newImages");
            ((ObjectNode) o.get("inference")).remove("images");
        }
        assertEquals(a, b);
        assertEquals(full.toCsv(), rebuilt.toCsv());
    }

    @Test
    void activeFromCheckpointEqualsTheRun() throws Exception {
        ObjectMapper m = new ObjectMapper();
        Path cp = dir.resolve("active.jsonl");
        var ref = ActiveExperiment.Reference.computed(2);
        var full = ActiveExperiment.run(
                loaded, source(3), active(), ref, new RunControl<>(1, Shard.ALL, cp, false, 0, null), QUIET);
        var rebuilt = ActiveExperiment.fromCheckpoint(cp, loaded, ref, 1, 3, QUIET);
        assertEquals(full.config(), rebuilt.config());
        assertEquals(full.images(), rebuilt.images());
        assertEquals(full.epsilonR(), rebuilt.epsilonR());
        assertTrue(full.epsilonR().source().startsWith("computed: best of 2 restarts of layered"));
        assertEquals(withoutRunFields(full.toJson(m)), withoutRunFields(rebuilt.toJson(m)));
        assertEquals(withoutSeconds(full.toCsv()), withoutSeconds(rebuilt.toCsv()));
        // a checkpoint of another model is refused by its SHA-256
        var other = ModelLoader.loadWithModel(
                Files.write(dir.resolve("other.onnx"), SmallOnnx.network(32).toByteArray())
                        .toString(),
                ImportOptions.DEFAULT);
        var e = assertThrows(
                NnfrustException.class,
                () -> ActiveExperiment.fromCheckpoint(cp, other, ActiveExperiment.Reference.given(0.1), 1, 3, QUIET));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        var c = mono(List.of(Variant.REAL, Variant.RANDOM_OUTPUT, Variant.N3), null);
        var one = MonotonicityExperiment.run(loaded, source(4), c, RunControl.simple(1), QUIET);
        var three = MonotonicityExperiment.run(loaded, source(1), c, RunControl.simple(3), QUIET);
        assertEquals(one.images(), three.images());
        assertEquals(one.variants(), three.variants());
        var ref = ActiveExperiment.Reference.computed(3);
        var a1 = ActiveExperiment.run(loaded, source(4), active(), ref, RunControl.simple(1), QUIET);
        var a3 = ActiveExperiment.run(loaded, source(1), active(), ref, RunControl.simple(3), QUIET);
        assertEquals(a1.epsilonR(), a3.epsilonR());
        assertEquals(a1.images().size(), a3.images().size());
        for (int i = 0; i < a1.images().size(); i++) {
            var x = a1.images().get(i);
            var y = a3.images().get(i);
            assertEquals(withSeconds(x, 0), withSeconds(y, 0), "image " + i);
        }
    }

    private static ActiveExperiment.ImageResult withSeconds(ActiveExperiment.ImageResult r, double s) {
        return new ActiveExperiment.ImageResult(
                r.index(),
                r.file(),
                r.trueClass(),
                r.predicted(),
                r.trueRank(),
                r.activeNodes(),
                r.edges(),
                r.absWeight(),
                r.epsilon(),
                r.epsilonMean(),
                r.localMinimum(),
                s,
                r.seed());
    }

    /** The document without timing and run-provenance fields (those the golden outputs leave out). */
    static ObjectNode withoutRunFields(JsonNode doc) {
        ObjectNode o = doc.deepCopy();
        strip(o);
        ObjectNode p = (ObjectNode) o.get("provenance");
        for (String k : List.of("start", "end", "runId", "commandLine", "threads")) {
            p.remove(k);
        }
        return o;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<String> drop = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (k.toLowerCase().matches(".*(seconds|wall|persecond).*")) {
                    drop.add(k);
                }
            }
            o.remove(drop);
        }
        n.forEach(ImageStudiesTest::strip);
    }

    private static String withoutSeconds(String csv) {
        StringBuilder b = new StringBuilder();
        for (String line : csv.split("\n")) {
            b.append(line.replaceAll(",[^,]*,([^,]*)$", ",$1")).append('\n');
        }
        return b.toString();
    }
}
