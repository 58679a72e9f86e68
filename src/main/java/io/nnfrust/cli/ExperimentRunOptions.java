package io.nnfrust.cli;

import io.nnfrust.experiment.Shard;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/** Checkpoint, resume and output options shared by the {@code experiment} subcommands. */
public final class ExperimentRunOptions {
    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description =
                    "JSON Lines file that receives every finished result (default: OUTPUT.jsonl when --output is given).")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue the checkpoint: skip the results already in it.")
    boolean resume;

    @Option(
            names = "--stop-after",
            defaultValue = "0",
            description = "Stop after this many new results (0: run all); continue later with --resume.")
    int stopAfter;

    /** Internal ('nnfrust merge --output'): only the results already in the checkpoint, no new work. */
    @Option(names = "--no-new-work", hidden = true)
    boolean noNewWork;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON result to FILE (atomically).")
    Path output;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per result as CSV (atomically).")
    Path csv;

    @Option(names = "--json", description = "Print the JSON result on stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Option(
            names = "--shard",
            paramLabel = "K/N|slurm",
            description =
                    "Run only shard K of N of the work (same seeds as the whole run; 'slurm': K and N from the job array). Merge the shards' checkpoints with 'nnfrust merge'. See docs/cluster.md.")
    String shard;

    private Shard parsedShard;

    /** The shard of this run (the whole run by default), checked with the checkpoint in {@link #plan}. */
    Shard shard() {
        if (parsedShard == null) {
            parsedShard = Shard.parse(shard, System.getenv());
        }
        return parsedShard;
    }

    /**
     * Checks the options and returns the checkpoint file: --checkpoint, else OUTPUT.jsonl, else none. Says on
     * stderr when --resume has nothing to resume.
     */
    private Path checkpointFile() {
        if (stopAfter < 0) {
            throw new NnfrustException("--stop-after must be >= 0");
        }
        if (noNewWork) {
            stopAfter = -1; // no pending task is taken (FrustrationExperiment, ImageLoop)
        }
        Path cp = checkpoint != null ? checkpoint : output != null ? Path.of(output.toString() + ".jsonl") : null;
        if (resume && cp == null) {
            Outputs.warn(
                    "--resume without --checkpoint or --output: there is no checkpoint to continue, and nothing "
                            + "of this run is saved until it ends; give --output FILE (checkpoint FILE.jsonl) to make it resumable");
        } else if (resume && !Files.exists(cp)) {
            Outputs.warn("--resume: checkpoint " + cp + " does not exist yet; starting it now");
        }
        return cp;
    }

    /** Plans and checks, before any work, every file this run writes: --output, --csv and the checkpoint. */
    OutputSet plan() {
        Path cp = checkpointFile();
        resolvedCheckpoint = cp;
        if (!shard().isAll() && cp == null) {
            throw new NnfrustException("--shard " + shard() + " needs --output FILE or --checkpoint FILE: the shards' "
                    + "checkpoints are what 'nnfrust merge' combines");
        }
        OutputSet set = new OutputSet().file("--output", output).file("--csv", csv);
        if (cp != null) {
            set.file(checkpoint != null ? "--checkpoint" : "checkpoint (--output FILE.jsonl)", cp);
        }
        return set;
    }

    private Path resolvedCheckpoint;

    /** The checkpoint file chosen by {@link #plan} (null: none). */
    Path checkpointPath() {
        return resolvedCheckpoint;
    }

    /** Stages the JSON result (--output) and the CSV (--csv) into the run's output set. */
    void stage(OutputSet set, String jsonText, Supplier<String> csvText) {
        if (output != null) {
            set.stage(output, os -> os.write((jsonText + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        if (csv != null) {
            String text = csvText.get();
            set.stage(csv, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
