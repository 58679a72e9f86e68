package io.nnfrust.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hipparchus.stat.descriptive.DescriptiveStatistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "active",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Frustration eps_act of the active subnetwork A_act(x) of each image, against the frustration "
                    + "eps_R of the whole network.",
            "Paper: eq. 8 and SI section D.3."
        })
public final class ActiveCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
    String model;

    @Mixin
    ImageOptions imageOptions;

    @Option(
            names = "--restarts",
            defaultValue = "1",
            description = "Solver restarts per image; eps_act is the best (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(names = "--epsilon-r", paramLabel = "EPS", description = "eps_R of the whole network to compare with.")
    Double epsilonR;

    @Option(
            names = "--reference",
            paramLabel = "FILE",
            description = "JSON result of 'nnfrust frustration' whose epsilonBest is eps_R.")
    Path reference;

    @Option(
            names = "--reference-restarts",
            defaultValue = "4",
            description =
                    "Without --epsilon-r/--reference: restarts of the same solver on the whole network for eps_R (default ${DEFAULT-VALUE}).")
    int referenceRestarts;

    @Mixin
    ExperimentRunOptions run;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        int t = solverOptions.threads();
        if (epsilonR != null && reference != null) {
            throw new NnfrustException("give --epsilon-r or --reference, not both");
        }
        if (epsilonR != null && !(epsilonR >= 0 && epsilonR <= 0.5)) {
            throw new NnfrustException("--epsilon-r " + epsilonR + " is not a frustration: epsilon lies in [0, 0.5]"
                    + " (a weight fraction; flipping every spin of the worse half gives at most 0.5)");
        }
        if (restarts < 1 || referenceRestarts < 1) {
            throw new NnfrustException("--restarts and --reference-restarts must be at least 1");
        }
        OutputSet outs = run.plan();
        Path cp = run.checkpointPath();
        JsonNode refJson = reference == null ? null : readReferenceFile(reference);
        SolverOptions opts = solverOptions.options(0);
        var importOptions = modelOptions.toImportOptions();
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(model, importOptions);
        var net = loaded.network();
        Double refEps = epsilonR;
        String refSource = epsilonR != null ? "--epsilon-r" : null;
        if (reference != null) {
            refEps = referenceEpsilon(reference, refJson, net);
            refSource = reference.toString();
        }
        var pre = imageOptions.preprocessor(net);
        var synsets = imageOptions.synsets();
        var files = ImageSet.list(imageOptions.images, imageOptions.limit);
        ActiveExperiment.Config config = new ActiveExperiment.Config(
                imageOptions.inputs(model, net, importOptions, pre),
                solverOptions.solver,
                restarts,
                solverOptions.seed,
                opts);
        if (refEps == null) {
            if (!run.quiet) {
                System.err.printf(
                        Locale.ROOT,
                        "eps_R: %d restart(s) of %s on the whole network...%n",
                        referenceRestarts,
                        solverOptions.solver);
            }
            var progress = new Progress(
                    "restarts",
                    referenceRestarts,
                    0,
                    Math.min(t, referenceRestarts),
                    run.quiet ? null : System.err::println);
            var r = FrustrationRunner.run(
                    new SpinGlass(net.graph()),
                    Solvers.byName(solverOptions.solver),
                    opts,
                    referenceRestarts,
                    solverOptions.seed,
                    t,
                    x -> {
                        String at = progress.tick();
                        if (!run.quiet) {
                            System.err.printf(
                                    Locale.ROOT,
                                    "[%s] eps_R restart %d: eps %.6f (%.1f s)%n",
                                    at,
                                    x.index(),
                                    x.result().epsilon(),
                                    x.result().seconds());
                        }
                    });
            refEps = r.best().result().epsilon();
            refSource = "computed: best of " + referenceRestarts + " restarts of " + solverOptions.solver;
            if (!run.quiet) {
                System.err.printf(Locale.ROOT, "eps_R = %.6f (%.1f s)%n", refEps, r.seconds());
            }
        }
        if (!run.quiet) {
            System.err.printf(
                    Locale.ROOT,
                    "nnfrust experiment active: %s (weights %s), %d images, solver %s x %d, %d threads%s%n",
                    model,
                    ModelIdentity.weights(net),
                    files.size(),
                    solverOptions.solver,
                    restarts,
                    t,
                    cp == null ? "" : ", checkpoint " + cp);
        }
        final double eR = refEps;
        long t0 = System.nanoTime();
        var sink = new ProgressLines<ActiveExperiment.ImageResult>(
                "images",
                files.size(),
                1,
                run.quiet,
                (r, at) -> String.format(
                        Locale.ROOT,
                        "[%s] %s: class %d%s, %,d nodes, %,d edges, eps_act %.6f%s (%.1f s)",
                        at,
                        r.file(),
                        r.predicted(),
                        r.trueClass() == r.predicted() ? " (correct)" : "",
                        r.activeNodes(),
                        r.edges(),
                        r.epsilon(),
                        r.epsilon() < eR ? " < eps_R" : " >= eps_R",
                        r.seconds()));
        var outcome = ActiveExperiment.run(
                loaded,
                pre,
                imageOptions.precision(),
                synsets,
                files,
                config,
                imageOptions.batch,
                t,
                run.shard(),
                cp,
                run.resume,
                run.stopAfter,
                sink);
        double wall = (System.nanoTime() - t0) / 1e9;
        ImageOptions.printSkipped(outcome.skipped());
        var images = outcome.images();
        double[] eps = images.stream()
                .mapToDouble(ActiveExperiment.ImageResult::epsilon)
                .toArray();
        double[] secs = images.stream()
                .mapToDouble(ActiveExperiment.ImageResult::seconds)
                .toArray();
        long below = images.stream().filter(r -> r.epsilon() < eR).count();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = m.createObjectNode();
        out.put("model", model);
        out.put("images", images.size());
        out.put("weights", ModelIdentity.weights(net));
        if (!run.shard().isAll()) {
            out.put("shard", run.shard().toString());
        }
        out.put("imagesListed", files.size());
        out.put(
                "complete",
                images.size() + outcome.skipped().size() >= run.shard().ownedOf(files.size()));
        out.put("epsilonR", eR);
        out.put("epsilonRSource", refSource);
        out.put("fractionBelowEpsilonR", images.isEmpty() ? Double.NaN : below / (double) images.size());
        ObjectNode d = out.putObject("epsilonAct");
        putSummary(d, eps);
        ObjectNode sp = out.putObject("secondsPerImage");
        putSummary(sp, secs);
        out.put("wallSeconds", wall);
        out.put(
                "correct",
                images.stream().filter(r -> r.trueClass() == r.predicted()).count());
        var accuracy = Accuracy.ofRanks(
                images.stream().mapToInt(ActiveExperiment.ImageResult::trueRank).toArray(), net.outputNodes().length);
        accuracy.putJson(out);
        ImageOptions.warnAccuracy(accuracy, pre, net);
        ImageOptions.putSkipped(out, outcome.skipped());
        ArrayNode res = out.putArray("results");
        for (var r : images) {
            res.add(m.valueToTree(r));
        }
        ObjectNode prov = Outputs.provenance(m, out, net);
        prov.set("config", config.toJson(m));
        prov.put("threads", t);
        prov.put("batch", imageOptions.batch);
        String text = m.writeValueAsString(out);
        run.stage(outs, text, () -> {
            StringBuilder b = new StringBuilder(
                    "index,file,true_class,predicted,active_nodes,edges,abs_weight,epsilon_act,epsilon_act_mean,local_minimum,seconds,seed\n");
            for (var r : images) {
                b.append(String.format(
                        Locale.ROOT,
                        "%d,\"%s\",%d,%d,%d,%d,%.9g,%.12f,%.12f,%b,%.3f,%d%n",
                        r.index(),
                        r.file().replace("\"", "\"\""),
                        r.trueClass(),
                        r.predicted(),
                        r.activeNodes(),
                        r.edges(),
                        r.absWeight(),
                        r.epsilon(),
                        r.epsilonMean(),
                        r.localMinimum(),
                        r.seconds(),
                        r.seed()));
            }
            return b.toString();
        });
        outs.commit();
        if (run.json) {
            System.out.println(text);
        } else if (!images.isEmpty()) {
            var st = new DescriptiveStatistics(eps);
            System.out.printf(Locale.ROOT, "model %s, weights %s%n", model, ModelIdentity.weights(net));
            System.out.printf(
                    Locale.ROOT,
                    "images %d (skipped %d), %s; eps_R %.6f (%s)%n",
                    images.size(),
                    outcome.skipped().size(),
                    accuracy.line(),
                    eR,
                    refSource);
            System.out.printf(
                    Locale.ROOT,
                    "eps_act: mean %.6f, sd %.6f, min %.6f, median %.6f, max %.6f%n",
                    st.getMean(),
                    st.getStandardDeviation(),
                    st.getMin(),
                    st.getPercentile(50),
                    st.getMax());
            System.out.printf(
                    Locale.ROOT,
                    "eps_act < eps_R for %d of %d images (%.1f%%)%n",
                    below,
                    images.size(),
                    100.0 * below / images.size());
            System.out.printf(
                    Locale.ROOT,
                    "seconds per image: mean %.2f (wall %.1f s for %d new)%n",
                    new DescriptiveStatistics(secs).getMean(),
                    wall,
                    outcome.newImages());
        }
        return 0;
    }

    private static void putSummary(ObjectNode d, double[] v) {
        if (v.length == 0) {
            return;
        }
        var st = new DescriptiveStatistics(v);
        d.put("n", v.length);
        d.put("mean", st.getMean());
        d.put("sd", st.getStandardDeviation());
        d.put("min", st.getMin());
        d.put("q1", st.getPercentile(25));
        d.put("median", st.getPercentile(50));
        d.put("q3", st.getPercentile(75));
        d.put("max", st.getMax());
    }

    /** Reads the --reference JSON now, before the model is loaded (a missing or broken file fails at once). */
    private static JsonNode readReferenceFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NnfrustException("--reference file not found: " + file);
        }
        try {
            var j = new ObjectMapper().readTree(file.toFile());
            if (j == null || !j.isObject()) {
                throw new NnfrustException("--reference " + file + " is not a JSON object; expected the --output JSON"
                        + " of 'nnfrust frustration' or 'nnfrust experiment frustration'");
            }
            return j;
        } catch (IOException e) {
            throw new NnfrustException(
                    "cannot read --reference " + file + ": " + e.getMessage().split("\n")[0]);
        }
    }

    /**
     * eps_R from the output of 'nnfrust frustration' (epsilonBest) or 'nnfrust experiment frustration' (the
     * minimum of group R), after checking that it was computed on this very graph: same model (SHA-256),
     * input size and conventions.
     */
    static double referenceEpsilon(Path file, JsonNode j, Network net) {
        String way = "compute eps_R on this model with 'nnfrust frustration " + net.source()
                + " --output FILE' and the same --input-size and conventions, or give --epsilon-r";
        ModelIdentity.requireSame(j.path("provenance").path("model"), net, "--reference " + file, way);
        double e;
        if (j.has("epsilonBest")) {
            e = j.get("epsilonBest").asDouble(Double.NaN);
        } else if (j.path("groups").path("R").has("min")) {
            e = j.path("groups").path("R").path("min").asDouble(Double.NaN);
        } else {
            throw new NnfrustException("--reference " + file + " has neither epsilonBest nor groups.R.min; expected "
                    + "the --output JSON of 'nnfrust frustration' or 'nnfrust experiment frustration'");
        }
        if (!(e >= 0 && e <= 0.5)) {
            throw new NnfrustException("--reference " + file + ": epsilon " + e + " is not in [0, 0.5]");
        }
        return e;
    }
}
