package io.nnfrust.cli;

import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.ActiveExperiment.ImageResult;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.OutputSet;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
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

    /** eps_R given or read from a file (at most one of them); computed when neither is given. */
    static final class ReferenceGroup {
        @Option(
                names = "--epsilon-r",
                required = true,
                paramLabel = "EPS",
                description = "eps_R of the whole network to compare with.")
        Double epsilonR;

        @Option(
                names = "--reference",
                required = true,
                paramLabel = "FILE",
                description = "JSON result of 'nnfrust frustration' whose epsilonBest is eps_R.")
        Path reference;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    ReferenceGroup referenceGroup;

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

    /** The library's parameter names as this command's flags. */
    private static final ParameterFlags FLAGS = new ParameterFlags(Map.of(
            "restarts", "--restarts",
            "referenceRestarts", "--reference-restarts",
            "epsilonR", "--epsilon-r",
            "reference", "--reference",
            "batch", "--batch",
            "limit", "--limit",
            "resize", "--resize"));

    @Override
    public Integer call() throws Exception {
        int t = solverOptions.threads();
        SolverKind solver = SolverKind.parse(solverOptions.solver, "--solver");
        ActiveExperiment.Reference reference = reference();
        OutputSet outs = run.plan();
        Path cp = run.checkpointPath();
        var importOptions = modelOptions.toImportOptions();
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(model, importOptions);
        var net = loaded.network();
        var pre = imageOptions.preprocessor(net);
        ActiveExperiment.Config config = config(net);
        Consumer<String> log = s -> {
            if (!run.quiet) {
                System.err.println(s);
            }
        };
        var source = imageOptions.source(pre);
        // eps_R is known before the first image (the progress lines compare with it)
        double[] eR = {Double.NaN};
        var sink = new ProgressLines<ImageResult>(
                "images",
                source.files().size(),
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
                        r.epsilon() < eR[0] ? " < eps_R" : " >= eps_R",
                        r.seconds()));
        RunControl<ImageResult> rc =
                FLAGS.build(() -> new RunControl<>(t, run.shard(), cp, run.resume, Math.max(0, run.stopAfter), sink));
        ActiveExperiment.checkCheckpoint(config, rc);
        ActiveExperiment.EpsilonR known = FLAGS.build(() -> ActiveExperiment.epsilonR(reference, net, config, t, log));
        eR[0] = known.value();
        ActiveExperiment.Result result;
        if (run.noNewWork) {
            // 'nnfrust merge --output': the result of the merged checkpoint, no new work
            result = ActiveExperiment.fromCheckpoint(cp, loaded, known, t, imageOptions.batch);
        } else {
            log.accept(String.format(
                    Locale.ROOT,
                    "nnfrust experiment active: %s (weights %s), %d images, solver %s x %d, %d threads%s",
                    model,
                    ModelIdentity.weights(net),
                    source.files().size(),
                    solver.label(),
                    restarts,
                    t,
                    cp == null ? "" : ", checkpoint " + cp));
            result = FLAGS.build(() -> ActiveExperiment.run(loaded, source, config, known, rc));
        }
        ImageOptions.printSkipped(result.skipped());
        ImageOptions.warnAccuracy(result.accuracy(), pre, net);
        String text = result.toJsonText().stripTrailing();
        run.stage(outs, text, result::toCsv);
        outs.commit();
        if (run.json) {
            System.out.println(text);
        } else if (!result.images().isEmpty()) {
            print(result);
        }
        return 0;
    }

    /** Where ε_R comes from (a reference file is read now); its errors name the options. */
    ActiveExperiment.Reference reference() {
        return FLAGS.build(() -> referenceGroup == null
                ? ActiveExperiment.Reference.computed(referenceRestarts)
                : referenceGroup.epsilonR != null
                        ? ActiveExperiment.Reference.given(referenceGroup.epsilonR)
                        : ActiveExperiment.Reference.file(referenceGroup.reference));
    }

    /** The study's configuration for the loaded network {@code net}; its errors name the options. */
    ActiveExperiment.Config config(Network net) {
        SolverKind solver = SolverKind.parse(solverOptions.solver, "--solver");
        var importOptions = modelOptions.toImportOptions();
        var pre = imageOptions.preprocessor(net);
        return FLAGS.build(() -> new ActiveExperiment.Config(
                imageOptions.inputs(model, net, importOptions, pre),
                solver,
                restarts,
                solverOptions.seed,
                solverOptions.options(0)));
    }

    private static void print(ActiveExperiment.Result result) {
        result.summaryLines().forEach(System.out::println);
    }
}
