package io.nnfrust.reproduce;

import io.nnfrust.experiment.Shard;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An experiment stage: {@code nnfrust experiment STUDY MODEL ...} with its checkpoint, run by an
 * {@link ExperimentRunner}. The study's own settings are still held as the command's arguments ({@link #settings},
 * {@link #runOptions}) until the studies have typed configurations (issue 23); the model, the outputs and the
 * shard are typed, so a shard of the stage is made by {@link #withShard}, not by editing arguments.
 *
 * @param study         which experiment
 * @param model         zoo:NAME or an .onnx file
 * @param importOptions how the model becomes a signed graph
 * @param settings      the study's arguments between the model options and {@code --output}
 * @param output        the result JSON
 * @param csv           its CSV, or null for none
 * @param runOptions    the arguments after the outputs (solver, threads, {@code --resume}, bounds)
 * @param shard         the shard of the study's work units ({@link Shard#ALL}: the whole study)
 * @param checkpoint    the checkpoint of a shard (null for the whole study: the experiment's default beside its
 *                      output)
 */
public record ExperimentJob(
        Study study,
        String model,
        ImportOptions importOptions,
        List<String> settings,
        Path output,
        Path csv,
        List<String> runOptions,
        Shard shard,
        Path checkpoint)
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

    public ExperimentJob {
        if (study == null || model == null || importOptions == null || output == null) {
            throw new NnfrustException("study, model, importOptions and output of an experiment job must not be null");
        }
        settings = List.copyOf(settings);
        runOptions = List.copyOf(runOptions);
        shard = shard == null ? Shard.ALL : shard;
        if (shard.isAll() != (checkpoint == null)) {
            throw new NnfrustException("checkpoint of an experiment job is given for a shard, and only for a shard");
        }
    }

    /** The whole study (no shard), writing {@code output} and {@code csv}. */
    public ExperimentJob(
            Study study,
            String model,
            ImportOptions importOptions,
            List<String> settings,
            Path output,
            Path csv,
            List<String> runOptions) {
        this(study, model, importOptions, settings, output, csv, runOptions, Shard.ALL, null);
    }

    /**
     * Shard {@code part} of this study: the same settings, its result into {@code output} (no CSV: the merged run
     * writes it) and its own {@code checkpoint}.
     */
    public ExperimentJob withShard(Shard part, Path output, Path checkpoint) {
        if (!shard.isAll()) {
            throw new NnfrustException("experiment job is already shard " + shard);
        }
        return new ExperimentJob(study, model, importOptions, settings, output, null, runOptions, part, checkpoint);
    }

    @Override
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("experiment", study.label(), model));
        a.addAll(ImportArgs.of(importOptions));
        a.addAll(settings);
        a.addAll(List.of("--output", output.toString()));
        if (csv != null) {
            a.addAll(List.of("--csv", csv.toString()));
        }
        a.addAll(runOptions);
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
