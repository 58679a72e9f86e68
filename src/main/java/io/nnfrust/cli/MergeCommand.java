package io.nnfrust.cli;

import io.nnfrust.experiment.CheckpointMerge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code nnfrust merge}: the shards' checkpoints of one experiment into the checkpoint of the whole run. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge the shards of one run (docs/cluster.md).",
                "Experiments: the shards' checkpoints into the checkpoint of the whole run (--checkpoint); then run the "
                        + "same experiment command without --shard, with --checkpoint FILE --resume: every task is found "
                        + "done and the outputs are written exactly as by an unsharded run.",
                "'nnfrust frustration': the shards' --output files into the JSON of the whole run (--output, and "
                        + "--spins for the best spins)."})
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "The merged checkpoint to write (experiments).")
    Path output;

    @Option(names = "--output", paramLabel = "FILE", description = "The merged JSON to write ('nnfrust frustration' shards).")
    Path json;

    @Option(names = "--spins", paramLabel = "FILE", description = "With --output: copy the best restart's spin file here.")
    Path spins;

    @Option(names = "--allow-partial", description = "Merge the shards that are there and list the missing ones (default: missing shards are an error).")
    boolean allowPartial;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "The shards' checkpoint files (.jsonl).")
    List<Path> shards;

    @Override
    public Integer call() {
        if ((output == null) == (json == null)) {
            throw new io.nnfrust.util.NnfrustException("merge: give --checkpoint FILE (experiment checkpoints) or "
                    + "--output FILE ('nnfrust frustration' outputs)");
        }
        if (json != null) {
            System.out.println(FrustrationMerge.merge(shards, json, spins, allowPartial));
            return 0;
        }
        new io.nnfrust.util.OutputSet().file("--checkpoint", output); // checked before reading the shards
        for (Path p : shards) {
            if (p.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new io.nnfrust.util.NnfrustException("merge: --checkpoint " + output + " is also a shard; write the "
                        + "merged checkpoint to a new file");
            }
        }
        CheckpointMerge.Summary s = CheckpointMerge.merge(shards, output, allowPartial, System.err::println);
        System.out.printf("merged %d of %d shards: %d results into %s%s%n", s.shards(), s.of(), s.results(), output,
                s.missingShards().isEmpty() ? "" : " (missing shards " + s.missingShards() + ")");
        System.out.println("next: the same experiment command without --shard, with --checkpoint " + output
                + " --resume (and --output, --csv as wanted)");
        return 0;
    }
}
