package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.active.ActiveSubnetwork;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.Synsets;
import io.nnfrust.inference.TopK;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The frustration of the active subnetwork of each image (paper eq. 8, Fig. 2, SI D.3): per image, batched
 * inference with the ReLU outputs and max-pooling inputs as extra outputs, {@link ActiveSubnetwork} for the
 * predicted class, and the best ε_act of {@code restarts} solver restarts on the masked spin glass. The seed of
 * image k (k-th file of the list) is fixed up front from the master seed, so results do not depend on batching,
 * threads or resuming; finished images are appended to a JSON Lines checkpoint.
 */
public final class ActiveExperiment {
    private ActiveExperiment() {}

    /** Everything that determines the results (the checkpoint header). */
    public record Config(ImageInputs inputs, String solver, int restarts, long seed, SolverOptions options) {
        public Config {
            Solvers.byName(solver);
            if (restarts < 1) {
                throw new NnfrustException("--restarts must be at least 1, got " + restarts);
            }
        }

        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode c = m.createObjectNode();
            inputs.putJson(c);
            c.put("solver", solver);
            c.put("restarts", restarts);
            c.put("seed", seed);
            FrustrationExperiment.putSolverOptions(c, options);
            return c;
        }
    }

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
            long seed) {
        String toJson(ObjectMapper m) {
            ObjectNode r = m.createObjectNode();
            r.put("type", "image");
            r.put("index", index);
            r.put("file", file);
            r.put("trueClass", trueClass);
            r.put("predicted", predicted);
            r.put("trueRank", trueRank);
            r.put("activeNodes", activeNodes);
            r.put("edges", edges);
            r.put("absWeight", absWeight);
            r.put("epsilon", epsilon);
            r.put("epsilonMean", epsilonMean);
            r.put("localMinimum", localMinimum);
            r.put("seconds", seconds);
            r.put("seed", seed);
            return r.toString();
        }

        static ImageResult of(JsonNode j) {
            return new ImageResult(
                    j.get("index").asInt(),
                    j.get("file").asText(),
                    j.get("trueClass").asInt(),
                    j.get("predicted").asInt(),
                    j.get("trueRank").asInt(-1),
                    j.get("activeNodes").asInt(),
                    j.get("edges").asLong(),
                    j.get("absWeight").asDouble(),
                    j.get("epsilon").asDouble(),
                    j.get("epsilonMean").asDouble(),
                    j.get("localMinimum").asBoolean(),
                    j.get("seconds").asDouble(),
                    j.get("seed").asLong());
        }
    }

    /** Results in file order, and the files that could not be used. */
    public record Outcome(List<ImageResult> images, List<ImageSet.Skipped> skipped, int newImages) {}

    /**
     * Runs the images of {@code files} not yet in the checkpoint (at most {@code stopAfter} new ones when positive).
     *
     * @param threads solver threads (restarts side by side, or one restart's products in parallel)
     */
    public static Outcome run(
            ModelLoader.Loaded loaded,
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
                loaded,
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
            ModelLoader.Loaded loaded,
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
        Network net = loaded.network();
        ObjectMapper m = new ObjectMapper();
        long[] seeds = new long[files.size()];
        SplittableRandom master = new SplittableRandom(c.seed());
        for (int k = 0; k < seeds.length; k++) {
            seeds[k] = master.nextLong();
        }
        ImageLoop<ImageResult> loop = new ImageLoop<>(
                files,
                shard,
                checkpoint,
                Checkpoint.header(m, c.toJson(m), shard),
                resume,
                seeds,
                ImageResult::of,
                r -> r.toJson(m),
                progress);
        FrustrationSolver solver = Solvers.byName(c.solver());
        List<ImageSet.Skipped> skipped;
        try (loop;
                InferenceSession session = new InferenceSession(
                        loaded.model(), net, ActiveSubnetwork.tensorsNeeded(net), precision, threads)) {
            skipped = loop.run(stopAfter, batch, pre, session.inputSize(), (b, listIndex) -> {
                long t0 = System.nanoTime();
                Map<String, float[]> t = session.run(b.input(), b.size());
                double inferencePerImage = (System.nanoTime() - t0) / 1e9 / b.size();
                float[] logits = t.get(net.outputName());
                int classes = logits.length / b.size();
                for (int i = 0; i < b.size(); i++) {
                    long t1 = System.nanoTime();
                    Path file = b.files().get(i);
                    int k = listIndex[i];
                    int predicted = TopK.argmax(logits, i * classes, classes);
                    ActiveSubnetwork a = ActiveSubnetwork.of(net, t, i, predicted);
                    SpinGlass glass = new SpinGlass(a.graph(), a.mask());
                    FrustrationRunner.Result r =
                            FrustrationRunner.run(glass, solver, c.options(), c.restarts(), seeds[k], threads, null);
                    double seconds = inferencePerImage + (System.nanoTime() - t1) / 1e9;
                    int trueClass = synsets == null ? -1 : synsets.classOf(file);
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
        return new Outcome(loop.results(), skipped, loop.fresh());
    }
}
