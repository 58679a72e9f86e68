package io.nnfrust.cli;

import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Checkpoint, resume and output options shared by the {@code experiment} subcommands. */
public final class ExperimentRunOptions {
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "JSON Lines file that receives every finished result (default: OUTPUT.jsonl when --output is given).")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue the checkpoint: skip the results already in it.")
    boolean resume;

    @Option(names = "--stop-after", defaultValue = "0", description = "Stop after this many new results (0: run all); continue later with --resume.")
    int stopAfter;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON result to FILE (atomically).")
    Path output;

    @Option(names = "--csv", paramLabel = "FILE", description = "Write one row per result as CSV (atomically).")
    Path csv;

    @Option(names = "--json", description = "Print the JSON result on stdout.")
    boolean json;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    /** Checks the options and returns the checkpoint file: --checkpoint, else OUTPUT.jsonl, else none. */
    Path checkpointFile() {
        if (stopAfter < 0) {
            throw new NnfrustException("--stop-after must be >= 0");
        }
        return checkpoint != null ? checkpoint : output != null ? Path.of(output.toString() + ".jsonl") : null;
    }

    /** Writes the JSON result to --output and the CSV to --csv, when asked. */
    void write(String jsonText, Supplier<String> csvText) {
        if (output != null) {
            AtomicFiles.write(output, os -> os.write((jsonText + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        if (csv != null) {
            String text = csvText.get();
            AtomicFiles.write(csv, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
