package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.WelchTest;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code nnfrust experiment frustration}: the real network against its null models (paper Fig. 2, 5a). */
@Command(name = "experiment", mixinStandardHelpOptions = true, description = "The paper's experiments.",
        subcommands = {ExperimentCommand.Frustration.class, ExperimentCommand.Active.class,
                MonotonicityCommand.class})
public final class ExperimentCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "frustration", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Frustration of the real network (R) against null models, with Welch's t-tests.",
                    "Each null network is solved twice: from S = I (nu = 0) and from --initial-flips random flips."})
    static final class Frustration implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
        String model;

        @Option(names = "--replicas", defaultValue = "80", description = "Restarts on the real network (default ${DEFAULT-VALUE}).")
        int replicas;

        @Option(names = "--nulls", split = ",", defaultValue = "N1,N2,N3", description = "Null models: N1, N2, N3 (default ${DEFAULT-VALUE}).")
        List<String> nulls;

        @Option(names = "--null-count", defaultValue = "80", description = "Null networks of each kind (default ${DEFAULT-VALUE}).")
        int nullCount;

        @Option(names = "--n3-init", defaultValue = "he", description = "N3 initialisation: he or xavier (default ${DEFAULT-VALUE}).")
        String n3Init;

        @Option(names = "--bounds", defaultValue = "0", paramLabel = "K",
                description = "Certified intervals [eps_lb, eps_ub] for R and the first K null networks of each kind, and whether each ordering of the paper is certified (docs/bounds.md; about r x 300 products per network). Default 0: none.")
        int bounds;

        @Option(names = "--bound-rank", defaultValue = "8", description = "With --bounds: rank of the SDP solutions (default ${DEFAULT-VALUE}).")
        int boundRank;

        @Mixin
        ExperimentRunOptions run;

        @Mixin
        SolverOptionsMixin solverOptions;

        @Mixin
        ModelOptions modelOptions;

        @Override
        public Integer call() throws Exception {
            int t = solverOptions.threads();
            io.nnfrust.util.OutputSet outs = run.plan();
            Path cp = run.checkpointPath();
            SolverOptions opts = solverOptions.options(0);
            String solver = solverOptions.solver;
            long seed = solverOptions.seed;
            var importOptions = modelOptions.toImportOptions();
            // validate the configuration before loading anything
            new FrustrationExperiment.Config(model, "", importOptions, solver, replicas, nulls, nullCount,
                    n3Init, seed, opts);
            GraphSource src = GraphSource.load(model, importOptions, "onnx");
            FrustrationExperiment.Config config = new FrustrationExperiment.Config(model, src.sha256(),
                    importOptions, solver, replicas, nulls, nullCount, n3Init, seed, opts);
            var shard = run.shard();
            int total = FrustrationExperiment.tasks(config, shard).size();
            if (!run.quiet) {
                System.err.printf(Locale.ROOT, "nnfrust experiment frustration: %s (weights %s), %d solves (%d real, %d null), solver %s, %d threads%s%n",
                        model, weights(src), total, replicas, total - replicas, solver, t, cp == null ? "" : ", checkpoint " + cp);
            }
            var sink = new ProgressLines<FrustrationExperiment.Outcome>("solves", total, t, run.quiet, (o, at) ->
                    String.format(Locale.ROOT, "[%s] %s replica %d instance %d: eps %.6f (%.1f s)", at,
                            o.task().group(), o.task().replica(), o.task().instance(), o.epsilon(), o.seconds()));
            List<FrustrationExperiment.Outcome> outcomes = FrustrationExperiment.run(src.graph(), config, shard, cp,
                    run.resume, t, run.stopAfter, sink);
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode out = m.createObjectNode();
            out.put("model", model);
            out.put("weights", weights(src));
            if (!shard.isAll()) {
                out.put("shard", shard.toString());
            }
            out.put("complete", outcomes.size() == total);
            out.put("solves", outcomes.size());
            out.put("solvesPlanned", total);
            Map<String, double[]> groups = FrustrationExperiment.byGroup(outcomes);
            ObjectNode g = out.putObject("groups");
            groups.forEach((name, e) -> {
                FrustrationExperiment.GroupStats s = FrustrationExperiment.stats(name, e);
                ObjectNode j = g.putObject(name);
                j.put("n", s.n());
                j.put("min", s.min());
                j.put("mean", s.mean());
                j.put("sd", s.sd());
            });
            ArrayNode tests = out.putArray("welch");
            for (String[] p : FrustrationExperiment.comparisons(groups)) {
                WelchTest w = WelchTest.of(groups.get(p[0]), groups.get(p[1]));
                ObjectNode j = tests.addObject();
                j.put("a", p[0]);
                j.put("b", p[1]);
                j.put("t", w.t());
                j.put("df", w.df());
                j.put("p", w.p());
            }
            ArrayNode res = out.putArray("results");
            for (FrustrationExperiment.Outcome o : outcomes) {
                res.add(m.readTree(FrustrationExperiment.resultJson(m, o)));
            }
            io.nnfrust.experiment.CertifiedOrdering.Result certified = null;
            if (bounds < 0) {
                throw new NnfrustException("--bounds must be >= 0, got " + bounds);
            }
            if (bounds > 0 && !shard.isAll()) {
                Outputs.warn("--bounds: computed when the shards are merged ('nnfrust merge'), not per shard");
            } else if (bounds > 0 && outcomes.size() < total) {
                Outputs.warn("--bounds: the run is incomplete; bounds are computed once every solve is done");
            } else if (bounds > 0) {
                var bc = new io.nnfrust.bounds.FrustrationInterval.Config(new io.nnfrust.frustration.MixingMethod
                        .Options(boundRank, 300, 1e-5, 10, seed), io.nnfrust.bounds.DualBound.Scaling.DEGREE, 1000,
                        1e-6, 2, seed);
                certified = io.nnfrust.experiment.CertifiedOrdering.compute(src.graph(), config, outcomes, bounds, bc,
                        t > 1, run.quiet ? x -> { } : x -> System.err.println(x));
                out.set("bounds", certified.toJson(m, bc));
            }
            ObjectNode prov = Outputs.provenance(m, out, src, model);
            prov.set("config", m.readTree(FrustrationExperiment.configJson(m, config)));
            prov.put("threads", t);
            String text = m.writeValueAsString(out);
            run.stage(outs, text, () -> {
                StringBuilder b = new StringBuilder("group,replica,instance,nullSeed,seed,initialFlips,epsilon,flips,seconds,localMinimum\n");
                for (FrustrationExperiment.Outcome o : outcomes) {
                    var k = o.task();
                    b.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%.12f,%d,%.3f,%b%n", k.group(), k.replica(),
                            k.instance(), k.nullSeed(), k.seed(), k.initialFlips(), o.epsilon(), o.flips(), o.seconds(),
                            o.localMinimum()));
                }
                return b.toString();
            });
            outs.commit();
            if (run.json) {
                System.out.println(text);
            } else {
                System.out.printf(Locale.ROOT, "model %s, weights %s%n", model, weights(src));
                System.out.printf(Locale.ROOT, "%-6s %6s %12s %12s %12s%n", "group", "n", "min", "mean", "sd");
                groups.forEach((name, e) -> {
                    FrustrationExperiment.GroupStats s = FrustrationExperiment.stats(name, e);
                    System.out.printf(Locale.ROOT, "%-6s %6d %12.6f %12.6f %12.6f%n", name, s.n(), s.min(), s.mean(), s.sd());
                });
                for (String[] p : FrustrationExperiment.comparisons(groups)) {
                    WelchTest w = WelchTest.of(groups.get(p[0]), groups.get(p[1]));
                    System.out.printf(Locale.ROOT, "Welch %s vs %s: t = %.3f, df = %.1f, p = %.3g%n", p[0], p[1], w.t(),
                            w.df(), w.p());
                }
                if (certified != null) {
                    for (var n : certified.networks()) {
                        System.out.printf(Locale.ROOT, "bounds %s%s: eps in [%.6f, %.6f], SDP %.6f%n", n.group(),
                                n.replica() < 0 ? "" : "/" + n.replica(), n.lower(), n.upper(), n.epsilonSdp());
                    }
                    for (var o : certified.orderings()) {
                        System.out.println(o.line());
                    }
                }
                if (outcomes.size() < total) {
                    System.out.printf(Locale.ROOT, "incomplete: %d of %d solves; continue with --resume%n", outcomes.size(), total);
                }
            }
            return 0;
        }
    }

    /** Where the weights of a source come from ("as stored in the file", "random he ... (zoo: not trained)"). */
    static String weights(GraphSource src) {
        return src.network() == null ? "as given in the graph file" : io.nnfrust.onnx.ModelIdentity.weights(src.network());
    }

    @Command(name = "active", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Frustration eps_act of the active subnetwork A_act(x) of each image, against the frustration "
                    + "eps_R of the whole network.", "Paper: eq. 8 and SI section D.3."})
    static final class Active implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
        String model;

        @Mixin
        ImageOptions imageOptions;

        @Option(names = "--restarts", defaultValue = "1", description = "Solver restarts per image; eps_act is the best (default ${DEFAULT-VALUE}).")
        int restarts;

        @Option(names = "--epsilon-r", paramLabel = "EPS", description = "eps_R of the whole network to compare with.")
        Double epsilonR;

        @Option(names = "--reference", paramLabel = "FILE", description = "JSON result of 'nnfrust frustration' whose epsilonBest is eps_R.")
        Path reference;

        @Option(names = "--reference-restarts", defaultValue = "4", description = "Without --epsilon-r/--reference: restarts of the same solver on the whole network for eps_R (default ${DEFAULT-VALUE}).")
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
            io.nnfrust.util.OutputSet outs = run.plan();
            Path cp = run.checkpointPath();
            com.fasterxml.jackson.databind.JsonNode refJson = reference == null ? null : readReferenceFile(reference);
            SolverOptions opts = solverOptions.options(0);
            var importOptions = modelOptions.toImportOptions();
            io.nnfrust.onnx.ModelLoader.Loaded loaded = io.nnfrust.onnx.ModelLoader.loadWithModel(model, importOptions);
            var net = loaded.network();
            Double refEps = epsilonR;
            String refSource = epsilonR != null ? "--epsilon-r" : null;
            if (reference != null) {
                refEps = referenceEpsilon(reference, refJson, net);
                refSource = reference.toString();
            }
            var pre = imageOptions.preprocessor(net);
            var synsets = imageOptions.synsets();
            var files = io.nnfrust.inference.ImageSet.list(imageOptions.images, imageOptions.limit);
            io.nnfrust.experiment.ActiveExperiment.Config config = new io.nnfrust.experiment.ActiveExperiment.Config(
                    imageOptions.inputs(model, net, importOptions, pre), solverOptions.solver, restarts,
                    solverOptions.seed, opts);
            if (refEps == null) {
                if (!run.quiet) {
                    System.err.printf(Locale.ROOT, "eps_R: %d restart(s) of %s on the whole network...%n",
                            referenceRestarts, solverOptions.solver);
                }
                var progress = new io.nnfrust.util.Progress("restarts", referenceRestarts, 0,
                        Math.min(t, referenceRestarts), run.quiet ? null : System.err::println);
                var r = io.nnfrust.frustration.FrustrationRunner.run(new io.nnfrust.frustration.SpinGlass(net.graph()),
                        io.nnfrust.frustration.Solvers.byName(solverOptions.solver), opts, referenceRestarts,
                        solverOptions.seed, t, x -> {
                            String at = progress.tick();
                            if (!run.quiet) {
                                System.err.printf(Locale.ROOT, "[%s] eps_R restart %d: eps %.6f (%.1f s)%n", at,
                                        x.index(), x.result().epsilon(), x.result().seconds());
                            }
                        });
                refEps = r.best().result().epsilon();
                refSource = "computed: best of " + referenceRestarts + " restarts of " + solverOptions.solver;
                if (!run.quiet) {
                    System.err.printf(Locale.ROOT, "eps_R = %.6f (%.1f s)%n", refEps, r.seconds());
                }
            }
            if (!run.quiet) {
                System.err.printf(Locale.ROOT, "nnfrust experiment active: %s (weights %s), %d images, solver %s x %d, %d threads%s%n",
                        model, io.nnfrust.onnx.ModelIdentity.weights(net), files.size(), solverOptions.solver, restarts,
                        t, cp == null ? "" : ", checkpoint " + cp);
            }
            final double eR = refEps;
            long t0 = System.nanoTime();
            var sink = new ProgressLines<io.nnfrust.experiment.ActiveExperiment.ImageResult>("images", files.size(), 1,
                    run.quiet, (r, at) -> String.format(Locale.ROOT,
                    "[%s] %s: class %d%s, %,d nodes, %,d edges, eps_act %.6f%s (%.1f s)", at, r.file(), r.predicted(),
                    r.trueClass() == r.predicted() ? " (correct)" : "", r.activeNodes(), r.edges(), r.epsilon(),
                    r.epsilon() < eR ? " < eps_R" : " >= eps_R", r.seconds()));
            var outcome = io.nnfrust.experiment.ActiveExperiment.run(loaded, pre, imageOptions.precision(), synsets,
                    files, config, imageOptions.batch, t, run.shard(), cp, run.resume, run.stopAfter, sink);
            double wall = (System.nanoTime() - t0) / 1e9;
            ImageOptions.printSkipped(outcome.skipped());
            var images = outcome.images();
            double[] eps = images.stream().mapToDouble(io.nnfrust.experiment.ActiveExperiment.ImageResult::epsilon).toArray();
            double[] secs = images.stream().mapToDouble(io.nnfrust.experiment.ActiveExperiment.ImageResult::seconds).toArray();
            long below = images.stream().filter(r -> r.epsilon() < eR).count();
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode out = m.createObjectNode();
            out.put("model", model);
            out.put("images", images.size());
            out.put("weights", io.nnfrust.onnx.ModelIdentity.weights(net));
            if (!run.shard().isAll()) {
                out.put("shard", run.shard().toString());
            }
            out.put("imagesListed", files.size());
            out.put("complete", images.size() + outcome.skipped().size() >= run.shard().ownedOf(files.size()));
            out.put("epsilonR", eR);
            out.put("epsilonRSource", refSource);
            out.put("fractionBelowEpsilonR", images.isEmpty() ? Double.NaN : below / (double) images.size());
            ObjectNode d = out.putObject("epsilonAct");
            putSummary(d, eps);
            ObjectNode sp = out.putObject("secondsPerImage");
            putSummary(sp, secs);
            out.put("wallSeconds", wall);
            out.put("correct", images.stream().filter(r -> r.trueClass() == r.predicted()).count());
            var accuracy = io.nnfrust.inference.Accuracy.ofRanks(
                    images.stream().mapToInt(io.nnfrust.experiment.ActiveExperiment.ImageResult::trueRank).toArray(),
                    net.outputNodes().length);
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
                StringBuilder b = new StringBuilder("index,file,true_class,predicted,active_nodes,edges,abs_weight,epsilon_act,epsilon_act_mean,local_minimum,seconds,seed\n");
                for (var r : images) {
                    b.append(String.format(Locale.ROOT, "%d,\"%s\",%d,%d,%d,%d,%.9g,%.12f,%.12f,%b,%.3f,%d%n", r.index(),
                            r.file().replace("\"", "\"\""), r.trueClass(), r.predicted(), r.activeNodes(), r.edges(),
                            r.absWeight(), r.epsilon(), r.epsilonMean(), r.localMinimum(), r.seconds(), r.seed()));
                }
                return b.toString();
            });
            outs.commit();
            if (run.json) {
                System.out.println(text);
            } else if (!images.isEmpty()) {
                var st = new org.hipparchus.stat.descriptive.DescriptiveStatistics(eps);
                System.out.printf(Locale.ROOT, "model %s, weights %s%n", model, io.nnfrust.onnx.ModelIdentity.weights(net));
                System.out.printf(Locale.ROOT, "images %d (skipped %d), %s; eps_R %.6f (%s)%n", images.size(),
                        outcome.skipped().size(), accuracy.line(), eR, refSource);
                System.out.printf(Locale.ROOT, "eps_act: mean %.6f, sd %.6f, min %.6f, median %.6f, max %.6f%n",
                        st.getMean(), st.getStandardDeviation(), st.getMin(), st.getPercentile(50), st.getMax());
                System.out.printf(Locale.ROOT, "eps_act < eps_R for %d of %d images (%.1f%%)%n", below, images.size(),
                        100.0 * below / images.size());
                System.out.printf(Locale.ROOT, "seconds per image: mean %.2f (wall %.1f s for %d new)%n",
                        new org.hipparchus.stat.descriptive.DescriptiveStatistics(secs).getMean(), wall,
                        outcome.newImages());
            }
            return 0;
        }

        private static void putSummary(ObjectNode d, double[] v) {
            if (v.length == 0) {
                return;
            }
            var st = new org.hipparchus.stat.descriptive.DescriptiveStatistics(v);
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
        private static com.fasterxml.jackson.databind.JsonNode readReferenceFile(Path file) {
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new NnfrustException("--reference file not found: " + file);
            }
            try {
                var j = new ObjectMapper().readTree(file.toFile());
                if (j == null || !j.isObject()) {
                    throw new NnfrustException("--reference " + file + " is not a JSON object; expected the --output JSON"
                            + " of 'nnfrust frustration' or 'nnfrust experiment frustration'");
                }
                return j;
            } catch (java.io.IOException e) {
                throw new NnfrustException("cannot read --reference " + file + ": " + e.getMessage().split("\n")[0]);
            }
        }

        /**
         * eps_R from the output of 'nnfrust frustration' (epsilonBest) or 'nnfrust experiment frustration' (the
         * minimum of group R), after checking that it was computed on this very graph: same model (SHA-256),
         * input size and conventions.
         */
        static double referenceEpsilon(Path file, com.fasterxml.jackson.databind.JsonNode j, io.nnfrust.model.Network net) {
            String way = "compute eps_R on this model with 'nnfrust frustration " + net.source()
                    + " --output FILE' and the same --input-size and conventions, or give --epsilon-r";
            io.nnfrust.onnx.ModelIdentity.requireSame(j.path("provenance").path("model"), net, "--reference " + file, way);
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
}
