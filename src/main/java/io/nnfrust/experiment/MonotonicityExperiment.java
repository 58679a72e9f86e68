package io.nnfrust.experiment;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.Synsets;
import io.nnfrust.inference.TopK;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.LambdaMonotonicity;
import io.nnfrust.monotonicity.OutputAlignment;
import io.nnfrust.monotonicity.Perturbation;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Near-monotonicity of a network along the partial order found by its frustration computation (paper, Results:
 * "Quantifying near-monotonicity", eq. 10, Fig. 3, 4, 7, 8). For each image x₁ and each of P amplitudes a_p,
 * x₂ = x₁ + S_x·a_p·u (uᵢ ~ U(0,1)); the logits of x₁ and x₂ give the output alignment Ω along S_y. The same u
 * is used for every {@link Variant}: the real network with its best spins, the real network with a random
 * partial order (a fresh i.i.d. S_x, S_y per image, fixed over its perturbations), the two halves of that null
 * (random S_x with the real S_y, and the real S_x with a random S_y) and an N3 re-initialised network with the
 * best spins of its own frustration run. Cost: one inference per image and network plus P per variant.
 *
 * <p>Seeds: the master seed gives, in order, the N3 network seed, the seed of the real network's frustration
 * run (when no spin file is given), the seed of the N3 network's run, then one seed per listed image; an
 * image's seed gives its random order and then one seed per perturbation. Results therefore depend neither on
 * batching, nor on threads, nor on resuming (ONNX Runtime may differ in the last bits between batch sizes).
 */
public final class MonotonicityExperiment {
    public static final String REAL = "real";
    public static final String RANDOM_ORDER = "random-order";
    /** Random S_x with the real S_y: is the input direction found by the frustration computation special? */
    public static final String RANDOM_INPUT = "random-input";
    /** The real S_x with a random S_y. */
    public static final String RANDOM_OUTPUT = "random-output";
    /** The halves of the random order on the N3 network: random S_x with its S_y, its S_x with a random S_y. */
    public static final String N3_RANDOM_INPUT = "N3-random-input";

    public static final String N3_RANDOM_OUTPUT = "N3-random-output";
    /** Every variant name, in report order. */
    public static final List<String> VARIANTS =
            List.of("real", "random-order", "random-input", "random-output", "N3", N3_RANDOM_INPUT, N3_RANDOM_OUTPUT);

    public static final String N3 = "N3";

    private MonotonicityExperiment() {}

    /** Everything that determines the results (the checkpoint header). */
    public record Config(
            ImageInputs inputs,
            AmplitudeSchedule amplitudes,
            List<String> variants,
            String spins,
            String solver,
            int restarts,
            int nullRestarts,
            String n3Init,
            String n3Bias,
            long seed,
            SolverOptions options) {
        public Config {
            variants = List.copyOf(variants);
            for (String v : variants) {
                if (!VARIANTS.contains(v)) {
                    throw new NnfrustException("unknown variant '" + v + "' (use one of " + VARIANTS + ")");
                }
            }
            if (restarts < 1 || nullRestarts < 1) {
                throw new NnfrustException("--restarts and --null-restarts must be at least 1");
            }
        }

        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode c = m.createObjectNode();
            inputs.putJson(c);
            c.put("perturbations", amplitudes.count());
            c.put("amplitudeMin", amplitudes.min());
            c.put("amplitudeMax", amplitudes.max());
            c.put("spacing", amplitudes.logarithmic() ? "log" : "linear");
            ArrayNode v = c.putArray("variants");
            variants.forEach(v::add);
            c.put("spins", spins);
            c.put("solver", solver);
            c.put("restarts", restarts);
            c.put("nullRestarts", nullRestarts);
            c.put("n3Init", n3Init);
            c.put("n3Bias", n3Bias);
            c.put("seed", seed);
            FrustrationExperiment.putSolverOptions(c, options);
            return c;
        }
    }

    /**
     * One network with one input/output order. A null {@code sx} or {@code sy} is drawn per image: i.i.d. ±1
     * signs from the image's order seed, first the n₀ input signs, then the n_h output signs (so the random parts
     * of random-order, random-input and random-output are the same draws).
     */
    public record Variant(
            String name, ModelProto model, Network network, byte[] sx, byte[] sy, double epsilon, String provenance) {}

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
    }

    /** One image: the amplitudes and ‖δ‖₂ of its perturbations and every variant's results. */
    public record ImageResult(
            int index,
            String file,
            long seed,
            int trueClass,
            int trueRank,
            double[] amplitude,
            double[] deltaNorm,
            Map<String, VariantResult> variants) {
        String toJson(ObjectMapper m) {
            ObjectNode r = m.createObjectNode();
            r.put("type", "image");
            r.put("index", index);
            r.put("file", file);
            r.put("seed", seed);
            r.put("trueClass", trueClass);
            r.put("trueRank", trueRank);
            ArrayNode a = r.putArray("amplitude");
            for (double v : amplitude) {
                a.add(v);
            }
            ArrayNode d = r.putArray("deltaNorm");
            for (double v : deltaNorm) {
                d.add(v);
            }
            ObjectNode vs = r.putObject("variants");
            variants.forEach((name, v) -> {
                ObjectNode j = vs.putObject(name);
                j.put("predicted", v.predicted());
                j.put("outputs", v.outputs());
                ArrayNode al = j.putArray("aligned");
                ArrayNode ti = j.putArray("ties");
                ArrayNode ke = j.putArray("kept");
                for (int p = 0; p < v.aligned().length; p++) {
                    al.add(v.aligned()[p]);
                    ti.add(v.ties()[p]);
                    ke.add(v.kept()[p] ? 1 : 0);
                }
            });
            return r.toString();
        }

        static ImageResult of(JsonNode j) {
            double[] a = doubles(j.get("amplitude"));
            double[] d = doubles(j.get("deltaNorm"));
            Map<String, VariantResult> vs = new LinkedHashMap<>();
            j.get("variants").fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                int[] al = ints(v.get("aligned"));
                int[] ti = ints(v.get("ties"));
                int[] ke = ints(v.get("kept"));
                boolean[] kept = new boolean[ke.length];
                for (int p = 0; p < kept.length; p++) {
                    kept[p] = ke[p] != 0;
                }
                vs.put(
                        e.getKey(),
                        new VariantResult(
                                v.get("predicted").asInt(), v.get("outputs").asInt(), al, ti, kept));
            });
            return new ImageResult(
                    j.get("index").asInt(),
                    j.get("file").asText(),
                    j.get("seed").asLong(),
                    j.get("trueClass").asInt(),
                    j.path("trueRank").asInt(-1),
                    a,
                    d,
                    vs);
        }

        private static double[] doubles(JsonNode a) {
            double[] r = new double[a.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = a.get(i).asDouble();
            }
            return r;
        }

        private static int[] ints(JsonNode a) {
            int[] r = new int[a.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = a.get(i).asInt();
            }
            return r;
        }
    }

    /** Results in file order, the unusable files, and the inference time of this run. */
    public record Outcome(
            List<ImageResult> images,
            List<ImageSet.Skipped> skipped,
            int newImages,
            long inferredImages,
            double inferenceSeconds) {}

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

    // ------------------------------------------------------------------------------------------ variants

    /** The real network with the input/output spins of {@code spins}, checked against the network. */
    public static Variant realVariant(ModelLoader.Loaded loaded, SpinFile spins, String provenance) {
        Network net = loaded.network();
        checkSpins(net, spins, provenance);
        return new Variant(
                REAL, loaded.model(), net, spins.inputSpins(), spins.outputSpins(), spins.epsilon(), provenance);
    }

    /** The real network with a random partial order per image. */
    public static Variant randomOrderVariant(ModelLoader.Loaded loaded) {
        return new Variant(
                RANDOM_ORDER,
                loaded.model(),
                loaded.network(),
                null,
                null,
                Double.NaN,
                "i.i.d. random S_x, S_y per image");
    }

    /**
     * A variant's network with half of its order replaced by random signs per image: {@link #RANDOM_INPUT} or
     * {@link #N3_RANDOM_INPUT} (random S_x, the variant's S_y), {@link #RANDOM_OUTPUT} or {@link #N3_RANDOM_OUTPUT}
     * (the variant's S_x, random S_y).
     */
    public static Variant halfRandomVariant(Variant real, String name) {
        return switch (name) {
            case RANDOM_INPUT, N3_RANDOM_INPUT ->
                new Variant(
                        name,
                        real.model(),
                        real.network(),
                        null,
                        real.sy(),
                        Double.NaN,
                        "i.i.d. random S_x per image, S_y of " + real.provenance());
            case RANDOM_OUTPUT, N3_RANDOM_OUTPUT ->
                new Variant(
                        name,
                        real.model(),
                        real.network(),
                        real.sx(),
                        null,
                        Double.NaN,
                        "S_x of " + real.provenance() + ", i.i.d. random S_y per image");
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * The best spins of {@code restarts} solver restarts on {@code net}'s graph, written to {@code cache} when it
     * is given. With {@code reuse} (resuming a checkpoint whose header fixed the configuration) spins already in
     * {@code cache} for this network are read instead of computed.
     */
    public static SpinFile bestSpins(
            Network net,
            FrustrationSolver solver,
            SolverOptions options,
            int restarts,
            long seed,
            int threads,
            Path cache,
            boolean reuse,
            Consumer<String> log) {
        if (cache != null && reuse && Files.isRegularFile(cache)) {
            SpinFile s = SpinFile.read(cache);
            if (matches(net, s)) {
                log.accept("spins of " + net.name() + " read from " + cache + " (eps " + s.epsilon() + ")");
                return s;
            }
        }
        log.accept("frustration of " + net.name() + ": " + restarts + " restart(s) of " + solver.name() + "...");
        Progress progress = new Progress("restarts", restarts, 0, Math.min(threads, restarts), log);
        FrustrationRunner.Result r = FrustrationRunner.run(
                new SpinGlass(net.graph()),
                solver,
                options,
                restarts,
                seed,
                threads,
                x -> log.accept(String.format(
                        Locale.ROOT,
                        "[%s] restart %d: eps %.6f (%.1f s)",
                        progress.tick(),
                        x.index(),
                        x.result().epsilon(),
                        x.result().seconds())));
        RestartResult best = r.best().result();
        SpinFile s = SpinFile.of(best.spins(), net.inputNodes(), net.outputNodes(), best.epsilon())
                .withHeader(spinHeader(net));
        log.accept(
                String.format(Locale.ROOT, "eps = %.6f (best of %d, %.1f s)", best.epsilon(), restarts, r.seconds()));
        if (cache != null) {
            s.write(cache);
        }
        return s;
    }

    /**
     * Null model N3 as a runnable network: fresh He/Xavier weights for every convolution and dense layer
     * ({@link ReinitializedWeights}, the same draws as N3 of {@code experiment frustration} with this seed),
     * written into the ONNX model ({@link WeightWriter}) and imported again, so the graph whose frustration gives
     * S and the model ONNX Runtime runs are the same network.
     */
    public static ModelLoader.Loaded n3Network(
            ModelLoader.Loaded real, WeightInit init, WeightWriter.BiasPolicy bias, long seed) {
        Network net = real.network();
        var graph = new ReinitializedWeights(init).apply(net.graph(), seed);
        ModelProto proto = WeightWriter.write(real.model(), net, graph, bias);
        String sha = ModelLoader.sha256(proto.toByteArray());
        Network n3 = OnnxImporter.importModel(
                proto,
                net.name() + "#N3-" + init.label() + "-" + seed,
                new ModelOrigin.ReinitializedN3(net.origin(), init, seed, sha),
                net.options());
        return new ModelLoader.Loaded(proto, n3);
    }

    /** The header of a spin file of {@code net}: its identity and this run's provenance. */
    public static String spinHeader(Network net) {
        return SpinFile.header(ModelIdentity.toJson(new ObjectMapper(), net));
    }

    private static boolean matches(Network net, SpinFile s) {
        var model = s.headerJson().path("model");
        if (model.has("sha256") && !model.path("sha256").asText().equals(net.sha256())) {
            return false;
        }
        return s.spins().length == net.graph().nodeCount()
                && Arrays.equals(s.inputNodes(), net.inputNodes())
                && Arrays.equals(s.outputNodes(), net.outputNodes());
    }

    private static void checkSpins(Network net, SpinFile s, String source) {
        if (!matches(net, s)) {
            throw new NnfrustException(source + ": spins for " + s.spins().length + " nodes (" + s.inputNodes().length
                    + " inputs, " + s.outputNodes().length + " outputs) do not belong to " + net.name() + " ("
                    + net.graph().nodeCount() + " nodes, " + net.inputNodes().length + " inputs, "
                    + net.outputNodes().length + " outputs); compute them with 'nnfrust frustration MODEL --spins FILE'"
                    + " and the same import options");
        }
    }

    // ------------------------------------------------------------------------------------------ run

    private static String header(Config c) {
        return header(c, Shard.ALL);
    }

    private static String header(Config c, Shard shard) {
        ObjectMapper m = new ObjectMapper();
        return Checkpoint.header(m, c.toJson(m), shard);
    }

    /** Fails now, before any spins are computed, if {@link #run} would refuse {@code checkpoint}. */
    public static void checkCheckpoint(Config c, Path checkpoint, boolean resume) {
        checkCheckpoint(c, Shard.ALL, checkpoint, resume);
    }

    /** As above for the checkpoint of shard {@code shard}. */
    public static void checkCheckpoint(Config c, Shard shard, Path checkpoint, boolean resume) {
        if (checkpoint != null) {
            Checkpoint.validate(checkpoint, header(c, shard), resume);
        }
    }

    /**
     * Runs the images of {@code files} not yet in the checkpoint (at most {@code stopAfter} new ones when positive).
     *
     * @param batch   images per ONNX Runtime call (originals and perturbations alike)
     * @param threads ONNX Runtime intra-op threads
     */
    public static Outcome run(
            List<Variant> variants,
            ImagePreprocessor pre,
            InferenceSession.Precision precision,
            Synsets synsets,
            List<Path> files,
            Config c,
            int batch,
            int threads,
            Path checkpoint,
            boolean resume,
            int stopAfter,
            Consumer<ImageResult> progress) {
        return run(
                variants,
                pre,
                precision,
                synsets,
                files,
                c,
                batch,
                threads,
                Shard.ALL,
                checkpoint,
                resume,
                stopAfter,
                progress);
    }

    /** As above for shard {@code shard} of the images (image k of the list is shard (k mod N) + 1's). */
    public static Outcome run(
            List<Variant> variants,
            ImagePreprocessor pre,
            InferenceSession.Precision precision,
            Synsets synsets,
            List<Path> files,
            Config c,
            int batch,
            int threads,
            Shard shard,
            Path checkpoint,
            boolean resume,
            int stopAfter,
            Consumer<ImageResult> progress) {
        if (variants.isEmpty()) {
            throw new NnfrustException("no variant to run");
        }
        if (batch < 1) {
            throw new NnfrustException("--batch must be at least 1, got " + batch);
        }
        ObjectMapper m = new ObjectMapper();
        Seeds seeds = Seeds.of(c.seed(), files.size());
        ImageLoop<ImageResult> loop = new ImageLoop<>(
                files,
                shard,
                checkpoint,
                header(c, shard),
                resume,
                seeds.images(),
                ImageResult::of,
                r -> r.toJson(m),
                progress);
        List<ImageSet.Skipped> skipped;
        Engine engine =
                new Engine(variants, precision, threads, batch, c.amplitudes().amplitudes());
        try (loop;
                engine) {
            skipped = loop.run(stopAfter, batch, pre, engine.n0, (b, listIndex) -> {
                Map<Network, float[]> y1 = engine.originals(b.input(), b.size());
                for (int i = 0; i < b.size(); i++) {
                    Path file = b.files().get(i);
                    int k = listIndex[i];
                    loop.add(
                            k,
                            engine.image(
                                    k,
                                    file,
                                    seeds.images()[k],
                                    synsets == null ? -1 : synsets.classOf(file),
                                    b.input(),
                                    y1,
                                    i,
                                    b.size()));
                }
            });
        }
        return new Outcome(loop.results(), skipped, loop.fresh(), engine.inferred, engine.inferSeconds);
    }

    /**
     * The inference side of a run: one ONNX Runtime session per distinct network, the perturbation buffers
     * (one batch of inputs per variant, reused) and the inference time. Not thread-safe.
     */
    static final class Engine implements AutoCloseable {
        final List<Variant> variants;
        final Map<Network, InferenceSession> sessions = new IdentityHashMap<>();
        final int n0, batch;
        final double[] amps;
        final float[][] x2;
        final float[] u;
        long inferred;
        double inferSeconds;

        Engine(List<Variant> variants, InferenceSession.Precision precision, int threads, int batch, double[] amps) {
            this.variants = variants;
            this.batch = batch;
            this.amps = amps;
            try {
                for (Variant v : variants) {
                    if (!sessions.containsKey(v.network())) {
                        sessions.put(
                                v.network(),
                                new InferenceSession(v.model(), v.network(), List.of(), precision, threads));
                    }
                }
                n0 = sessions.values().iterator().next().inputSize();
                if ((long) batch * n0 > Integer.MAX_VALUE - 8) {
                    throw new NnfrustException(
                            "--batch " + batch + " is too large for " + n0 + " input values per image");
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            x2 = new float[variants.size()][batch * n0];
            u = new float[n0];
        }

        private float[] logits(Network net, float[] input, int count) {
            long t0 = System.nanoTime();
            float[] y = sessions.get(net).run(input, count).get(net.outputName());
            inferSeconds += (System.nanoTime() - t0) / 1e9;
            inferred += count;
            return y;
        }

        /** The logits of the unperturbed images, per network. */
        Map<Network, float[]> originals(float[] input, int count) {
            Map<Network, float[]> y1 = new IdentityHashMap<>();
            for (Network net : sessions.keySet()) {
                y1.put(net, logits(net, input, count));
            }
            return y1;
        }

        /** Every variant's P perturbations of image i of the loaded batch (image k of the list). */
        ImageResult image(
                int k, Path file, long seed, int trueClass, float[] input, Map<Network, float[]> y1, int i, int count) {
            int P = amps.length, V = variants.size();
            SplittableRandom imageRandom = new SplittableRandom(seed);
            long orderSeed = imageRandom.nextLong();
            long[] pSeeds = new long[P];
            for (int p = 0; p < P; p++) {
                pSeeds[p] = imageRandom.nextLong();
            }
            byte[][] sx = new byte[V][], sy = new byte[V][];
            int[] outputs = new int[V], predicted = new int[V];
            for (int v = 0; v < V; v++) {
                Variant var = variants.get(v);
                float[] y = y1.get(var.network());
                outputs[v] = y.length / count;
                predicted[v] = TopK.argmax(y, i * outputs[v], outputs[v]);
                sx[v] = var.sx();
                sy[v] = var.sy();
                if (sx[v] == null || sy[v] == null) {
                    SplittableRandom r = new SplittableRandom(orderSeed);
                    byte[] rx = Perturbation.randomSigns(r, n0);
                    byte[] ry = Perturbation.randomSigns(r, outputs[v]);
                    sx[v] = sx[v] == null ? rx : sx[v];
                    sy[v] = sy[v] == null ? ry : sy[v];
                }
                if (sx[v].length != n0 || sy[v].length != outputs[v]) {
                    throw new NnfrustException(var.name() + ": spins for " + sx[v].length + " inputs and "
                            + sy[v].length + " outputs, the model has " + n0 + " and " + outputs[v]);
                }
            }
            double[] norms = new double[P];
            int[][] aligned = new int[V][P], ties = new int[V][P];
            boolean[][] kept = new boolean[V][P];
            for (int p0 = 0; p0 < P; p0 += batch) {
                int nb = Math.min(batch, P - p0);
                for (int q = 0; q < nb; q++) {
                    int p = p0 + q;
                    norms[p] = amps[p] * Perturbation.uniform(new SplittableRandom(pSeeds[p]), u, n0);
                    for (int v = 0; v < V; v++) {
                        Perturbation.apply(input, i * n0, sx[v], amps[p], u, x2[v], q * n0, n0);
                    }
                }
                for (int v = 0; v < V; v++) {
                    Network net = variants.get(v).network();
                    float[] y2 = logits(net, x2[v], nb);
                    float[] y = y1.get(net);
                    int n = outputs[v];
                    for (int q = 0; q < nb; q++) {
                        int p = p0 + q;
                        aligned[v][p] = OutputAlignment.aligned(y, i * n, y2, q * n, sy[v], n);
                        ties[v][p] = OutputAlignment.ties(y, i * n, y2, q * n, n);
                        kept[v][p] = TopK.argmax(y2, q * n, n) == predicted[v];
                    }
                }
            }
            Map<String, VariantResult> vr = new LinkedHashMap<>();
            for (int v = 0; v < V; v++) {
                vr.put(
                        variants.get(v).name(),
                        new VariantResult(predicted[v], outputs[v], aligned[v], ties[v], kept[v]));
            }
            float[] real = y1.get(variants.get(0).network());
            int trueRank = Accuracy.rank(real, i * outputs[0], outputs[0], trueClass);
            return new ImageResult(
                    k, file.getFileName().toString(), seed, trueClass, trueRank, amps.clone(), norms, vr);
        }

        @Override
        public void close() {
            for (InferenceSession s : sessions.values()) {
                s.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------------ summary

    /** λ grid resolution: F is reported at λ = g/200, g = 0..100. */
    public static final int GRID_STEPS = 200;

    /**
     * Pooled statistics of one variant over all images and perturbations.
     *
     * @param lambdaTiesExcluded λ of Ω recomputed over the logits that moved, (aligned − ties)/(n_h − ties);
     *                       perturbations that moved no logit are left out
     * @param omegaHistogram counts of Ω in 50 bins of width 0.02 over [0, 1] (the last bin includes 1)
     * @param fig8Histogram  counts of images by their fraction of perturbations with Ω > 0.5, 10 bins over [0, 1]
     * @param keptByAmplitude share of images whose perturbation p keeps the class predicted for x₁
     */
    public record Summary(
            String variant,
            int samples,
            LambdaMonotonicity.Result lambda,
            LambdaMonotonicity.Result lambdaTiesExcluded,
            double[] tail,
            double meanOmega,
            double shareAbove,
            double shareBelow,
            double meanTieFraction,
            long[] omegaHistogram,
            long[] fig8Histogram,
            int imagesAllAbove,
            int imagesAllBelow,
            double[] keptByAmplitude,
            double keptOverall) {}

    public static Summary summarize(String variant, List<ImageResult> images, int perturbations) {
        List<VariantResult> rs = new ArrayList<>();
        for (ImageResult im : images) {
            VariantResult v = im.variants().get(variant);
            if (v != null) {
                rs.add(v);
            }
        }
        int outputs = rs.isEmpty() ? 1 : rs.get(0).outputs();
        int total = 0;
        for (VariantResult v : rs) {
            if (v.outputs() != outputs) {
                throw new IllegalStateException("variant " + variant + " has results with different output counts");
            }
            total += v.aligned().length;
        }
        int[] all = new int[total];
        double[] moved = new double[total];
        int nMoved = 0;
        long[] hist = new long[50];
        long[] fig8 = new long[10];
        double sumOmega = 0, sumTies = 0;
        int above = 0, below = 0, allAbove = 0, allBelow = 0, keptAll = 0;
        double[] kept = new double[perturbations];
        int[] keptN = new int[perturbations];
        int t = 0;
        for (VariantResult v : rs) {
            int up = 0;
            for (int p = 0; p < v.aligned().length; p++) {
                int a = v.aligned()[p];
                all[t++] = a;
                int ti = v.ties()[p];
                if (ti < outputs) {
                    moved[nMoved++] = (a - ti) / (double) (outputs - ti);
                }
                double w = a / (double) outputs;
                sumOmega += w;
                sumTies += v.ties()[p] / (double) outputs;
                hist[(int) Math.min(49, 50L * a / outputs)]++; // exact: bin of a/n in integers
                if (2L * a > outputs) {
                    above++;
                    up++;
                } else if (2L * a < outputs) {
                    below++;
                }
                if (p < perturbations) {
                    keptN[p]++;
                    if (v.kept()[p]) {
                        kept[p]++;
                        keptAll++;
                    }
                }
            }
            fig8[(int) Math.min(9, 10L * up / v.aligned().length)]++;
            if (up == v.aligned().length) {
                allAbove++;
            }
            if (up == 0) {
                allBelow++;
            }
        }
        for (int p = 0; p < perturbations; p++) {
            kept[p] = keptN[p] == 0 ? Double.NaN : kept[p] / keptN[p];
        }
        double n = Math.max(1, total);
        return new Summary(
                variant,
                total,
                LambdaMonotonicity.ofCounts(all, outputs),
                LambdaMonotonicity.of(Arrays.copyOf(moved, nMoved)),
                LambdaMonotonicity.tailOfCounts(all, outputs, GRID_STEPS),
                sumOmega / n,
                above / n,
                below / n,
                sumTies / n,
                hist,
                fig8,
                allAbove,
                allBelow,
                kept,
                keptAll / n);
    }
}
