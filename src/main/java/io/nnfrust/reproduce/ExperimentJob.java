package io.nnfrust.reproduce;

import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.ImageInputs;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An experiment stage: one of the paper's studies with its typed configuration ({@link Settings}) and its run
 * settings (threads, shard, checkpoint), run by an {@link ExperimentRunner} through the library
 * ({@link FrustrationExperiment}, {@link ActiveExperiment}, {@link MonotonicityExperiment}), always continuing its
 * checkpoint. {@link #args()} is the {@code nnfrust experiment STUDY MODEL ...} command line of the same result,
 * derived from the typed fields: provenance, never parsed or executed.
 *
 * @param settings   the study and its configuration
 * @param output     the result JSON
 * @param csv        its CSV, or null for none
 * @param threads    threads (results do not depend on them)
 * @param shard      the shard of the study's work units ({@link Shard#ALL}: the whole study)
 * @param checkpoint the checkpoint of a shard (null for the whole study: {@code OUTPUT.jsonl}, see
 *                   {@link #checkpointFile()})
 */
public record ExperimentJob(Settings settings, Path output, Path csv, int threads, Shard shard, Path checkpoint)
        implements Stage.Step {
    /** The experiments of the protocol. */
    public enum Study {
        /** ε of the network against its null models (Fig. 2, 5a). */
        FRUSTRATION,
        /** Active subnetworks (eq. 8, Fig. 2). */
        ACTIVE,
        /** Near-monotonicity (eq. 10, Fig. 3, 4, 5b, 7, 8). */
        MONOTONICITY;

        /** The subcommand of {@code nnfrust experiment}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A study's typed configuration as the plan makes it: the model's SHA-256 is left empty ({@code ""}; the
     * runner fills it in when it loads the model) and every setting that the command line does not carry has the
     * command's default, so that {@link #args()} names the whole configuration.
     */
    public sealed interface Settings permits FrustrationSettings, ActiveSettings, MonotonicitySettings {
        /** Which study. */
        Study study();

        /** zoo:NAME or an .onnx file. */
        String model();

        /** How the model becomes a signed graph. */
        ImportOptions importOptions();

        /** The solver of the study. */
        SolverKind solver();

        /** The study's options of the command line, between the model's import options and {@code --output}. */
        List<String> args();
    }

    /**
     * The null-model experiment (Fig. 2, 5a): {@code config}'s solver options are the defaults, and N3's
     * initialisation is He unless N3 is drawn.
     */
    public record FrustrationSettings(FrustrationExperiment.Config config) implements Settings {
        public FrustrationSettings {
            if (config == null) {
                throw new NnfrustException("config of a frustration job must be given");
            }
            if (!config.options().equals(SolverOptions.DEFAULT)) {
                throw new NnfrustException(
                        "solver options of a frustration job must be the defaults, got " + config.options());
            }
            if (config.nulls().isEmpty()) {
                throw new NnfrustException("nulls of a frustration job must name a null model");
            }
            if (!config.nulls().contains(NullKind.N3) && config.n3Init() != WeightInit.HE_NORMAL) {
                throw new NnfrustException("n3Init of a frustration job without N3 must be he, got "
                        + config.n3Init().label());
            }
            if (config.boundRank() != FrustrationExperiment.Config.DEFAULT_BOUND_RANK) {
                throw new NnfrustException("boundRank of a frustration job must be "
                        + FrustrationExperiment.Config.DEFAULT_BOUND_RANK + ", got " + config.boundRank());
            }
        }

        /** The configuration for the loaded model {@code net}: with its SHA-256. */
        public FrustrationExperiment.Config configFor(Network net) {
            return config.withModelSha256(net.sha256());
        }

        @Override
        public Study study() {
            return Study.FRUSTRATION;
        }

        @Override
        public String model() {
            return config.model();
        }

        @Override
        public ImportOptions importOptions() {
            return config.importOptions();
        }

        @Override
        public SolverKind solver() {
            return config.solver();
        }

        @Override
        public List<String> args() {
            List<String> a = new ArrayList<>(List.of(
                    "--replicas",
                    Integer.toString(config.replicas()),
                    "--nulls",
                    config.nulls().stream().map(NullKind::name).collect(Collectors.joining(",")),
                    "--null-count",
                    Integer.toString(config.nullCount())));
            if (config.nulls().contains(NullKind.N3)) {
                a.addAll(List.of("--n3-init", config.n3Init().label()));
            }
            a.addAll(List.of("--seed", Long.toString(config.seed())));
            return a;
        }
    }

    /**
     * The active subnetworks (eq. 8): {@code config} on {@code images}, against ε_R of the result file
     * {@code reference} (read when the job runs: an earlier stage writes it).
     */
    public record ActiveSettings(ActiveExperiment.Config config, StudyImages images, Path reference)
            implements Settings {
        public ActiveSettings {
            if (config == null || images == null || reference == null) {
                throw new NnfrustException("config, images and reference of an active job must be given");
            }
            var in = config.inputs();
            if (!in.equals(images.inputs(in.model(), in.importOptions(), in.limit()))) {
                throw new NnfrustException("inputs of an active job must be those of its images (with the model's "
                        + "sha256 left empty), got " + in);
            }
            if (!config.options().equals(SolverOptions.DEFAULT)) {
                throw new NnfrustException(
                        "solver options of an active job must be the defaults, got " + config.options());
            }
        }

        /** The configuration for the loaded model {@code net}: its inputs with the model's SHA-256. */
        public ActiveExperiment.Config configFor(Network net) {
            return new ActiveExperiment.Config(
                    withSha256(config.inputs(), net.sha256()),
                    config.solver(),
                    config.restarts(),
                    config.seed(),
                    config.options());
        }

        @Override
        public Study study() {
            return Study.ACTIVE;
        }

        @Override
        public String model() {
            return config.inputs().model();
        }

        @Override
        public ImportOptions importOptions() {
            return config.inputs().importOptions();
        }

        @Override
        public SolverKind solver() {
            return config.solver();
        }

        @Override
        public List<String> args() {
            List<String> a = new ArrayList<>(images.args());
            a.addAll(List.of(
                    "--limit",
                    Integer.toString(config.inputs().limit()),
                    "--restarts",
                    Integer.toString(config.restarts()),
                    "--reference",
                    reference.toString(),
                    "--seed",
                    Long.toString(config.seed())));
            return a;
        }
    }

    /**
     * Near-monotonicity (eq. 10): {@code config} on {@code images} along the spins of the file {@code spins} (as
     * given; the configuration holds it absolute), with the command's defaults for the amplitudes
     * ({@link #amplitudes}), the restarts ({@link #RESTARTS}), N3's initialisation (He) and biases (zero).
     */
    public record MonotonicitySettings(MonotonicityExperiment.Config config, StudyImages images, Path spins)
            implements Settings {
        /** Restarts on the real network without a spin file (the command's default; unused with one). */
        public static final int RESTARTS = 8;

        public MonotonicitySettings {
            if (config == null || images == null || spins == null) {
                throw new NnfrustException("config, images and spins of a monotonicity job must be given");
            }
            var in = config.inputs();
            if (!in.equals(images.inputs(in.model(), in.importOptions(), in.limit()))) {
                throw new NnfrustException("inputs of a monotonicity job must be those of its images (with the "
                        + "model's sha256 left empty), got " + in);
            }
            if (!spins.toAbsolutePath().normalize().equals(config.spins())) {
                throw new NnfrustException("spins of a monotonicity job must be its configuration's, got " + spins
                        + " and " + config.spins());
            }
            if (!config.amplitudes().equals(amplitudes(config.amplitudes().count()))
                    || config.restarts() != RESTARTS
                    || config.n3Init() != WeightInit.HE_NORMAL
                    || config.n3Bias() != WeightWriter.BiasPolicy.ZERO
                    || !config.options().equals(SolverOptions.DEFAULT)) {
                throw new NnfrustException("amplitudes, restarts, n3Init, n3Bias and solver options of a "
                        + "monotonicity job must be the defaults, got " + config);
            }
            if (!config.variants().get(0).equals(Variant.REAL)) {
                throw new NnfrustException(
                        "variants of a monotonicity job must begin with the real network, got " + config.variants());
            }
        }

        /** The amplitudes of {@code perturbations} perturbations: 0.3 to 30, logarithmic (the command's default). */
        public static AmplitudeSchedule amplitudes(int perturbations) {
            return new AmplitudeSchedule(0.3, 30, perturbations, true);
        }

        /** The configuration for the loaded model {@code net}: its inputs with the model's SHA-256. */
        public MonotonicityExperiment.Config configFor(Network net) {
            return new MonotonicityExperiment.Config(
                    withSha256(config.inputs(), net.sha256()),
                    config.amplitudes(),
                    config.variants(),
                    config.spins(),
                    config.solver(),
                    config.restarts(),
                    config.nullRestarts(),
                    config.n3Init(),
                    config.n3Bias(),
                    config.seed(),
                    config.options());
        }

        @Override
        public Study study() {
            return Study.MONOTONICITY;
        }

        @Override
        public String model() {
            return config.inputs().model();
        }

        @Override
        public ImportOptions importOptions() {
            return config.inputs().importOptions();
        }

        @Override
        public SolverKind solver() {
            return config.solver();
        }

        @Override
        public List<String> args() {
            List<Variant> nulls = config.variants().subList(1, config.variants().size());
            List<String> a = new ArrayList<>(images.args());
            a.addAll(List.of(
                    "--limit",
                    Integer.toString(config.inputs().limit()),
                    "--perturbations",
                    Integer.toString(config.amplitudes().count()),
                    "--spins",
                    spins.toString(),
                    "--nulls",
                    nulls.isEmpty()
                            ? "none"
                            : nulls.stream().map(Variant::label).collect(Collectors.joining(",")),
                    "--null-restarts",
                    Integer.toString(config.nullRestarts()),
                    "--seed",
                    Long.toString(config.seed())));
            return a;
        }
    }

    private static ImageInputs withSha256(ImageInputs in, String sha256) {
        return new ImageInputs(
                in.model(),
                sha256,
                in.importOptions(),
                in.images(),
                in.limit(),
                in.preprocess(),
                in.resize(),
                in.precision());
    }

    public ExperimentJob {
        if (settings == null || output == null) {
            throw new NnfrustException("settings and output of an experiment job must not be null");
        }
        if (threads < 1) {
            throw new NnfrustException("threads of an experiment job must be at least 1, got " + threads);
        }
        shard = shard == null ? Shard.ALL : shard;
        if (shard.isAll() != (checkpoint == null)) {
            throw new NnfrustException("checkpoint of an experiment job is given for a shard, and only for a shard");
        }
    }

    /** The whole study (no shard), writing {@code output} and {@code csv}. */
    public ExperimentJob(Settings settings, Path output, Path csv, int threads) {
        this(settings, output, csv, threads, Shard.ALL, null);
    }

    /**
     * Shard {@code part} of this study: the same settings, its result into {@code output} (no CSV: the merged run
     * writes it) and its own {@code checkpoint}.
     */
    public ExperimentJob withShard(Shard part, Path output, Path checkpoint) {
        if (!shard.isAll()) {
            throw new NnfrustException("experiment job is already shard " + shard);
        }
        return new ExperimentJob(settings, output, null, threads, part, checkpoint);
    }

    /** Which study. */
    public Study study() {
        return settings.study();
    }

    /** The checkpoint the study continues: the shard's, or {@code OUTPUT.jsonl} for the whole study. */
    public Path checkpointFile() {
        return checkpoint != null ? checkpoint : Path.of(output + ".jsonl");
    }

    @Override
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("experiment", study().label(), settings.model()));
        a.addAll(ImportArgs.of(settings.importOptions()));
        a.addAll(settings.args());
        a.addAll(List.of("--output", output.toString()));
        if (csv != null) {
            a.addAll(List.of("--csv", csv.toString()));
        }
        a.addAll(List.of("--solver", settings.solver().label(), "--threads", Integer.toString(threads), "--resume"));
        if (settings instanceof FrustrationSettings f && f.config().bounds() > 0) {
            a.addAll(List.of("--bounds", Integer.toString(f.config().bounds())));
        }
        if (!shard.isAll()) {
            a.addAll(List.of("--shard", shard.toString(), "--checkpoint", checkpoint.toString()));
        }
        return a;
    }

    /** Always run: an experiment resumes from its checkpoint. */
    @Override
    public boolean onceOnly() {
        return false;
    }
}
