package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.active.ActiveSubnetwork;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.TopK;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Progress;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.hipparchus.stat.descriptive.DescriptiveStatistics;

/**
 * The frustration of the active subnetwork of each image (paper eq. 8, Fig. 2, SI D.3) against the frustration
 * ε_R of the whole network: per image, batched inference with the ReLU outputs and max-pooling inputs as extra
 * outputs, {@link ActiveSubnetwork} for the predicted class, and the best ε_act of {@code restarts} solver restarts
 * on the masked spin glass. The seed of image k (k-th file of the list) is fixed up front from the master seed, so
 * results do not depend on batching, threads or resuming; finished images are appended to a JSON Lines checkpoint.
 * ε_R is given, read from a result of {@code nnfrust frustration} computed on the same graph, or computed here
 * ({@link Reference}). Files and field names: {@link ActiveCodec}.
 */
public final class ActiveExperiment {
    private ActiveExperiment() {}

    /** Everything that determines the per-image results (the checkpoint header). */
    public record Config(ImageInputs inputs, SolverKind solver, int restarts, long seed, SolverOptions options) {
        public Config {
            if (inputs == null) {
                throw new NnfrustException("inputs must be given");
            }
            if (solver == null) {
                throw new NnfrustException("solver must be given");
            }
            if (restarts < 1) {
                throw new NnfrustException("restarts must be >= 1, got " + restarts);
            }
            if (options == null) {
                throw new NnfrustException("solver options must be given");
            }
        }

        /** The configuration object of the checkpoint header and of {@code provenance.config}. */
        public ObjectNode toJson(ObjectMapper m) {
            return ActiveCodec.configJson(m, this);
        }

        /** The configuration written by {@link #toJson}. */
        public static Config fromJson(JsonNode o) {
            return ActiveCodec.configOf(o);
        }

        /** The configuration in the header of checkpoint {@code file}. */
        public static Config ofCheckpoint(Path file) {
            return fromJson(CheckpointLines.read(file).config());
        }
    }

    /**
     * Where ε_R comes from: a given value, a result file of {@code nnfrust frustration} (epsilonBest) or
     * {@code experiment frustration} (the minimum of group R) computed on the same graph, or {@code restarts}
     * restarts of the study's solver on the whole network (seeded by the study's seed).
     */
    public record Reference(Kind kind, double epsilon, Path file, JsonNode json, int restarts) {
        public enum Kind {
            GIVEN,
            FILE,
            COMPUTED
        }

        public Reference {
            if (kind == null) {
                throw new NnfrustException("reference kind must be given");
            }
            if (kind == Kind.GIVEN && !(epsilon >= 0 && epsilon <= 0.5)) {
                throw new NnfrustException("epsilonR " + epsilon + " is not a frustration: epsilon lies in [0, 0.5]"
                        + " (a weight fraction; flipping every spin of the worse half gives at most 0.5)");
            }
            if (kind == Kind.FILE && (file == null || json == null)) {
                throw new NnfrustException("a reference file needs its path and content");
            }
            if (kind == Kind.COMPUTED && restarts < 1) {
                throw new NnfrustException("referenceRestarts must be >= 1, got " + restarts);
            }
        }

        /** ε_R given as a number in [0, 0.5]. */
        public static Reference given(double epsilon) {
            return new Reference(Kind.GIVEN, epsilon, null, null, 0);
        }

        /** ε_R of a result file, read now (a missing or broken file fails before any work). */
        public static Reference file(Path file) {
            if (!Files.isRegularFile(file)) {
                throw new NnfrustException("reference file not found: " + file);
            }
            try {
                JsonNode j = new ObjectMapper().readTree(file.toFile());
                if (j == null || !j.isObject()) {
                    throw new NnfrustException("reference " + file + " is not a JSON object; expected the output JSON"
                            + " of 'nnfrust frustration' or 'nnfrust experiment frustration'");
                }
                return new Reference(Kind.FILE, Double.NaN, file, j, 0);
            } catch (IOException e) {
                throw new NnfrustException(
                        "cannot read reference " + file + ": " + e.getMessage().split("\n")[0]);
            }
        }

        /** ε_R computed: the best of {@code restarts} restarts on the whole network. */
        public static Reference computed(int restarts) {
            return new Reference(Kind.COMPUTED, Double.NaN, null, null, restarts);
        }
    }

    /** ε_R and where it comes from (the {@code epsilonRSource} of the result). */
    public record EpsilonR(double value, String source) {}

    /** One image's active subnetwork and its frustration. */
    public record ImageResult(
            int index,
            String file,
            int trueClass,
            int predicted,
            int trueRank,
            int activeNodes,
            long edges,
            double absWeight,
            double epsilon,
            double epsilonMean,
            boolean localMinimum,
            double seconds,
            long seed) {}

    /**
     * The study's result: its configuration, ε_R, the network's identity, every finished image (list order) and
     * how the run was carried out.
     *
     * @param model        identity of the network ({@link ModelIdentity#toJson})
     * @param classes      logits of the network (classes for accuracy)
     * @param imagesListed images of the list (all shards)
     * @param newImages    images computed by this run (not kept in the JSON document)
     */
    public record Result(
            Config config,
            EpsilonR epsilonR,
            JsonNode model,
            String weights,
            int classes,
            List<ImageResult> images,
            List<ImageSet.Skipped> skipped,
            int imagesListed,
            int newImages,
            Shard shard,
            int threads,
            int batch,
            double wallSeconds,
            Provenance provenance) {
        public Result {
            images = List.copyOf(images);
            skipped = List.copyOf(skipped);
        }

        /** Whether every image of this shard is done (or could not be used). */
        public boolean complete() {
            return images.size() + skipped.size() >= shard.ownedOf(imagesListed);
        }

        /** Images whose ε_act is below ε_R. */
        public long belowEpsilonR() {
            return images.stream().filter(r -> r.epsilon() < epsilonR.value()).count();
        }

        /** Images classified as their true class. */
        public long correct() {
            return images.stream().filter(r -> r.trueClass() == r.predicted()).count();
        }

        /** Accuracy on the labelled images. */
        public Accuracy accuracy() {
            return Accuracy.ofRanks(
                    images.stream().mapToInt(ImageResult::trueRank).toArray(), classes);
        }

        /** The JSON document ({@code --output}). */
        public ObjectNode toJson(ObjectMapper m) {
            return ActiveCodec.resultJson(m, this);
        }

        /** The JSON document as its file holds it. */
        public String toJsonText() {
            ObjectMapper m = ImageStudyJson.mapper();
            return ImageStudyJson.text(m, toJson(m));
        }

        /** One row per image ({@code --csv}). */
        public String toCsv() {
            return ActiveCodec.csv(this);
        }

        /**
         * The text summary ({@code nnfrust experiment active} prints it on stdout when there are images): ε_act
         * against ε_R, accuracy and timing.
         */
        public List<String> summaryLines() {
            double[] eps = images.stream().mapToDouble(ImageResult::epsilon).toArray();
            double[] secs = images.stream().mapToDouble(ImageResult::seconds).toArray();
            long below = belowEpsilonR();
            DescriptiveStatistics st = new DescriptiveStatistics(eps);
            return List.of(
                    String.format(
                            Locale.ROOT, "model %s, weights %s", config.inputs().model(), weights),
                    String.format(
                            Locale.ROOT,
                            "images %d (skipped %d), %s; eps_R %.6f (%s)",
                            images.size(),
                            skipped.size(),
                            accuracy().line(),
                            epsilonR.value(),
                            epsilonR.source()),
                    String.format(
                            Locale.ROOT,
                            "eps_act: mean %.6f, sd %.6f, min %.6f, median %.6f, max %.6f",
                            st.getMean(),
                            st.getStandardDeviation(),
                            st.getMin(),
                            st.getPercentile(50),
                            st.getMax()),
                    String.format(
                            Locale.ROOT,
                            "eps_act < eps_R for %d of %d images (%.1f%%)",
                            below,
                            images.size(),
                            100.0 * below / images.size()),
                    String.format(
                            Locale.ROOT,
                            "seconds per image: mean %.2f (wall %.1f s for %d new)",
                            new DescriptiveStatistics(secs).getMean(),
                            wallSeconds,
                            newImages));
        }

        /** Writes the JSON document to {@code file} (atomically). */
        public void writeJson(Path file) {
            ImageStudyJson.write(file, toJsonText());
        }

        /** Writes the CSV to {@code file} (atomically). */
        public void writeCsv(Path file) {
            ImageStudyJson.write(file, toCsv());
        }

        /** Writes the JSON document and, when {@code csv} is not null, the CSV, as one set (both appear together). */
        public void write(Path json, Path csv) {
            ImageStudyJson.writeBoth(json, toJsonText(), csv, this::toCsv);
        }

        /** The result a JSON document written by {@link #writeJson} holds ({@link #newImages} is not kept: 0). */
        public static Result read(Path file) {
            return ActiveCodec.resultOf(file);
        }
    }

    // ------------------------------------------------------------------------------------------ run

    private static String header(Config c, Shard shard) {
        ObjectMapper m = new ObjectMapper();
        return Checkpoint.header(m, c.toJson(m), shard, Study.ACTIVE);
    }

    /** The header of a run against {@code eR}: ε_R is kept beside the configuration for merge. */
    private static String header(Config c, Shard shard, EpsilonR eR) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode r = m.createObjectNode();
        r.put(EPSILON_R_VALUE, eR.value());
        r.put(EPSILON_R_SOURCE, eR.source());
        return Checkpoint.header(m, c.toJson(m), shard, Study.ACTIVE, EPSILON_R, r);
    }

    private static final String EPSILON_R = "epsilonR", EPSILON_R_VALUE = "value", EPSILON_R_SOURCE = "source";

    /**
     * The ε_R that the shards of one run compared with, read from their checkpoints' headers (each shard writes the
     * ε_R it was started with); they must agree. A shard written before nnfrust kept ε_R there is refused with the
     * way out.
     */
    public static EpsilonR epsilonROfShards(List<Path> shards) {
        EpsilonR found = null;
        Path first = null;
        ObjectMapper m = new ObjectMapper();
        for (Path f : shards) {
            JsonNode h;
            try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line = r.readLine();
                h = line == null ? null : m.readTree(line);
            } catch (IOException | RuntimeException e) {
                throw new NnfrustException("merge: cannot read the header of " + f + ": " + e.getMessage());
            }
            JsonNode e = h == null ? null : h.get(EPSILON_R);
            if (e == null || !e.path(EPSILON_R_VALUE).isNumber()) {
                throw new NnfrustException("merge: " + f + " does not record the eps_R its run compared with (written"
                        + " by an older nnfrust); merge with --checkpoint FILE and run 'nnfrust experiment active' with"
                        + " --checkpoint FILE --resume");
            }
            EpsilonR here = new EpsilonR(
                    e.get(EPSILON_R_VALUE).asDouble(), e.path(EPSILON_R_SOURCE).asText());
            if (found == null) {
                found = here;
                first = f;
            } else if (!found.equals(here)) {
                throw new NnfrustException("merge: " + f + " compared with eps_R " + here.value() + " (" + here.source()
                        + "), " + first + " with " + found.value() + " (" + found.source() + "); merge only the shards"
                        + " of one run");
            }
        }
        return found;
    }

    /** Fails now, before any work, if {@link #run} would refuse the checkpoint of {@code rc}. */
    public static void checkCheckpoint(Config c, RunControl<?> rc) {
        if (rc.checkpoint() != null) {
            Checkpoint.validate(rc.checkpoint(), header(c, rc.shard()), rc.resume());
        }
    }

    /**
     * ε_R of {@code reference} for {@code net}: the given value, the file's after checking that it was computed on
     * this very graph (same model SHA-256, input size and conventions), or the best of the restarts of
     * {@code c}'s solver on the whole network with {@code c}'s seed.
     */
    public static EpsilonR epsilonR(Reference reference, Network net, Config c, int threads, Consumer<String> log) {
        return switch (reference.kind()) {
            case GIVEN -> new EpsilonR(reference.epsilon(), "--epsilon-r");
            case FILE ->
                new EpsilonR(
                        referenceEpsilon(reference.file(), reference.json(), net),
                        reference.file().toString());
            case COMPUTED -> {
                int restarts = reference.restarts();
                log.accept(String.format(
                        Locale.ROOT,
                        "eps_R: %d restart(s) of %s on the whole network...",
                        restarts,
                        c.solver().label()));
                Progress progress = new Progress("restarts", restarts, 0, Math.min(threads, restarts), log);
                FrustrationRunner.Result r = FrustrationRunner.run(
                        new SpinGlass(net.graph()),
                        c.solver().create(),
                        c.options(),
                        restarts,
                        c.seed(),
                        threads,
                        x -> {
                            String at = progress.tick();
                            log.accept(String.format(
                                    Locale.ROOT,
                                    "[%s] eps_R restart %d: eps %.6f (%.1f s)",
                                    at,
                                    x.index(),
                                    x.result().epsilon(),
                                    x.result().seconds()));
                        });
                double e = r.best().result().epsilon();
                log.accept(String.format(Locale.ROOT, "eps_R = %.6f (%.1f s)", e, r.seconds()));
                yield new EpsilonR(
                        e,
                        "computed: best of " + restarts + " restarts of "
                                + c.solver().label());
            }
        };
    }

    /**
     * ε_R from the output of 'nnfrust frustration' (epsilonBest) or 'nnfrust experiment frustration' (the
     * minimum of group R), after checking that it was computed on this very graph.
     */
    static double referenceEpsilon(Path file, JsonNode j, Network net) {
        String way = "compute eps_R on this model with 'nnfrust frustration " + net.source()
                + " --output FILE' and the same input size and conventions, or give eps_R as a number";
        ModelIdentity.requireSame(
                j.path(Provenance.PROVENANCE).path(ModelIdentity.MODEL), net, "reference " + file, way);
        double e;
        if (j.has(FrustrationRestarts.EPSILON_BEST)) {
            e = j.get(FrustrationRestarts.EPSILON_BEST).asDouble(Double.NaN);
        } else if (j.path(FrustrationCodec.GROUPS).path("R").has(FrustrationCodec.MIN)) {
            e = j.path(FrustrationCodec.GROUPS)
                    .path("R")
                    .path(FrustrationCodec.MIN)
                    .asDouble(Double.NaN);
        } else {
            throw new NnfrustException("reference " + file + " has neither epsilonBest nor groups.R.min; expected "
                    + "the output JSON of 'nnfrust frustration' or 'nnfrust experiment frustration'");
        }
        if (!(e >= 0 && e <= 0.5)) {
            throw new NnfrustException("reference " + file + ": epsilon " + e + " is not in [0, 0.5]");
        }
        return e;
    }

    /** The per-image seeds: one per listed image from the master seed. */
    static long[] seeds(long seed, int images) {
        long[] seeds = new long[images];
        SplittableRandom master = new SplittableRandom(seed);
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = master.nextLong();
        }
        return seeds;
    }

    /**
     * Runs the study: ε_R of {@code reference} ({@link #epsilonR}), then {@link #run(ModelLoader.Loaded,
     * ImageSource, Config, EpsilonR, RunControl)}.
     *
     * @param log progress lines of the ε_R computation (never null)
     */
    public static Result run(
            ModelLoader.Loaded loaded,
            ImageSource images,
            Config c,
            Reference reference,
            RunControl<ImageResult> rc,
            Consumer<String> log) {
        checkCheckpoint(c, rc);
        return run(loaded, images, c, epsilonR(reference, loaded.network(), c, rc.threads(), log), rc);
    }

    /**
     * Runs the images of {@code images} not yet in the checkpoint (at most {@code stopAfter} new ones when positive)
     * of this shard, against {@code eR}.
     */
    public static Result run(
            ModelLoader.Loaded loaded, ImageSource images, Config c, EpsilonR eR, RunControl<ImageResult> rc) {
        Network net = loaded.network();
        List<Path> files = images.files();
        checkCheckpoint(c, rc);
        long t0 = System.nanoTime();
        ObjectMapper m = new ObjectMapper();
        long[] seeds = seeds(c.seed(), files.size());
        ImageLoop<ImageResult> loop = new ImageLoop<>(
                files,
                rc.shard(),
                rc.checkpoint(),
                header(c, rc.shard(), eR),
                rc.resume(),
                seeds,
                ActiveCodec::imageOf,
                r -> ActiveCodec.imageLine(m, r),
                rc.progress());
        FrustrationSolver solver = c.solver().create();
        int threads = rc.threads();
        List<ImageSet.Skipped> skipped;
        try (loop;
                InferenceSession session = new InferenceSession(
                        loaded.model(),
                        net,
                        ActiveSubnetwork.tensorsNeeded(net),
                        c.inputs().precision(),
                        threads)) {
            skipped = loop.run(
                    rc.stopAfter(), images.batch(), images.preprocessor(), session.inputSize(), (b, listIndex) -> {
                        long tb = System.nanoTime();
                        Map<String, float[]> t = session.run(b.input(), b.size());
                        double inferencePerImage = (System.nanoTime() - tb) / 1e9 / b.size();
                        float[] logits = t.get(net.outputName());
                        int classes = logits.length / b.size();
                        for (int i = 0; i < b.size(); i++) {
                            long t1 = System.nanoTime();
                            Path file = b.files().get(i);
                            int k = listIndex[i];
                            int predicted = TopK.argmax(logits, i * classes, classes);
                            ActiveSubnetwork a = ActiveSubnetwork.of(net, t, i, predicted);
                            SpinGlass glass = new SpinGlass(a.graph(), a.mask());
                            FrustrationRunner.Result r = FrustrationRunner.run(
                                    glass, solver, c.options(), c.restarts(), seeds[k], threads, null);
                            double seconds = inferencePerImage + (System.nanoTime() - t1) / 1e9;
                            int trueClass = images.synsets() == null
                                    ? -1
                                    : images.synsets().classOf(file);
                            loop.add(
                                    k,
                                    new ImageResult(
                                            k,
                                            file.getFileName().toString(),
                                            trueClass,
                                            predicted,
                                            Accuracy.rank(logits, i * classes, classes, trueClass),
                                            a.activeNodes(),
                                            a.edgeCount(),
                                            a.absWeightSum(),
                                            r.best().result().epsilon(),
                                            r.mean(),
                                            r.best().result().localMinimum(),
                                            seconds,
                                            seeds[k]));
                        }
                    });
        }
        return new Result(
                c,
                eR,
                ModelIdentity.toJson(m, net),
                ModelIdentity.weights(net),
                net.outputNodes().length,
                loop.results(),
                skipped,
                files.size(),
                loop.fresh(),
                rc.shard(),
                threads,
                images.batch(),
                (System.nanoTime() - t0) / 1e9,
                Provenance.current());
    }

    /**
     * The result of a finished (or merged) checkpoint, rebuilt from its header's configuration and its result lines
     * without new work: what {@link #run} on it with nothing left to do returns. ε_R is not part of the checkpoint:
     * {@code reference} gives it (a computed ε_R is computed again, with the same seed, so it is the same).
     *
     * @param loaded  the network of the configuration (its SHA-256 is checked)
     * @param threads threads for a computed ε_R (recorded as the run's threads)
     * @param batch   recorded as the run's batch
     */
    public static Result fromCheckpoint(
            Path checkpoint,
            ModelLoader.Loaded loaded,
            Reference reference,
            int threads,
            int batch,
            Consumer<String> log) {
        Config c = Config.ofCheckpoint(checkpoint);
        requireModel(checkpoint, c, loaded.network());
        return fromCheckpoint(
                checkpoint, loaded, epsilonR(reference, loaded.network(), c, threads, log), threads, batch);
    }

    /** As above with ε_R known. */
    public static Result fromCheckpoint(
            Path checkpoint, ModelLoader.Loaded loaded, EpsilonR eR, int threads, int batch) {
        CheckpointLines cp = CheckpointLines.read(checkpoint);
        Config c = Config.fromJson(cp.config());
        Network net = loaded.network();
        requireModel(checkpoint, c, net);
        long t0 = System.nanoTime();
        List<Path> files = c.inputs().list();
        long[] seeds = seeds(c.seed(), files.size());
        Map<Integer, ImageResult> done = ImageLoop.finished(cp.lines(), files, seeds, ActiveCodec::imageOf);
        List<ImageSet.Skipped> skipped = ImageLoop.unusable(files, cp.shard(), done.keySet(), c.inputs(), net, batch);
        return new Result(
                c,
                eR,
                ModelIdentity.toJson(new ObjectMapper(), net),
                ModelIdentity.weights(net),
                net.outputNodes().length,
                ImageLoop.inListOrder(done, files.size()),
                skipped,
                files.size(),
                0,
                cp.shard(),
                threads,
                batch,
                (System.nanoTime() - t0) / 1e9,
                Provenance.current());
    }

    private static void requireModel(Path checkpoint, Config c, Network net) {
        if (!net.sha256().equals(c.inputs().sha256())) {
            throw new NnfrustException("checkpoint " + checkpoint + " was written for the model with SHA-256 "
                    + c.inputs().sha256() + ", not " + net.sha256() + " (" + net.source() + ")");
        }
    }
}
