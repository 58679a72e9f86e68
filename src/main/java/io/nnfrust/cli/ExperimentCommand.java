package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.experiment.CertifiedOrdering;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust experiment frustration}: the real network against its null models (paper Fig. 2, 5a). */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "The paper's experiments.",
        subcommands = {ExperimentCommand.Frustration.class, ActiveCommand.class, MonotonicityCommand.class})
public final class ExperimentCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(
            name = "frustration",
            mixinStandardHelpOptions = true,
            sortOptions = false,
            description = {
                "Frustration of the real network (R) against null models, with Welch's t-tests.",
                "Each null network is solved twice: from S = I (nu = 0) and from --initial-flips random flips."
            })
    static final class Frustration implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
        String model;

        @Option(
                names = "--replicas",
                defaultValue = "80",
                description = "Restarts on the real network (default ${DEFAULT-VALUE}).")
        int replicas;

        @Option(
                names = "--nulls",
                split = ",",
                defaultValue = "N1,N2,N3",
                description = "Null models: N1, N2, N3 (default ${DEFAULT-VALUE}).")
        List<String> nulls;

        @Option(
                names = "--null-count",
                defaultValue = "80",
                description = "Null networks of each kind (default ${DEFAULT-VALUE}).")
        int nullCount;

        @Option(
                names = "--n3-init",
                defaultValue = "he",
                description = "N3 initialisation: he or xavier (default ${DEFAULT-VALUE}).")
        String n3Init;

        @Option(
                names = "--bounds",
                defaultValue = "0",
                paramLabel = "K",
                description =
                        "Certified intervals [eps_lb, eps_ub] for R and the first K null networks of each kind, and whether each ordering of the paper is certified (docs/bounds.md; about r x 300 products per network). Default 0: none.")
        int bounds;

        @Option(
                names = "--bound-rank",
                defaultValue = "8",
                description = "With --bounds: rank of the SDP solutions (default ${DEFAULT-VALUE}).")
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
            OutputSet outs = run.plan();
            Path cp = run.checkpointPath();
            SolverOptions opts = solverOptions.options(0);
            String solver = solverOptions.solver;
            long seed = solverOptions.seed;
            var importOptions = modelOptions.toImportOptions();
            // validate the configuration before loading anything
            new FrustrationExperiment.Config(
                    model, "", importOptions, solver, replicas, nulls, nullCount, n3Init, seed, opts);
            GraphSource src = GraphSource.load(model, importOptions, "onnx");
            FrustrationExperiment.Config config = new FrustrationExperiment.Config(
                    model, src.sha256(), importOptions, solver, replicas, nulls, nullCount, n3Init, seed, opts);
            var shard = run.shard();
            int total = FrustrationExperiment.tasks(config, shard).size();
            if (!run.quiet) {
                System.err.printf(
                        Locale.ROOT,
                        "nnfrust experiment frustration: %s (weights %s), %d solves (%d real, %d null), solver %s, %d threads%s%n",
                        model,
                        weights(src),
                        total,
                        replicas,
                        total - replicas,
                        solver,
                        t,
                        cp == null ? "" : ", checkpoint " + cp);
            }
            var sink = new ProgressLines<FrustrationExperiment.Outcome>(
                    "solves",
                    total,
                    t,
                    run.quiet,
                    (o, at) -> String.format(
                            Locale.ROOT,
                            "[%s] %s replica %d instance %d: eps %.6f (%.1f s)",
                            at,
                            o.task().group(),
                            o.task().replica(),
                            o.task().instance(),
                            o.epsilon(),
                            o.seconds()));
            List<FrustrationExperiment.Outcome> outcomes =
                    FrustrationExperiment.run(src.graph(), config, shard, cp, run.resume, t, run.stopAfter, sink);
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
            CertifiedOrdering.Result certified = null;
            if (bounds < 0) {
                throw new NnfrustException("--bounds must be >= 0, got " + bounds);
            }
            if (bounds > 0 && !shard.isAll()) {
                Outputs.warn("--bounds: computed when the shards are merged ('nnfrust merge'), not per shard");
            } else if (bounds > 0 && outcomes.size() < total) {
                Outputs.warn("--bounds: the run is incomplete; bounds are computed once every solve is done");
            } else if (bounds > 0) {
                var bc = new FrustrationInterval.Config(
                        new MixingMethod.Options(boundRank, 300, 1e-5, 10, seed),
                        DualBound.Scaling.DEGREE,
                        1000,
                        1e-6,
                        2,
                        seed);
                certified = CertifiedOrdering.compute(
                        src.graph(),
                        config,
                        outcomes,
                        bounds,
                        bc,
                        t > 1,
                        run.quiet ? x -> {} : x -> System.err.println(x));
                out.set("bounds", certified.toJson(m, bc));
            }
            ObjectNode prov = Outputs.provenance(m, out, src, model);
            prov.set("config", m.readTree(FrustrationExperiment.configJson(m, config)));
            prov.put("threads", t);
            String text = m.writeValueAsString(out);
            run.stage(outs, text, () -> {
                StringBuilder b = new StringBuilder(
                        "group,replica,instance,nullSeed,seed,initialFlips,epsilon,flips,seconds,localMinimum\n");
                for (FrustrationExperiment.Outcome o : outcomes) {
                    var k = o.task();
                    b.append(String.format(
                            Locale.ROOT,
                            "%s,%d,%d,%d,%d,%d,%.12f,%d,%.3f,%b%n",
                            k.group(),
                            k.replica(),
                            k.instance(),
                            k.nullSeed(),
                            k.seed(),
                            k.initialFlips(),
                            o.epsilon(),
                            o.flips(),
                            o.seconds(),
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
                    System.out.printf(
                            Locale.ROOT, "%-6s %6d %12.6f %12.6f %12.6f%n", name, s.n(), s.min(), s.mean(), s.sd());
                });
                for (String[] p : FrustrationExperiment.comparisons(groups)) {
                    WelchTest w = WelchTest.of(groups.get(p[0]), groups.get(p[1]));
                    System.out.printf(
                            Locale.ROOT,
                            "Welch %s vs %s: t = %.3f, df = %.1f, p = %.3g%n",
                            p[0],
                            p[1],
                            w.t(),
                            w.df(),
                            w.p());
                }
                if (certified != null) {
                    for (var n : certified.networks()) {
                        System.out.printf(
                                Locale.ROOT,
                                "bounds %s%s: eps in [%.6f, %.6f], SDP %.6f%n",
                                n.group(),
                                n.replica() < 0 ? "" : "/" + n.replica(),
                                n.lower(),
                                n.upper(),
                                n.epsilonSdp());
                    }
                    for (var o : certified.orderings()) {
                        System.out.println(o.line());
                    }
                }
                if (outcomes.size() < total) {
                    System.out.printf(
                            Locale.ROOT,
                            "incomplete: %d of %d solves; continue with --resume%n",
                            outcomes.size(),
                            total);
                }
            }
            return 0;
        }
    }

    /** Where the weights of a source come from ("as stored in the file", "random he ... (zoo: not trained)"). */
    static String weights(GraphSource src) {
        return src.network() == null ? "as given in the graph file" : ModelIdentity.weights(src.network());
    }
}
