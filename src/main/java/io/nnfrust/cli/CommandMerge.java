package io.nnfrust.cli;

import io.nnfrust.experiment.CheckpointMerge;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The merge of the experiments whose libraries do not merge their shards yet ({@code experiment active} and
 * {@code experiment monotonicity}; {@link MergeCommand} selects it by the study the checkpoints name): the command
 * recorded in the checkpoints, checked to be data only, is run on the merged checkpoint with --resume and no new
 * work. {@code experiment frustration} never comes here: its result is rebuilt from the typed configuration.
 */
final class CommandMerge {
    private CommandMerge() {}

    /**
     * {@code experiment active|monotonicity} (until their libraries merge them): the shards' checkpoints merged
     * (into --checkpoint, or a temporary file beside --output), then the unsharded command that the checkpoints
     * name run on it with --resume and no new work. The recorded command is checked to be data only
     * ({@link #requireDataOnly}) after the options that choose outputs are removed ({@link #runCommand}).
     */
    static CheckpointMerge.Summary merge(List<Path> shards, Path output, Path json, Path csv, boolean allowPartial) {
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
            List<String> command = runCommand(s.command());
            requireDataOnly(command, shards.get(0));
            List<String> args = new ArrayList<>(command);
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
            return s;
        } finally {
            if (output == null) {
                for (String suffix : new String[] {"", ".real.spins", ".N3.spins"}) {
                    AtomicFiles.deleteQuietly(Path.of(merged + suffix));
                }
                AtomicFiles.deleteQuietly(merged.resolveSibling("." + merged.getFileName() + ".lock"));
            }
        }
    }

    /** The experiments whose shards merge may finish by command; nothing else may be named by a checkpoint. */
    static final Set<String> MERGEABLE = Set.of("active", "monotonicity");

    /** Options of those experiments that write files: only the user's own merge arguments may name them. */
    static final Set<String> WRITES = Set.of("--output", "--csv", "--checkpoint", "--plots");

    /**
     * Options that choose outputs, sharding, resumption or verbosity, with their arity: removed from a recorded
     * command line before it is run on the merged checkpoint (checkpoints record the whole command line).
     */
    private static final Map<String, Integer> RUN_OPTIONS = Map.of(
            "--shard", 1,
            "--output", 1,
            "--csv", 1,
            "--checkpoint", 1,
            "--plots", 1,
            "--stop-after", 1,
            "--resume", 0,
            "--quiet", 0,
            "--json", 0,
            "--no-new-work", 0);

    /** {@code args} without the options of {@link #RUN_OPTIONS} (in either {@code --opt value} or {@code --opt=value} form). */
    static List<String> runCommand(List<String> args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            Integer arity = RUN_OPTIONS.get(name);
            if (arity == null) {
                out.add(a);
            } else if (!a.contains("=")) {
                i += arity;
            }
        }
        return out;
    }

    /**
     * A checkpoint is data: the command recorded in its header only names which experiment and settings the
     * merged result belongs to. It is refused unless it is {@code experiment active|monotonicity} with options
     * that only read (model, images, spins, reference, settings): no option that writes a file, no {@code @file}
     * argument expansion, no other command. Where to write is the merge's own --output and --csv.
     */
    static void requireDataOnly(List<String> command, Path source) {
        String why = null;
        if (command.size() < 2 || !command.get(0).equals("experiment") || !MERGEABLE.contains(command.get(1))) {
            why = "it is not 'experiment active|monotonicity'";
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
