package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.model.Network;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The resumable per-image loop shared by the image experiments: the checkpoint (finished images are read back
 * when they still match the image list and their per-image seed), the pending images in list order (at most
 * {@code stopAfter} new ones), batched loading with unusable files reported, and the recording of each new
 * result (checkpoint line, progress). Results come back in list order whatever the batching or resuming.
 *
 * @param <R> the per-image result
 */
final class ImageLoop<R> implements AutoCloseable {
    /** Work on one loaded batch; {@code listIndex[i]} is the index in the image list of the batch's image i. */
    interface BatchWork {
        void run(ImageSet.Batch batch, int[] listIndex);
    }

    private final List<Path> files;
    private final Shard shard;
    private final Checkpoint checkpoint;
    private final Function<R, String> toJson;
    private final Consumer<? super R> progress;
    private final Map<Integer, R> done = new HashMap<>();
    private int fresh;

    /**
     * @param checkpointFile JSON Lines checkpoint, or null for none
     * @param header         the checkpoint's header line (its configuration)
     * @param seeds          the per-image seeds, in list order
     * @param parse          a finished image's result from its checkpoint line (type "image", with index, file, seed)
     * @param toJson         a result's checkpoint line
     */
    ImageLoop(
            List<Path> files,
            Path checkpointFile,
            String header,
            boolean resume,
            long[] seeds,
            Function<JsonNode, R> parse,
            Function<R, String> toJson,
            Consumer<? super R> progress) {
        this(files, Shard.ALL, checkpointFile, header, resume, seeds, parse, toJson, progress);
    }

    /** As above for shard {@code shard}: image k (list order) is its when k mod N = K - 1. */
    ImageLoop(
            List<Path> files,
            Shard shard,
            Path checkpointFile,
            String header,
            boolean resume,
            long[] seeds,
            Function<JsonNode, R> parse,
            Function<R, String> toJson,
            Consumer<? super R> progress) {
        this.shard = shard;
        this.files = files;
        this.toJson = toJson;
        this.progress = progress;
        if (checkpointFile == null) {
            checkpoint = null;
            return;
        }
        List<JsonNode> lines = new ArrayList<>();
        checkpoint = Checkpoint.open(checkpointFile, header, resume, lines);
        done.putAll(finished(lines, files, seeds, parse));
    }

    /**
     * The finished images among checkpoint lines: lines of type "image" whose index, file name and seed still match
     * the image list, parsed, by list index.
     */
    static <R> Map<Integer, R> finished(
            List<JsonNode> lines, List<Path> files, long[] seeds, Function<JsonNode, R> parse) {
        Map<Integer, R> done = new HashMap<>();
        for (JsonNode j : lines) {
            if (!"image".equals(j.path("type").asText())) {
                continue;
            }
            int k = j.path("index").asInt(-1);
            if (k >= 0
                    && k < files.size()
                    && files.get(k)
                            .getFileName()
                            .toString()
                            .equals(j.path("file").asText())
                    && j.path("seed").asLong() == seeds[k]) {
                done.put(k, parse.apply(j));
            }
        }
        return done;
    }

    /**
     * Loads the pending images in batches of {@code batch} and hands every non-empty batch to {@code work};
     * returns the files that could not be used.
     */
    List<ImageSet.Skipped> run(int stopAfter, int batch, ImagePreprocessor pre, int perImage, BatchWork work) {
        List<Integer> pending = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) {
            if (shard.owns(k) && !done.containsKey(k) && (stopAfter == 0 || pending.size() < stopAfter)) {
                pending.add(k);
            }
        }
        ProgressSink.starting(progress, done.size(), pending.size());
        List<ImageSet.Skipped> skipped = new ArrayList<>();
        for (int from = 0; from < pending.size(); from += batch) {
            List<Integer> idx = pending.subList(from, Math.min(pending.size(), from + batch));
            List<Path> chunk = idx.stream().map(files::get).toList();
            ImageSet.Batch b = ImageSet.load(chunk, pre, perImage);
            skipped.addAll(b.skipped());
            if (b.size() == 0) {
                continue;
            }
            int[] listIndex = new int[b.size()];
            for (int i = 0; i < listIndex.length; i++) {
                listIndex[i] = idx.get(chunk.indexOf(b.files().get(i)));
            }
            work.run(b, listIndex);
        }
        return skipped;
    }

    /** Records the new result of image {@code k}: kept, appended to the checkpoint, reported. */
    void add(int k, R result) {
        done.put(k, result);
        fresh++;
        if (checkpoint != null) {
            checkpoint.append(toJson.apply(result));
        }
        if (progress != null) {
            progress.accept(result);
        }
    }

    /** Releases the checkpoint (its lock). */
    @Override
    public void close() {
        if (checkpoint != null) {
            checkpoint.close();
        }
    }

    /** Number of results computed by this run (not read from the checkpoint). */
    int fresh() {
        return fresh;
    }

    /** Every finished result, in list order. */
    List<R> results() {
        return inListOrder(done, files.size());
    }

    /** The results of {@code done}, in list order. */
    /**
     * Of the images of {@code shard} that {@code done} lacks, those that cannot be used, loaded in batches of
     * {@code batch} as a run loads them (a run skips them and records nothing): what a run resumed on a finished
     * checkpoint reports as skipped. An image that loads is simply not done yet.
     */
    static List<ImageSet.Skipped> unusable(
            List<Path> files, Shard shard, Set<Integer> done, ImagePreprocessor pre, int perImage, int batch) {
        List<Path> pending = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) {
            if (shard.owns(k) && !done.contains(k)) {
                pending.add(files.get(k));
            }
        }
        List<ImageSet.Skipped> skipped = new ArrayList<>();
        int step = Math.max(1, batch);
        for (int from = 0; from < pending.size(); from += step) {
            skipped.addAll(ImageSet.load(pending.subList(from, Math.min(pending.size(), from + step)), pre, perImage)
                    .skipped());
        }
        return skipped;
    }

    /** As above with the preprocessing that {@code inputs} names for {@code net}. */
    static List<ImageSet.Skipped> unusable(
            List<Path> files, Shard shard, Set<Integer> done, ImageInputs inputs, Network net, int batch) {
        return unusable(files, shard, done, inputs.preprocessor(net), perImage(net.inputShape()), batch);
    }

    /** Values per image of {@code net}'s input (C·H·W). */
    static int perImage(int[] inputShape) {
        int p = 1;
        for (int d = 1; d < inputShape.length; d++) {
            p *= inputShape[d];
        }
        return p;
    }

    static <R> List<R> inListOrder(Map<Integer, R> done, int listed) {
        List<R> out = new ArrayList<>();
        for (int k = 0; k < listed; k++) {
            if (done.containsKey(k)) {
                out.add(done.get(k));
            }
        }
        return out;
    }
}
