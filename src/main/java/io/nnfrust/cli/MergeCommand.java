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
        description = {"Merge the checkpoints of the --shard runs of one experiment into the checkpoint of the whole run.",
                "Then run the same experiment command without --shard, with --checkpoint FILE --resume: every task is "
                        + "found done and the outputs are written exactly as by an unsharded run. See docs/cluster.md."})
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "The merged checkpoint to write.")
    Path output;

    @Option(names = "--allow-partial", description = "Merge the shards that are there and list the missing ones (default: missing shards are an error).")
    boolean allowPartial;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "The shards' checkpoint files (.jsonl).")
    List<Path> shards;

    @Override
    public Integer call() {
        io.nnfrust.util.OutputSet outs = new io.nnfrust.util.OutputSet().file("--checkpoint", output);
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
        outs.discard();
        return 0;
    }
}
