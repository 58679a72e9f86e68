package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.nnfrust.experiment.Shard;
import io.nnfrust.experiment.TrainingTrack;
import io.nnfrust.experiment.TrainingTrack.Config;
import io.nnfrust.experiment.TrainingTrack.NullKind;
import io.nnfrust.experiment.TrainingTrack.Order;
import io.nnfrust.experiment.TrainingTrack.Point;
import io.nnfrust.experiment.TrainingTrack.UnitResult;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust track}: the study of {@link TrainingTrack} over a checkpoint series; parses, calls, prints. */
@Command(
        name = "track",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Frustration, null baselines, accuracy and near-monotonicity of every checkpoint of one "
                    + "training run, with the same seeds for each. See docs/training.md.",
            "Per checkpoint: graph summary; top-1 on an IDX image set (--images-idx); eps_R, the best of "
                    + "--restarts; --null-count null networks per kind in --nulls and the gap eps_N - eps_R; "
                    + "with --lambda-images, lambda and Omega along the best spins and along a random order."
        })
public final class TrackCommand implements Callable<Integer> {
    @Parameters(
            paramLabel = "CHECKPOINT",
            arity = "1..*",
            description = "ONNX checkpoints of one architecture, or a folder of them (its .onnx files).")
    List<Path> checkpoints;

    @Option(
            names = "--order",
            defaultValue = "epoch",
            paramLabel = "given|name|epoch",
            description = "Order of the checkpoints: epoch (default: the last number in the file name, or --epochs), "
                    + "name, or given.")
    String order;

    @Option(
            names = "--epochs",
            split = ",",
            paramLabel = "E,E,...",
            description = "The epoch of each checkpoint, in the order of the arguments (default: from the names).")
    List<Integer> epochs;

    @Option(
            names = "--restarts",
            defaultValue = "8",
            description = "Solver restarts per checkpoint; eps_R is the best (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(
            names = "--nulls",
            split = ",",
            defaultValue = "N1,N3",
            paramLabel = "N1,N2,N3",
            description = "Null models per checkpoint (default ${DEFAULT-VALUE}); 'none' for none.")
    List<String> nulls;

    @Option(
            names = "--null-count",
            defaultValue = "8",
            description = "Null networks of each kind per checkpoint, each solved twice (default ${DEFAULT-VALUE}).")
    int nullCount;

    @Option(
            names = "--n3-init",
            defaultValue = "he",
            paramLabel = "he|xavier",
            description = "N3 initialisation (default ${DEFAULT-VALUE}).")
    String n3Init;

    @Option(
            names = "--images-idx",
            paramLabel = "FILE",
            description =
                    "IDX image file (raw or .gz; e.g. t10k-images-idx3-ubyte.gz) for accuracy and lambda; pixel/255, see docs/training.md.")
    Path imagesIdx;

    @Option(names = "--labels-idx", paramLabel = "FILE", description = "IDX label file of the same images.")
    Path labelsIdx;

    @Option(
            names = "--limit",
            defaultValue = "0",
            paramLabel = "N",
            description = "Use the first N images (0, the default: all).")
    int limit;

    @Option(
            names = "--lambda-images",
            defaultValue = "0",
            paramLabel = "M",
            description = "Measure lambda and Omega on the first M images (0, the default: not measured).")
    int lambdaImages;

    @Option(
            names = "--perturbations",
            defaultValue = "20",
            paramLabel = "P",
            description = "Perturbations per image for lambda (default ${DEFAULT-VALUE}).")
    int perturbations;

    @Option(
            names = "--amplitude",
            defaultValue = "0.01:1",
            paramLabel = "MIN:MAX",
            description =
                    "Amplitudes a of delta = a*u, u ~ U(0,1) per input, in units of the [0,1] input (default ${DEFAULT-VALUE}).")
    String amplitude;

    @Option(
            names = "--spacing",
            defaultValue = "log",
            paramLabel = "log|linear",
            description = "Spacing of the amplitudes (default ${DEFAULT-VALUE}).")
    String spacing;

    @Option(
            names = "--batch",
            defaultValue = "20",
            paramLabel = "N",
            description = "Perturbed inputs per ONNX Runtime call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--from-shards",
            arity = "1..*",
            paramLabel = "FILE",
            description =
                    "No new work: merge these shard checkpoints of this same command (with --shard K/N) into the outputs given.")
    List<Path> fromShards;

    @Mixin
    ExperimentRunOptions run;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    /** The library's parameter names as this command's flags. */
    private static final ParameterFlags FLAGS = new ParameterFlags(Map.ofEntries(
            Map.entry("limit", "--limit"),
            Map.entry("lambdaImages", "--lambda-images"),
            Map.entry("batch", "--batch"),
            Map.entry("restarts", "--restarts"),
            Map.entry("nullCount", "--null-count"),
            Map.entry("nulls", "--nulls"),
            Map.entry("threads", "--threads"),
            Map.entry("stopAfter", "--stop-after"),
            Map.entry("fromShards", "--from-shards"),
            Map.entry("epochs", "--epochs")));

    /** The typed configuration of the options (validated; loads nothing). */
    Config config() {
        return FLAGS.build(this::typedConfig);
    }

    private Config typedConfig() {
        Order o = parseEnum(Order.class, order, "--order");
        List<NullKind> kinds = nulls.size() == 1 && nulls.get(0).equalsIgnoreCase("none")
                ? List.of()
                : nulls.stream()
                        .map(k -> parseEnum(NullKind.class, k, "--nulls"))
                        .toList();
        if ((imagesIdx == null) != (labelsIdx == null)) {
            throw new NnfrustException("give --images-idx and --labels-idx together");
        }
        var images = imagesIdx == null ? null : new TrainingTrack.Images(imagesIdx, labelsIdx, limit);
        var mono = lambdaImages == 0
                ? null
                : new TrainingTrack.Monotonicity(
                        lambdaImages, AmplitudeSchedule.parse(amplitude, perturbations, spacing), batch);
        if (lambdaImages < 0) {
            throw new NnfrustException("--lambda-images must be >= 0, got " + lambdaImages);
        }
        return new Config(
                TrainingTrack.snapshots(checkpoints, o, epochs),
                modelOptions.toImportOptions(),
                solverOptions.solver,
                solverOptions.options(0),
                restarts,
                kinds,
                nullCount,
                WeightInit.parse(n3Init),
                solverOptions.seed,
                images,
                mono);
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String text, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.trim())) {
                return e;
            }
        }
        throw new NnfrustException(option + " '" + text + "' is not one of "
                + Arrays.stream(type.getEnumConstants())
                        .map(e -> e.name().toLowerCase(Locale.ROOT))
                        .toList());
    }

    @Override
    public Integer call() throws Exception {
        Config config = config();
        int t = solverOptions.threads();
        OutputSet outs = run.plan();
        Path cp = fromShards == null ? run.checkpointPath() : null;
        if (fromShards != null && run.resume) {
            throw new NnfrustException("--from-shards does no new work; leave out --resume");
        }
        int total = TrainingTrack.unitsPlanned(config, run.shard());
        if (!run.quiet) {
            System.err.printf(
                    Locale.ROOT,
                    "nnfrust track: %d checkpoints, %d units (%d restarts, %s x %d null "
                            + "networks each), solver %s, %d threads%s%n",
                    config.snapshots().size(),
                    total,
                    restarts,
                    config.nulls(),
                    nullCount,
                    solverOptions.solver,
                    t,
                    cp == null ? "" : ", checkpoint " + cp);
        }
        var sink = new ProgressLines<UnitResult>("units", total, t, run.quiet, (r, at) -> {
            double best =
                    r.solves().stream().mapToDouble(o -> o.epsilon()).min().orElse(Double.NaN);
            double secs = r.solves().stream().mapToDouble(o -> o.seconds()).sum();
            return String.format(
                    Locale.ROOT,
                    "[%s] checkpoint %d (%s) %s: eps %.6f%s (%.1f s)",
                    at,
                    r.checkpoint(),
                    config.snapshots().get(r.checkpoint()).file().getFileName(),
                    r.unit(),
                    best,
                    r.accuracy() == null
                            ? ""
                            : String.format(
                                    Locale.ROOT, ", top-1 %.4f", r.accuracy().top1Rate()),
                    secs);
        });
        var rc = FLAGS.build(() -> new TrainingTrack.RunControl(
                t, fromShards == null ? run.shard() : Shard.ALL, cp, run.resume, run.stopAfter, fromShards, sink));
        TrainingTrack.Result result = FLAGS.build(() -> TrainingTrack.run(config, rc));
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String text = m.writeValueAsString(result.toJson(m));
        run.stage(outs, text, result::toCsv);
        outs.commit();
        if (run.json) {
            System.out.println(text);
            return 0;
        }
        System.out.printf(Locale.ROOT, "%-24s %6s %8s %9s", "checkpoint", "epoch", "top-1", "eps_R");
        for (NullKind k : config.nulls()) {
            System.out.printf(Locale.ROOT, " %9s %9s", "eps_" + k, "gap_" + k);
        }
        System.out.printf(Locale.ROOT, "%s%n", config.monotonicity() == null ? "" : "    lambda  lambda_rand");
        for (Point p : result.points()) {
            System.out.printf(
                    Locale.ROOT,
                    "%-24s %6d %8s %9.6f",
                    p.snapshot().file().getFileName(),
                    p.snapshot().epoch(),
                    p.accuracy() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.4f", p.accuracy().top1Rate()),
                    p.epsilonR());
            for (NullKind k : config.nulls()) {
                System.out.printf(Locale.ROOT, " %9.6f %9.6f", p.epsilonNull(k.name()), p.gap(k.name()));
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s%n",
                    p.lambda() == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " %9.4f %12.4f",
                                    p.lambda().lambda(),
                                    p.lambdaRandomOrder().lambda()));
        }
        if (!result.complete()) {
            System.out.printf(
                    Locale.ROOT,
                    "incomplete: %d of %d units; continue with --resume%n",
                    result.unitsDone(),
                    result.unitsPlanned());
        }
        return 0;
    }
}
