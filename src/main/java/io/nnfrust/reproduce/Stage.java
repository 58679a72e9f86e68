package io.nnfrust.reproduce;

import io.nnfrust.load.ModelLoader;
import io.nnfrust.util.Provenance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One stage of {@code nnfrust reproduce} for one model: typed jobs (steps) that together write {@link #output}.
 * A stage is skipped when its manifest says it completed with the same steps (its fingerprint) and its output is
 * there; with other steps its files are removed and it runs anew; otherwise it continues: a step whose output exists
 * is not run again and an experiment resumes from its checkpoint.
 *
 * @param model           the model's folder name
 * @param name            the stage name (graph, frustration-algorithm1, ...)
 * @param output          the stage's result (JSON)
 * @param steps           the jobs, in order
 * @param owned           every file the stage writes (removed when its options change)
 * @param estimateSeconds the planned time (a product calibration times measured factors; see docs/reproduce.md)
 * @param summary         what the stage computes, with its counts, for the plan
 * @param kind            how the stage is resumed and merged
 * @param checkpoint      the checkpoint of an experiment stage (null otherwise)
 * @param requires        files made by earlier stages that this one reads (a shard waits for their merge)
 */
public record Stage(
        String model,
        String name,
        Path output,
        List<Step> steps,
        List<Path> owned,
        double estimateSeconds,
        String summary,
        Kind kind,
        Path checkpoint,
        List<Path> requires) {
    public Stage {
        steps = List.copyOf(steps);
        owned = List.copyOf(owned);
        requires = List.copyOf(requires);
    }

    /** Plain (a command), restarts (parts then a merge) or experiment (a command with a checkpoint). */
    public enum Kind {
        PLAIN,
        RESTARTS,
        EXPERIMENT
    }

    Stage(
            String model,
            String name,
            Path output,
            List<Step> steps,
            List<Path> owned,
            double estimateSeconds,
            String summary) {
        this(model, name, output, steps, owned, estimateSeconds, summary, Kind.PLAIN, null, List.of());
    }

    /**
     * One step of a stage: a typed job ({@link GraphInfoJob}, {@link RestartsJob}, {@link RestartsMergeJob},
     * {@link ExperimentJob}). Its {@link #args()} are the nnfrust command line that computes the same result, kept
     * as provenance (the stage's manifest, the report's figures, the fingerprint): it is never parsed or executed.
     */
    public sealed interface Step permits GraphInfoJob, RestartsJob, RestartsMergeJob, ExperimentJob {
        /** The arguments of the equivalent nnfrust command (without the leading {@code nnfrust}). */
        List<String> args();

        /** The file it writes. */
        Path output();

        /**
         * True: skipped when {@link #output()} exists (restart parts); false: always run (experiments resume from
         * their checkpoints, merges are cheap).
         */
        boolean onceOnly();

        /** The command line as a user would type it. */
        default String commandLine() {
            return Provenance.commandText(args());
        }
    }

    /** SHA-256 of every step's command line (its {@link Step#args()}): the stage's options. */
    public String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            b.append(String.join("\u0000", s.args())).append('\n');
        }
        return ModelLoader.sha256(b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
