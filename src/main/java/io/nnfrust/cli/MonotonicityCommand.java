package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.VariantResult;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.report.MonotonicityPlots;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code nnfrust experiment monotonicity}: output alignment Ω and λ-monotonicity (paper eq. 10, Fig. 3, 4, 7, 8). */
@Command(
        name = "monotonicity",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Near-monotonicity along the partial order of the best spins: perturb each image along S_x "
                    + "(x2 = x1 + S_x a u, u ~ U(0,1)) and measure the output alignment Omega along S_y; lambda (eq. 10) "
                    + "for the real network and the null models (random order, N3).",
            "See docs/monotonicity.md."
        })
final class MonotonicityCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
    String model;

    @Mixin
    ImageOptions imageOptions;

    @Option(
            names = "--perturbations",
            defaultValue = "100",
            paramLabel = "P",
            description = "Perturbations per image (default ${DEFAULT-VALUE}).")
    int perturbations;

    @Option(
            names = "--amplitude",
            defaultValue = "0.3:30",
            paramLabel = "MIN:MAX",
            converter = RangeConverter.class,
            description =
                    "Range of the amplitude a (delta_i = a u_i, input units after preprocessing) over the P perturbations (default ${DEFAULT-VALUE}).")
    Range amplitude;

    @Option(
            names = "--spacing",
            defaultValue = "log",
            paramLabel = "log|linear",
            converter = SpacingConverter.class,
            description = "Spacing of the P amplitudes (default ${DEFAULT-VALUE}).")
    Spacing spacing;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description =
                    "Best spins of the real network (from 'nnfrust frustration MODEL --spins FILE'); default: computed with --restarts.")
    Path spins;

    @Option(
            names = "--restarts",
            defaultValue = "8",
            description =
                    "Without --spins: solver restarts on the real network (default ${DEFAULT-VALUE}; the paper uses 80).")
    int restarts;

    @Option(
            names = "--nulls",
            split = ",",
            defaultValue = "random-order,N3",
            paramLabel = "LIST",
            converter = NullConverter.class,
            description =
                    "Null models: random-order, N3, random-input (random S_x, real S_y), random-output (real S_x, random S_y), N3-random-input, N3-random-output (the same halves on the N3 network), or none (default ${DEFAULT-VALUE}).")
    List<Variant> nulls;

    @Option(
            names = "--null-restarts",
            defaultValue = "8",
            description = "Solver restarts on the N3 network for its own spins (default ${DEFAULT-VALUE}).")
    int nullRestarts;

    @Option(
            names = "--n3-init",
            defaultValue = "he",
            converter = InitConverter.class,
            description = "N3 initialisation: he or xavier (default ${DEFAULT-VALUE}).")
    WeightInit n3Init;

    @Option(
            names = "--n3-bias",
            defaultValue = "zero",
            paramLabel = "zero|keep",
            converter = BiasConverter.class,
            description = "Biases of the N3 network's re-initialised layers (default ${DEFAULT-VALUE}).")
    WeightWriter.BiasPolicy n3Bias;

    @Option(
            names = "--plots",
            paramLabel = "DIR",
            description = "Write PNG figures (Fig. 3, 4, 7, 8 and the class-kept share) into DIR.")
    Path plots;

    @Mixin
    ExperimentRunOptions run;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    /** The library's parameter names as this command's flags. */
    private static final ParameterFlags FLAGS = new ParameterFlags(Map.of(
            "perturbations", "--perturbations",
            "restarts", "--restarts",
            "nullRestarts", "--null-restarts",
            "batch", "--batch",
            "threads", "--threads",
            "limit", "--limit",
            "resize", "--resize"));

    @Override
    public Integer call() throws Exception {
        int t = solverOptions.threads();
        AmplitudeSchedule schedule = schedule();
        List<Variant> variants = variants();
        SolverKind.parse(solverOptions.solver, "--solver");
        OutputSet outs = run.plan().folder("--plots", plots);
        Path cp = run.checkpointPath();
        var importOptions = modelOptions.toImportOptions();
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(model, importOptions);
        var net = loaded.network();
        var pre = imageOptions.preprocessor(net);
        MonotonicityExperiment.Config config = config(net);
        Consumer<String> log = s -> {
            if (!run.quiet) {
                System.err.println(s);
            }
        };
        var source = imageOptions.source(pre);
        var sink = new ProgressLines<ImageResult>("images", source.files().size(), 1, run.quiet, (r, at) -> {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%s] %s:", at, r.file()));
            r.variants()
                    .forEach((name, v) -> b.append(String.format(
                            Locale.ROOT,
                            " %s Omega>0.5 in %d/%d (mean %.3f, kept %d)",
                            name,
                            Math.round(v.fractionAbove() * v.aligned().length),
                            v.aligned().length,
                            meanOmega(v),
                            keptCount(v))));
            return b.toString();
        });
        RunControl<ImageResult> rc =
                FLAGS.build(() -> new RunControl<>(t, run.shard(), cp, run.resume, Math.max(0, run.stopAfter), sink));
        MonotonicityExperiment.Result result;
        if (run.noNewWork) {
            // 'nnfrust merge --output': the result of the merged checkpoint, no new work
            MonotonicityExperiment.checkCheckpoint(config, rc);
            result = MonotonicityExperiment.fromCheckpoint(cp, loaded, t, imageOptions.batch, log);
        } else {
            log.accept(String.format(
                    Locale.ROOT,
                    "nnfrust experiment monotonicity: %s (weights %s), %d images x %d perturbations (a %s), variants %s, batch %d%s",
                    model,
                    ModelIdentity.weights(net),
                    source.files().size(),
                    perturbations,
                    schedule.label(),
                    String.join(",", variants.stream().map(Variant::label).toList()),
                    imageOptions.batch,
                    cp == null ? "" : ", checkpoint " + cp));
            result = FLAGS.build(() -> MonotonicityExperiment.run(loaded, source, config, rc, log));
        }
        result.warnings().forEach(Outputs::warn);
        ImageOptions.printSkipped(result.skipped());
        ImageOptions.warnAccuracy(result.accuracy(), pre, net);
        String text = result.toJsonText().stripTrailing();
        run.stage(outs, text, result::toCsv);
        List<Path> figures = plots != null && !result.images().isEmpty()
                ? MonotonicityPlots.write(outs, plots, net.name(), result.toJson(new ObjectMapper()), 5)
                : List.of();
        outs.commit();
        for (Path f : figures) {
            log.accept("wrote " + f);
        }
        if (run.json) {
            System.out.println(text);
        } else if (!result.images().isEmpty()) {
            print(result);
        }
        return 0;
    }

    /** The amplitudes of the perturbations; its errors name the options. */
    private AmplitudeSchedule schedule() {
        return FLAGS.build(
                () -> new AmplitudeSchedule(amplitude.min(), amplitude.max(), perturbations, spacing == Spacing.LOG));
    }

    /** The real network, then the null models as given (each once). */
    private List<Variant> variants() {
        List<Variant> variants = new ArrayList<>(List.of(Variant.REAL));
        for (Variant v : nulls) {
            if (!variants.contains(v)) {
                variants.add(v);
            }
        }
        return variants;
    }

    /** The study's configuration for the loaded network {@code net}; its errors name the options. */
    MonotonicityExperiment.Config config(Network net) {
        AmplitudeSchedule schedule = schedule();
        List<Variant> variants = variants();
        SolverKind solver = SolverKind.parse(solverOptions.solver, "--solver");
        var importOptions = modelOptions.toImportOptions();
        var pre = imageOptions.preprocessor(net);
        return FLAGS.build(() -> new MonotonicityExperiment.Config(
                imageOptions.inputs(model, net, importOptions, pre),
                schedule,
                variants,
                spins,
                solver,
                restarts,
                nullRestarts,
                n3Init,
                n3Bias,
                solverOptions.seed,
                solverOptions.options(0)));
    }

    private static void print(MonotonicityExperiment.Result result) {
        result.summaryLines().forEach(System.out::println);
    }

    private static double meanOmega(VariantResult v) {
        double s = 0;
        for (int p = 0; p < v.aligned().length; p++) {
            s += v.omega(p);
        }
        return s / v.aligned().length;
    }

    private static int keptCount(VariantResult v) {
        int c = 0;
        for (boolean k : v.kept()) {
            if (k) {
                c++;
            }
        }
        return c;
    }

    /** An amplitude range, 0 < min <= max. */
    record Range(double min, double max) {}

    /** {@code MIN:MAX} (or one value A for MIN = MAX = A), 0 < MIN <= MAX. */
    static final class RangeConverter implements ITypeConverter<Range> {
        @Override
        public Range convert(String range) {
            String[] parts = range.split(":", -1);
            try {
                double lo = Double.parseDouble(parts[0].trim());
                double hi = parts.length == 1 ? lo : Double.parseDouble(parts[1].trim());
                if (parts.length <= 2 && lo > 0 && hi >= lo && !Double.isInfinite(hi)) {
                    return new Range(lo, hi);
                }
            } catch (NumberFormatException e) {
                // the message below
            }
            throw new TypeConversionException(
                    "must be MIN:MAX with 0 < MIN <= MAX (two positive numbers), got '" + range + "'");
        }
    }

    /** Spacing of the amplitudes ({@link AmplitudeSchedule#logarithmic}). */
    enum Spacing {
        LOG,
        LINEAR
    }

    /** {@code log} or {@code linear}, any case. */
    static final class SpacingConverter implements ITypeConverter<Spacing> {
        @Override
        public Spacing convert(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "log" -> Spacing.LOG;
                case "linear" -> Spacing.LINEAR;
                default -> throw new TypeConversionException("must be log or linear, got '" + s + "'");
            };
        }
    }

    /** A null model's variant; {@code none} adds nothing (the real network, always run). */
    static final class NullConverter implements ITypeConverter<Variant> {
        @Override
        public Variant convert(String s) {
            if (s.strip().equalsIgnoreCase("none")) {
                return Variant.REAL;
            }
            try {
                Variant v = Variant.parse(s);
                if (v != Variant.REAL) {
                    return v;
                }
            } catch (NnfrustException e) {
                // the message below
            }
            throw new TypeConversionException("unknown null model '" + s + "' (use random-order, random-input, "
                    + "random-output, N3, N3-random-input, N3-random-output or none)");
        }
    }

    static final class InitConverter implements ITypeConverter<WeightInit> {
        @Override
        public WeightInit convert(String s) {
            try {
                return WeightInit.parse(s);
            } catch (NnfrustException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class BiasConverter implements ITypeConverter<WeightWriter.BiasPolicy> {
        @Override
        public WeightWriter.BiasPolicy convert(String s) {
            try {
                return WeightWriter.BiasPolicy.parse(s);
            } catch (NnfrustException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
