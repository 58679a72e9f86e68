package io.nnfrust.cli;

import io.nnfrust.experiment.CheckpointMerge;
import io.nnfrust.experiment.RestartsMerge;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust merge}: the shards' checkpoints of one experiment into the checkpoint of the whole run. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Merge the shards of one run (docs/cluster.md).",
            "Experiments: the shards' checkpoints into the checkpoint of the whole run (--checkpoint); then run the "
                    + "same experiment command without --shard, with --checkpoint FILE --resume: every task is found "
                    + "done and the outputs are written exactly as by an unsharded run.",
            "'nnfrust frustration': the shards' --output files into the JSON of the whole run (--output, and "
                    + "--spins for the best spins)."
        })
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "The merged checkpoint to write (experiments).")
    Path output;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description =
                    "The merged JSON result to write: of 'nnfrust frustration' shards (their --output files), or of an experiment's shards (their checkpoints; the result is written by the unsharded command on the merged checkpoint, exactly as an unsharded run writes it).")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "With --output of an experiment: also its CSV.")
    Path csv;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description = "With --output: copy the best restart's spin file here.")
    Path spins;

    @Option(
            names = "--allow-partial",
            description =
                    "Merge the shards that are there and list the missing ones (default: missing shards are an error).")
    boolean allowPartial;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "The shards' checkpoint files (.jsonl).")
    List<Path> shards;

    @Override
    public Integer call() {
        if (output == null && json == null) {
            throw new NnfrustException("merge: give --output FILE (the merged result) or --checkpoint "
                    + "FILE (the merged checkpoint of an experiment)");
        }
        boolean checkpoints = isCheckpoint(shards.get(0));
        if (json != null && !checkpoints) {
            if (output != null || csv != null) {
                throw new NnfrustException("merge: " + shards.get(0) + " is an output of 'nnfrust "
                        + "frustration'; --checkpoint and --csv belong to experiment checkpoints");
            }
            System.out.println(
                    RestartsMerge.merge(shards, json, spins, allowPartial).describe());
            return 0;
        }
        if (spins != null) {
            throw new NnfrustException("merge: --spins belongs to 'nnfrust frustration' outputs; an "
                    + "experiment's spins travel with its checkpoint");
        }
        if (json != null) {
            return mergeToOutput();
        }
        new OutputSet().file("--checkpoint", output); // checked before reading the shards
        for (Path p : shards) {
            if (p.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new NnfrustException("merge: --checkpoint " + output + " is also a shard; write the "
                        + "merged checkpoint to a new file");
            }
        }
        CheckpointMerge.Summary s = CheckpointMerge.merge(shards, output, allowPartial, System.err::println);
        if (s.command().isEmpty()) {
            System.out.println("(these checkpoints do not name their command: written before nnfrust recorded it)");
        }
        System.out.printf(
                "merged %d of %d shards: %d results into %s%s%n",
                s.shards(),
                s.of(),
                s.results(),
                output,
                s.missingShards().isEmpty() ? "" : " (missing shards " + s.missingShards() + ")");
        System.out.println("next: the same experiment command without --shard, with --checkpoint " + output
                + " --resume (and --output, --csv as wanted)");
        return 0;
    }

    /** True when the file's first line is an nnfrust checkpoint header. */
    private static boolean isCheckpoint(Path f) {
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            return first != null && first.startsWith("{") && first.contains("\"type\":\"header\"");
        } catch (IOException e) {
            return false; // the merge that follows says what is wrong with the file
        }
    }

    /**
     * The shards' checkpoints merged (into --checkpoint, or a temporary file beside --output), then the unsharded
     * command that the checkpoints name run on it with --resume and no new work: the JSON and CSV are those of an
     * unsharded run, apart from timings and provenance.
     */
    private int mergeToOutput() {
        var outs = new OutputSet().file("--output", json).file("--csv", csv);
        if (output != null) {
            outs.file("--checkpoint", output);
        }
        Path merged = output != null
                ? output
                : json.toAbsolutePath()
                        .resolveSibling("." + json.getFileName() + ".merged-"
                                + ProcessHandle.current().pid() + ".jsonl");
        for (Path p : shards) {
            if (p.toAbsolutePath().normalize().equals(merged.toAbsolutePath().normalize())) {
                throw new NnfrustException("merge: --checkpoint " + output + " is also a shard; write "
                        + "the merged checkpoint to a new file");
            }
        }
        try {
            CheckpointMerge.Summary s = CheckpointMerge.merge(shards, merged, allowPartial, System.err::println);
            if (s.command().isEmpty()) {
                throw new NnfrustException("merge: " + shards.get(0) + " does not name the command that"
                        + " wrote it (an older nnfrust); merge with --checkpoint FILE and run that command with"
                        + " --checkpoint FILE --resume --output " + json);
            }
            requireDataOnly(s.command(), shards.get(0));
            List<String> args = new ArrayList<>(s.command());
            args.addAll(List.of(
                    "--checkpoint",
                    merged.toString(),
                    "--resume",
                    "--no-new-work",
                    "--quiet",
                    "--output",
                    json.toString()));
            if (csv != null) {
                args.addAll(List.of("--csv", csv.toString()));
            }
            int rc = Main.runInProcess(args, true);
            if (rc != 0) {
                throw new NnfrustException(
                        "merge: writing the result failed (exit " + rc + ") in: nnfrust " + String.join(" ", args));
            }
            System.out.printf(
                    "merged %d of %d shards: %d results into %s%s%s%n",
                    s.shards(),
                    s.of(),
                    s.results(),
                    json,
                    csv == null ? "" : " and " + csv,
                    s.missingShards().isEmpty()
                            ? ""
                            : " (missing shards " + s.missingShards() + ": the result says complete false)");
            return 0;
        } finally {
            if (output == null) {
                for (String suffix : new String[] {"", ".real.spins", ".N3.spins"}) {
                    AtomicFiles.deleteQuietly(Path.of(merged + suffix));
                }
                AtomicFiles.deleteQuietly(merged.resolveSibling("." + merged.getFileName() + ".lock"));
            }
        }
    }

    /** The experiments whose shards merge may finish; nothing else may be named by a checkpoint. */
    static final Set<String> MERGEABLE = Set.of("frustration", "active", "monotonicity");

    /** Options of those experiments that write files: only the user's own merge arguments may name them. */
    static final Set<String> WRITES = Set.of("--output", "--csv", "--checkpoint", "--plots");

    /**
     * A checkpoint is data: the command recorded in its header only names which experiment and settings the
     * merged result belongs to. It is refused unless it is {@code experiment frustration|active|monotonicity}
     * with options that only read (model, images, spins, reference, settings): no option that writes a file, no
     * {@code @file} argument expansion, no other command. Where to write is the merge's own --output and --csv.
     */
    static void requireDataOnly(List<String> command, Path source) {
        String why = null;
        if (command.size() < 2 || !command.get(0).equals("experiment") || !MERGEABLE.contains(command.get(1))) {
            why = "it is not 'experiment frustration|active|monotonicity'";
        } else {
            for (String a : command) {
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (a.startsWith("@")) {
                    why = "it names an argument file (" + a + ")";
                } else if (WRITES.contains(name)) {
                    why = "it names " + name + ", which writes a file";
                }
                if (why != null) {
                    break;
                }
            }
        }
        if (why != null) {
            throw new NnfrustException("merge: the command recorded in " + source + " is refused: "
                    + why + "; a checkpoint is data and cannot choose what nnfrust runs or where it writes (was the "
                    + "header edited?); merge with --checkpoint FILE and run the experiment yourself with "
                    + "--checkpoint FILE --resume");
        }
    }
}
