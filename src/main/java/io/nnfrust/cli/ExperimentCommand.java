package io.nnfrust.cli;

import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.FrustrationExperiment.Config;
import io.nnfrust.experiment.FrustrationExperiment.Outcome;
import io.nnfrust.experiment.FrustrationExperiment.Result;
import io.nnfrust.experiment.FrustrationTasks;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nnfrust experiment frustration}: the real network against its null models (paper Fig. 2, 5a). */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = "The paper's experiments.",
        subcommands = {ExperimentCommand.Frustration.class, ActiveCommand.class, MonotonicityCommand.class})
public final class ExperimentCommand implements Runnable {
    @Spec
    CommandSpec spec;

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
                converter = Converters.NullKindConverter.class,
                description = "Null models: N1, N2, N3 (default ${DEFAULT-VALUE}).")
        List<NullKind> nulls;

        @Option(
                names = "--null-count",
                defaultValue = "80",
                description = "Null networks of each kind (default ${DEFAULT-VALUE}).")
        int nullCount;

        @Option(
                names = "--n3-init",
                defaultValue = "he",
                converter = Converters.WeightInitConverter.class,
                description = "N3 initialisation: he or xavier (default ${DEFAULT-VALUE}).")
        WeightInit n3Init;

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

        /** The library's parameter names and the options that set them. */
        private static final Map<String, String> FLAGS = Map.of(
                "replicas", "--replicas",
                "nullCount", "--null-count",
                "nulls", "--nulls",
                "bounds", "--bounds",
                "boundRank", "--bound-rank");

        @Override
        public Integer call() {
            int t = solverOptions.threads();
            OutputSet outs = run.plan();
            Path cp = run.checkpointPath();
            Config config = config(); // checked before loading anything
            Network net = ModelLoader.load(model, config.importOptions());
            config = config.withModelSha256(net.sha256());
            Shard shard = run.shard();
            int total = FrustrationTasks.ofShard(config, shard).size();
            String weights = ModelIdentity.weights(net);
            if (!run.quiet) {
                System.err.printf(
                        Locale.ROOT,
                        "nnfrust experiment frustration: %s (weights %s), %d solves (%d real, %d null), solver %s, %d threads%s%n",
                        model,
                        weights,
                        total,
                        replicas,
                        total - replicas,
                        config.solver(),
                        t,
                        cp == null ? "" : ", checkpoint " + cp);
            }
            var sink = new ProgressLines<Outcome>(
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
            RunControl<Outcome> control =
                    new RunControl<>(t, shard, cp, run.resume && cp != null, run.noNewWork ? 0 : run.stopAfter, sink);
            Consumer<String> log = run.quiet ? x -> {} : System.err::println;
            Result result = run.noNewWork
                    ? FrustrationExperiment.collect(net, config, control, log)
                    : FrustrationExperiment.run(net, config, control, N2Storage.of(System.getProperties()), log);
            if (bounds > 0 && !shard.isAll()) {
                Outputs.warn("--bounds: computed when the shards are merged ('nnfrust merge'), not per shard");
            } else if (bounds > 0 && !result.complete()) {
                Outputs.warn("--bounds: the run is incomplete; bounds are computed once every solve is done");
            }
            String text = result.jsonText();
            run.stage(outs, text, result::csvText);
            outs.commit();
            if (run.json) {
                System.out.println(text);
            } else {
                print(result);
            }
            return 0;
        }

        /** The study's configuration from the options; its errors name the options. */
        Config config() {
            try {
                return new Config(
                        model,
                        "",
                        modelOptions.toImportOptions(),
                        SolverKind.parse(solverOptions.solver, "--solver"),
                        replicas,
                        nulls,
                        nullCount,
                        n3Init,
                        solverOptions.seed,
                        solverOptions.options(0),
                        bounds,
                        boundRank);
            } catch (NnfrustException e) {
                String m = e.getMessage();
                for (var f : FLAGS.entrySet()) {
                    m = m.replaceAll("\\b" + f.getKey() + "\\b", f.getValue());
                }
                throw new NnfrustException(m);
            }
        }
    }

    /** The text summary of a frustration result on stdout. */
    static void print(Result result) {
        result.summaryLines().forEach(System.out::println);
    }

    /** Where the weights of a source come from ("as stored in the file", "random he ... (zoo: not trained)"). */
    static String weights(GraphSource src) {
        return src.network() == null ? "as given in the graph file" : ModelIdentity.weights(src.network());
    }
}
