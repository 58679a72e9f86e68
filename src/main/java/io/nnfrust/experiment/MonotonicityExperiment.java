package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Near-monotonicity of a network along the partial order found by its frustration computation (paper, Results:
 * "Quantifying near-monotonicity", eq. 10, Fig. 3, 4, 7, 8). For each image x₁ and each of P amplitudes a_p,
 * x₂ = x₁ + S_x·a_p·u (uᵢ ~ U(0,1)); the logits of x₁ and x₂ give the output alignment Ω along S_y. The same u
 * is used for every {@link Variant}: the real network with its best spins, the real network with a random
 * partial order (a fresh i.i.d. S_x, S_y per image, fixed over its perturbations), the two halves of that null
 * (random S_x with the real S_y, and the real S_x with a random S_y) and an N3 re-initialised network with the
 * best spins of its own frustration run (and the same halves on it). Cost: one inference per image and network plus
 * P per variant.
 *
 * <p>Seeds: the master seed gives, in order, the N3 network seed, the seed of the real network's frustration
 * run (when no spin file is given), the seed of the N3 network's run, then one seed per listed image; an
 * image's seed gives its random order and then one seed per perturbation. Results therefore depend neither on
 * batching, nor on threads, nor on resuming (ONNX Runtime may differ in the last bits between batch sizes).
 *
 * <p>The parts: {@link MonotonicityNetworks} (spins, N3 network), {@link MonotonicityEngine} (inference),
 * {@link MonotonicityStatistics} (λ, Ω histograms), {@link MonotonicityCodec} (files and their field names).
 */
public final class MonotonicityExperiment {
    private MonotonicityExperiment() {}

    /**
     * Everything that determines the results (the checkpoint header).
     *
     * @param variants     the variants to run, as given (the real network must be one); results list them in
     *                     {@link Variant} order
     * @param spins        spin file of the real network's best spins, or null to compute them ({@code restarts}
     *                     restarts of {@code solver})
     * @param nullRestarts restarts of {@code solver} on the N3 network for its own spins
     * @param n3Init       initialisation of the N3 network
     * @param n3Bias       biases of the N3 network's re-initialised layers
     */
    public record Config(
            ImageInputs inputs,
            AmplitudeSchedule amplitudes,
            List<Variant> variants,
            Path spins,
            SolverKind solver,
            int restarts,
            int nullRestarts,
            WeightInit n3Init,
            WeightWriter.BiasPolicy n3Bias,
            long seed,
            SolverOptions options) {
        public Config {
            if (inputs == null) {
                throw new NnfrustException("inputs must be given");
            }
            if (amplitudes == null) {
                throw new NnfrustException("amplitudes must be given");
            }
            if (variants == null || !variants.contains(Variant.REAL)) {
                throw new NnfrustException("variants must include the real network ('real'), got " + variants);
            }
            variants = List.copyOf(variants);
            if (new HashSet<>(variants).size() != variants.size()) {
                throw new NnfrustException("variants name a variant twice: " + variants);
            }
            spins = spins == null ? null : spins.toAbsolutePath().normalize();
            if (solver == null) {
                throw new NnfrustException("solver must be given");
            }
            if (restarts < 1) {
                throw new NnfrustException("restarts must be >= 1, got " + restarts);
            }
            if (nullRestarts < 1) {
                throw new NnfrustException("nullRestarts must be >= 1, got " + nullRestarts);
            }
            if (n3Init == null || n3Bias == null) {
                throw new NnfrustException("n3Init and n3Bias must be given");
            }
            if (options == null) {
                throw new NnfrustException("solver options must be given");
            }
        }

        /** The variants in result order ({@link Variant} order). */
        public List<Variant> runOrder() {
            EnumSet<Variant> set = EnumSet.noneOf(Variant.class);
            set.addAll(variants);
            return List.copyOf(set);
        }

        /** Whether a variant runs on the N3 network. */
        public boolean needsN3() {
            return variants.stream().anyMatch(Variant::onN3);
        }

        /** The real network's spins as the results name them: the file, or how they are computed. */
        public String spinsLabel() {
            return MonotonicityCodec.spinsLabel(spins, restarts, solver);
        }

        /** The configuration object of the checkpoint header and of {@code provenance.config}. */
        public ObjectNode toJson(ObjectMapper m) {
            return MonotonicityCodec.configJson(m, this);
        }

        /** The configuration written by {@link #toJson}. */
        public static Config fromJson(JsonNode o) {
            return MonotonicityCodec.configOf(o);
        }

        /** The configuration in the header of checkpoint {@code file}. */
        public static Config ofCheckpoint(Path file) {
            return fromJson(CheckpointLines.read(file).config());
        }
    }

    /** One variant's results on one image's P perturbations. */
    public record VariantResult(int predicted, int outputs, int[] aligned, int[] ties, boolean[] kept) {
        public double omega(int p) {
            return aligned[p] / (double) outputs;
        }

        /** Fraction of the perturbations with Ω > 0.5 (paper Fig. 8). */
        public double fractionAbove() {
            int c = 0;
            for (int a : aligned) {
                if (2L * a > outputs) {
                    c++;
                }
            }
            return c / (double) aligned.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VariantResult v
                    && predicted == v.predicted
                    && outputs == v.outputs
                    && Arrays.equals(aligned, v.aligned)
                    && Arrays.equals(ties, v.ties)
                    && Arrays.equals(kept, v.kept);
        }

        @Override
        public int hashCode() {
            return Objects.hash(predicted, outputs, Arrays.hashCode(aligned), Arrays.hashCode(ties));
        }

        @Override
        public String toString() {
            return "VariantResult[predicted=" + predicted + ", outputs=" + outputs + ", aligned="
                    + Arrays.toString(aligned) + ", ties=" + Arrays.toString(ties) + ", kept="
                    + Arrays.toString(kept) + "]";
        }
    }

    /** One image: the amplitudes and ‖δ‖₂ of its perturbations and every variant's results (in run order). */
    public record ImageResult(
            int index,
            String file,
            long seed,
            int trueClass,
            int trueRank,
            double[] amplitude,
            double[] deltaNorm,
            Map<Variant, VariantResult> variants) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ImageResult r
                    && index == r.index
                    && file.equals(r.file)
                    && seed == r.seed
                    && trueClass == r.trueClass
                    && trueRank == r.trueRank
                    && Arrays.equals(amplitude, r.amplitude)
                    && Arrays.equals(deltaNorm, r.deltaNorm)
                    && variants.equals(r.variants)
                    && List.copyOf(variants.keySet()).equals(List.copyOf(r.variants.keySet()));
        }

        @Override
        public int hashCode() {
            return Objects.hash(index, file, seed, Arrays.hashCode(deltaNorm), variants);
        }

        @Override
        public String toString() {
            return "ImageResult[index=" + index + ", file=" + file + ", seed=" + seed + ", trueClass=" + trueClass
                    + ", trueRank=" + trueRank + ", deltaNorm=" + Arrays.toString(deltaNorm) + ", variants="
                    + variants + "]";
        }
    }

    /** The seeds derived up front from the master seed (see the class comment). */
    public record Seeds(long n3Network, long realSolve, long n3Solve, long[] images) {
        public static Seeds of(long seed, int images) {
            SplittableRandom master = new SplittableRandom(seed);
            long a = master.nextLong(), b = master.nextLong(), c = master.nextLong();
            long[] im = new long[images];
            for (int k = 0; k < images; k++) {
                im[k] = master.nextLong();
            }
            return new Seeds(a, b, c, im);
        }
    }

    /**
     * One variant as run: its network's name, where its order comes from, and ε of its spins (NaN for a random
     * order).
     */
    public record VariantInfo(Variant variant, String network, String order, double epsilon) {
        static VariantInfo of(OrderedNetwork v) {
            return new VariantInfo(v.variant(), v.network().name(), v.provenance(), v.epsilon());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VariantInfo v
                    && variant == v.variant
                    && network.equals(v.network)
                    && order.equals(v.order)
                    && Double.compare(epsilon, v.epsilon) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(variant, network, order, Double.hashCode(epsilon));
        }
    }

    /** How long the run took: images run through a network, seconds in ONNX Runtime, wall-clock seconds. */
    public record Timing(long inferredImages, double inferenceSeconds, double wallSeconds) {
        public static final Timing NONE = new Timing(0, 0, 0);
    }

    /**
     * The study's result: its configuration, the real network's identity, the variants as run, every finished
     * image (list order) and how the run was carried out. Statistics are computed from the images.
     *
     * @param model        identity of the real network ({@link ModelIdentity#toJson})
     * @param classes      logits of the real network (classes for accuracy)
     * @param imagesListed images of the list (all shards)
     * @param newImages    images computed by this run (not read from the checkpoint)
     * @param spinsSha256  SHA-256 of the given spin file, null when the spins were computed
     * @param warnings     lines the caller should show (for example a spin file without model identity)
     */
    public record Result(
            Config config,
            JsonNode model,
            String weights,
            int classes,
            List<VariantInfo> variants,
            List<ImageResult> images,
            List<ImageSet.Skipped> skipped,
            int imagesListed,
            int newImages,
            Shard shard,
            int threads,
            int batch,
            Timing timing,
            String spinsSha256,
            List<String> warnings,
            Provenance provenance) {
        public Result {
            variants = List.copyOf(variants);
            images = List.copyOf(images);
            skipped = List.copyOf(skipped);
            warnings = List.copyOf(warnings);
        }

        /** Whether every image of this shard is done (or could not be used). */
        public boolean complete() {
            return images.size() + skipped.size() >= shard.ownedOf(imagesListed);
        }

        /** The statistics of every variant, in result order. */
        public List<MonotonicityStatistics.Summary> summaries() {
            List<MonotonicityStatistics.Summary> s = new ArrayList<>();
            for (VariantInfo v : variants) {
                s.add(MonotonicityStatistics.summarize(
                        v.variant(), images, config.amplitudes().count()));
            }
            return s;
        }

        /** Mean ‖δ‖₂ over the images, per perturbation (NaN without images). */
        public double[] meanDeltaNorm() {
            int perturbations = config.amplitudes().count();
            double[] mean = new double[perturbations];
            for (int p = 0; p < perturbations; p++) {
                double s = 0;
                for (ImageResult r : images) {
                    s += r.deltaNorm()[p];
                }
                mean[p] = images.isEmpty() ? Double.NaN : s / images.size();
            }
            return mean;
        }

        /** Accuracy of the real network on the labelled images. */
        public Accuracy accuracy() {
            return Accuracy.ofRanks(
                    images.stream().mapToInt(ImageResult::trueRank).toArray(), classes);
        }

        /** The JSON document ({@code --output}). */
        public ObjectNode toJson(ObjectMapper m) {
            return MonotonicityCodec.resultJson(m, this);
        }

        /** The JSON document as its file holds it. */
        public String toJsonText() {
            ObjectMapper m = ImageStudyJson.mapper();
            return ImageStudyJson.text(m, toJson(m));
        }

        /** One row per image and perturbation ({@code --csv}). */
        public String toCsv() {
            return MonotonicityCodec.csv(this);
        }

        /**
         * The text summary ({@code nnfrust experiment monotonicity} prints it on stdout when there are images): λ
         * and Ω of every variant, the class kept by amplitude, and the inference timing.
         */
        public List<String> summaryLines() {
            AmplitudeSchedule schedule = config.amplitudes();
            int perturbations = schedule.count();
            List<String> lines = new ArrayList<>();
            lines.add(String.format(
                    Locale.ROOT, "model %s, weights %s", config.inputs().model(), weights));
            lines.add(String.format(
                    Locale.ROOT,
                    "images %d (skipped %d) x %d perturbations, a in [%s]; %s",
                    images.size(),
                    skipped.size(),
                    perturbations,
                    schedule.label(),
                    accuracy().line()));
            lines.add(String.format(
                    Locale.ROOT,
                    "%-17s %8s %8s %8s %10s %8s %8s %8s %8s",
                    "variant",
                    "lambda",
                    "lam-ties",
                    "mean",
                    "Omega>0.5",
                    "all>0.5",
                    "all<=0.5",
                    "ties",
                    "kept"));
            List<MonotonicityStatistics.Summary> sums = summaries();
            for (MonotonicityStatistics.Summary s : sums) {
                lines.add(String.format(
                        Locale.ROOT,
                        "%-17s %8.4f %8.4f %8.4f %9.1f%% %8d %8d %7.2f%% %7.1f%%",
                        s.variant().label(),
                        s.lambda().lambda(),
                        s.lambdaTiesExcluded().lambda(),
                        s.meanOmega(),
                        100 * s.shareAbove(),
                        s.imagesAllAbove(),
                        s.imagesAllBelow(),
                        100 * s.meanTieFraction(),
                        100 * s.keptOverall()));
            }
            lines.add("class kept by amplitude (real network):");
            double[] kept = sums.get(0).keptByAmplitude();
            double[] meanDeltaNorm = meanDeltaNorm();
            int step = Math.max(1, perturbations / 10);
            for (int p = 0; p < perturbations; p += step) {
                lines.add(String.format(
                        Locale.ROOT,
                        "  a %10.4g  |delta| %10.4g  kept %5.1f%%",
                        schedule.amplitude(p),
                        meanDeltaNorm[p],
                        100 * kept[p]));
            }
            lines.add(String.format(
                    Locale.ROOT,
                    "inference: %,d images in %.1f s (%.1f images/s, batch %d); wall %.1f s",
                    timing.inferredImages(),
                    timing.inferenceSeconds(),
                    timing.inferenceSeconds() > 0 ? timing.inferredImages() / timing.inferenceSeconds() : 0,
                    batch,
                    timing.wallSeconds()));
            return lines;
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
    }

    // ------------------------------------------------------------------------------------------ run

    private static String header(Config c, Shard shard) {
        ObjectMapper m = new ObjectMapper();
        return Checkpoint.header(m, c.toJson(m), shard, Study.MONOTONICITY);
    }

    /** Fails now, before any work, if {@link #run} would refuse the checkpoint of {@code rc}. */
    public static void checkCheckpoint(Config c, RunControl<?> rc) {
        if (rc.checkpoint() != null) {
            Checkpoint.validate(rc.checkpoint(), header(c, rc.shard()), rc.resume());
        }
    }

    /**
     * Runs the study: the real network's spins (read from {@link Config#spins}, or computed and kept beside the
     * checkpoint as {@code CHECKPOINT.real.spins}), the N3 network and its spins ({@code CHECKPOINT.N3.spins}) when
     * a variant needs it, then the images of {@code images} not yet in the checkpoint (at most {@code stopAfter}
     * new ones when positive) of this shard.
     *
     * @param loaded the real network and its ONNX model
     * @param log    progress lines of the spin computations (never null)
     */
    public static Result run(
            ModelLoader.Loaded loaded, ImageSource images, Config c, RunControl<ImageResult> rc, Consumer<String> log) {
        checkCheckpoint(c, rc);
        Seeds seeds = Seeds.of(c.seed(), images.files().size());
        List<String> warnings = new ArrayList<>();
        List<OrderedNetwork> vs = assemble(loaded, c, seeds, rc.threads(), rc.checkpoint(), rc.resume(), log, warnings);
        return run(loaded, vs, images, c, rc, warnings);
    }

    /**
     * Runs the images along the networks and orders {@code vs} (the real network first; their variants are those of
     * {@code c}, in result order).
     */
    static Result run(
            ModelLoader.Loaded loaded,
            List<OrderedNetwork> vs,
            ImageSource images,
            Config c,
            RunControl<ImageResult> rc,
            List<String> warnings) {
        long t0 = System.nanoTime();
        Network net = loaded.network();
        List<Path> files = images.files();
        Seeds seeds = Seeds.of(c.seed(), files.size());
        ObjectMapper m = new ObjectMapper();
        ImageLoop<ImageResult> loop = new ImageLoop<>(
                files,
                rc.shard(),
                rc.checkpoint(),
                header(c, rc.shard()),
                rc.resume(),
                seeds.images(),
                MonotonicityCodec::imageOf,
                r -> MonotonicityCodec.imageLine(m, r),
                rc.progress());
        List<ImageSet.Skipped> skipped;
        long inferred;
        double inferenceSeconds;
        try (loop;
                MonotonicityEngine engine = new MonotonicityEngine(
                        vs,
                        c.inputs().precision(),
                        rc.threads(),
                        images.batch(),
                        c.amplitudes().amplitudes())) {
            skipped = loop.run(
                    rc.stopAfter(), images.batch(), images.preprocessor(), engine.inputSize(), (b, listIndex) -> {
                        var y1 = engine.originals(b.input(), b.size());
                        for (int i = 0; i < b.size(); i++) {
                            Path file = b.files().get(i);
                            int k = listIndex[i];
                            int trueClass = images.synsets() == null
                                    ? -1
                                    : images.synsets().classOf(file);
                            loop.add(
                                    k, engine.image(k, file, seeds.images()[k], trueClass, b.input(), y1, i, b.size()));
                        }
                    });
            inferred = engine.inferred();
            inferenceSeconds = engine.inferenceSeconds();
        }
        return new Result(
                c,
                ModelIdentity.toJson(m, net),
                ModelIdentity.weights(net),
                net.outputNodes().length,
                vs.stream().map(VariantInfo::of).toList(),
                loop.results(),
                skipped,
                files.size(),
                loop.fresh(),
                rc.shard(),
                rc.threads(),
                images.batch(),
                new Timing(inferred, inferenceSeconds, (System.nanoTime() - t0) / 1e9),
                spinsSha256(c),
                warnings,
                Provenance.current());
    }

    /**
     * The result of a finished (or merged) checkpoint, rebuilt from its header's configuration and its result lines
     * without new inference: what {@link #run} on it with nothing left to do returns. The spins' ε come from the
     * spin file of the configuration or from the spin files kept beside the checkpoint; spins missing there are
     * computed again (same seeds, same spins).
     *
     * @param loaded  the real network of the configuration (its SHA-256 is checked)
     * @param threads threads to recompute missing spins with (recorded as the run's threads)
     * @param batch   recorded as the run's batch
     */
    public static Result fromCheckpoint(
            Path checkpoint, ModelLoader.Loaded loaded, int threads, int batch, Consumer<String> log) {
        long t0 = System.nanoTime();
        CheckpointLines cp = CheckpointLines.read(checkpoint);
        Config c = Config.fromJson(cp.config());
        Network net = loaded.network();
        if (!net.sha256().equals(c.inputs().sha256())) {
            throw new NnfrustException("checkpoint " + checkpoint + " was written for the model with SHA-256 "
                    + c.inputs().sha256() + ", not " + net.sha256() + " (" + net.source() + ")");
        }
        List<Path> files = c.inputs().list();
        Seeds seeds = Seeds.of(c.seed(), files.size());
        Map<Integer, ImageResult> done =
                ImageLoop.finished(cp.lines(), files, seeds.images(), MonotonicityCodec::imageOf);
        List<ImageResult> images = ImageLoop.inListOrder(done, files.size());
        List<ImageSet.Skipped> skipped = ImageLoop.unusable(files, cp.shard(), done.keySet(), c.inputs(), net, batch);
        List<String> warnings = new ArrayList<>();
        List<VariantInfo> variants = new ArrayList<>();
        for (OrderedNetwork v : assemble(loaded, c, seeds, threads, checkpoint, true, log, warnings)) {
            variants.add(VariantInfo.of(v));
        }
        ObjectMapper m = new ObjectMapper();
        return new Result(
                c,
                ModelIdentity.toJson(m, net),
                ModelIdentity.weights(net),
                net.outputNodes().length,
                variants,
                images,
                skipped,
                files.size(),
                0,
                cp.shard(),
                threads,
                batch,
                new Timing(0, 0, (System.nanoTime() - t0) / 1e9),
                spinsSha256(c),
                warnings,
                Provenance.current());
    }

    private static String spinsSha256(Config c) {
        if (c.spins() == null) {
            return null;
        }
        try {
            return ModelLoader.sha256(Files.readAllBytes(c.spins()));
        } catch (IOException e) {
            throw new NnfrustException("cannot read spin file " + c.spins() + ": " + e.getMessage());
        }
    }

    /**
     * The variants of {@code c} in result order: the real network along its best spins, the random orders, and the
     * N3 network (imported, its spins computed or read from {@code CHECKPOINT.N3.spins}) with its halves. The N3
     * network itself is left out when only its halves were asked for.
     */
    static List<OrderedNetwork> assemble(
            ModelLoader.Loaded loaded,
            Config c,
            Seeds seeds,
            int threads,
            Path checkpoint,
            boolean resume,
            Consumer<String> log,
            List<String> warnings) {
        Network net = loaded.network();
        FrustrationSolver solver = c.solver().create();
        SpinFile realSpins;
        String realOrder;
        if (c.spins() != null) {
            if (!Files.isRegularFile(c.spins())) {
                throw new NnfrustException("spin file not found: " + c.spins());
            }
            realSpins = SpinFile.read(c.spins());
            if (!MonotonicityNetworks.checkIdentity(realSpins, net, c.spins())) {
                warnings.add("spin file " + c.spins() + " carries no model identity (older format); only its node "
                        + "counts could be checked against " + net.name());
            }
            realOrder = c.spins().toString();
        } else {
            realSpins = MonotonicityNetworks.bestSpins(
                    net,
                    solver,
                    c.options(),
                    c.restarts(),
                    seeds.realSolve(),
                    threads,
                    checkpoint == null ? null : Path.of(checkpoint + ".real.spins"),
                    resume,
                    log);
            realOrder = c.spinsLabel();
        }
        List<OrderedNetwork> vs = new ArrayList<>();
        OrderedNetwork real = MonotonicityNetworks.real(loaded, realSpins, realOrder);
        OrderedNetwork n3 = null;
        if (c.needsN3()) {
            ModelLoader.Loaded n3Net =
                    MonotonicityNetworks.n3Network(loaded, c.n3Init(), c.n3Bias(), seeds.n3Network());
            SpinFile n3Spins = MonotonicityNetworks.bestSpins(
                    n3Net.network(),
                    solver,
                    c.options(),
                    c.nullRestarts(),
                    seeds.n3Solve(),
                    threads,
                    checkpoint == null ? null : Path.of(checkpoint + ".N3.spins"),
                    resume,
                    log);
            n3 = MonotonicityNetworks.n3(
                    n3Net,
                    n3Spins,
                    "N3-" + c.n3Init().label() + " seed " + seeds.n3Network() + ", biases "
                            + c.n3Bias().name().toLowerCase(Locale.ROOT) + ", best of " + c.nullRestarts()
                            + " restarts of " + c.solver().label());
        }
        for (Variant v : c.runOrder()) {
            vs.add(
                    switch (v) {
                        case REAL -> real;
                        case RANDOM_ORDER -> MonotonicityNetworks.randomOrder(loaded);
                        case RANDOM_INPUT, RANDOM_OUTPUT -> MonotonicityNetworks.halfRandom(real, v);
                        case N3 -> n3;
                        case N3_RANDOM_INPUT, N3_RANDOM_OUTPUT -> MonotonicityNetworks.halfRandom(n3, v);
                    });
        }
        return vs;
    }
}
