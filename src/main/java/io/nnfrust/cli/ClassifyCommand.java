package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.inference.InferenceSession;
import io.nnfrust.inference.Synsets;
import io.nnfrust.inference.TopK;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust classify}: top-1 / top-5 accuracy and per-image predictions with ONNX Runtime. */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        description = "Classify a folder of images with ONNX Runtime: top-1/top-5 accuracy and per-image predictions.")
public final class ClassifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "ONNX file or zoo:NAME.")
    String model;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    ImageOptions imageOptions;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime threads (default: all cores).")
    int threads;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the JSON result to FILE (atomically).")
    Path output;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per image to FILE (atomically).")
    Path csv;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress on stderr.")
    boolean quiet;

    /** One classified image. */
    public record Prediction(Path file, int trueClass, int[] top5, float[] top5Logits) {}

    @Override
    public Integer call() throws Exception {
        OutputSet outs = new OutputSet().file("--output", output).file("--csv", csv);
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(model, modelOptions.toImportOptions());
        Network net = loaded.network();
        ImagePreprocessor pre = imageOptions.preprocessor(net);
        Synsets synsets = imageOptions.synsets();
        List<Path> files = ImageSet.list(imageOptions.images, imageOptions.limit);
        List<Prediction> predictions = new ArrayList<>();
        List<ImageSet.Skipped> skipped = new ArrayList<>();
        long t0 = System.nanoTime();
        double inferSeconds = 0;
        int classes = net.outputNodes().length;
        if (synsets != null && synsets.size() != classes) {
            throw new NnfrustException(
                    "the synset list has " + synsets.size() + " classes but the model has " + classes + " outputs");
        }
        try (InferenceSession session =
                new InferenceSession(loaded.model(), net, List.of(), imageOptions.precision(), threads)) {
            for (int from = 0; from < files.size(); from += imageOptions.batch) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + imageOptions.batch));
                ImageSet.Batch b = ImageSet.load(chunk, pre, session.inputSize());
                skipped.addAll(b.skipped());
                if (b.size() > 0) {
                    long i0 = System.nanoTime();
                    Map<String, float[]> out = session.run(b.input(), b.size());
                    inferSeconds += (System.nanoTime() - i0) / 1e9;
                    float[] logits = out.get(net.outputName());
                    int per = logits.length / b.size();
                    for (int i = 0; i < b.size(); i++) {
                        int[] top = TopK.indices(logits, i * per, per, 5);
                        float[] tl = new float[top.length];
                        for (int k = 0; k < top.length; k++) {
                            tl[k] = logits[i * per + top[k]];
                        }
                        predictions.add(new Prediction(
                                b.files().get(i),
                                synsets == null ? -1 : synsets.classOf(b.files().get(i)),
                                top,
                                tl));
                    }
                }
                ImageOptions.printSkipped(b.skipped());
                if (!quiet) {
                    System.err.printf(
                            Locale.ROOT,
                            "[%d/%d] images%n",
                            Math.min(files.size(), from + imageOptions.batch),
                            files.size());
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int labelled = 0, top1 = 0, top5 = 0;
        for (Prediction p : predictions) {
            if (p.trueClass() >= 0) {
                labelled++;
                top1 += p.top5()[0] == p.trueClass() ? 1 : 0;
                for (int k : p.top5()) {
                    top5 += k == p.trueClass() ? 1 : 0;
                }
            }
        }
        Accuracy accuracy = new Accuracy(labelled, top1, top5, classes);
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = m.createObjectNode();
        o.put("model", model);
        o.put("weights", ModelIdentity.weights(net));
        o.put("images", predictions.size());
        o.put("labelled", labelled);
        o.put("top1", top1);
        o.put("top5", top5);
        o.put("top1Accuracy", labelled == 0 ? Double.NaN : top1 / (double) labelled);
        o.put("top5Accuracy", labelled == 0 ? Double.NaN : top5 / (double) labelled);
        accuracy.putJson(o);
        ImageOptions.warnAccuracy(accuracy, pre, net);
        o.put("seconds", seconds);
        o.put("inferenceSeconds", inferSeconds);
        o.put("imagesPerSecondInference", predictions.size() / Math.max(1e-9, inferSeconds));
        ImageOptions.putSkipped(o, skipped);
        ArrayNode per = o.putArray("predictions");
        for (Prediction p : predictions) {
            ObjectNode j = per.addObject();
            j.put("file", p.file().getFileName().toString());
            j.put("trueClass", p.trueClass());
            ArrayNode t = j.putArray("top5");
            for (int k : p.top5()) {
                t.add(k);
            }
            ArrayNode l = j.putArray("top5Logits");
            for (float v : p.top5Logits()) {
                l.add(v);
            }
            if (synsets != null) {
                j.put("predictedName", synsets.name(p.top5()[0]));
            }
        }
        ObjectNode prov = Outputs.provenance(m, o, net);
        prov.put("imagesFolder", imageOptions.images.toString());
        prov.put("preprocess", pre.preset().label());
        prov.put("resize", pre.resize());
        prov.put("precision", imageOptions.precision().name().toLowerCase(Locale.ROOT));
        prov.put("batch", imageOptions.batch);
        String text = m.writeValueAsString(o);
        if (output != null) {
            outs.stage(output, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        if (csv != null) {
            outs.stage(csv, os -> {
                StringBuilder sb = new StringBuilder("file,true_class,top1,top2,top3,top4,top5,top1_logit\n");
                for (Prediction p : predictions) {
                    sb.append('"')
                            .append(p.file().getFileName().toString().replace("\"", "\"\""))
                            .append('"')
                            .append(',')
                            .append(p.trueClass());
                    for (int k : p.top5()) {
                        sb.append(',').append(k);
                    }
                    sb.append(',').append(p.top5Logits()[0]).append('\n');
                }
                os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            });
        }
        outs.commit();
        if (json) {
            System.out.println(text);
        } else {
            PrintStream out = System.out;
            out.printf(Locale.ROOT, "model %s, weights %s%n", model, ModelIdentity.weights(net));
            out.printf(
                    Locale.ROOT, "images %d (skipped %d), labelled %d%n", predictions.size(), skipped.size(), labelled);
            if (labelled > 0) {
                out.printf(
                        Locale.ROOT,
                        "top-1 %d/%d = %.1f%%, top-5 %d/%d = %.1f%%%n",
                        top1,
                        labelled,
                        100.0 * top1 / labelled,
                        top5,
                        labelled,
                        100.0 * top5 / labelled);
            }
            out.printf(
                    Locale.ROOT,
                    "wall %.1f s, inference %.1f s (%.1f images/s, batch %d)%n",
                    seconds,
                    inferSeconds,
                    predictions.size() / Math.max(1e-9, inferSeconds),
                    imageOptions.batch);
        }
        return 0;
    }
}
