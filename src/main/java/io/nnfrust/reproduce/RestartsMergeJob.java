package io.nnfrust.reproduce;

import io.nnfrust.experiment.RestartsMerge;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last step of a restarts stage: the parts' JSON merged into the result of the whole run and the best part's
 * spins copied ({@link RestartsMerge}). The command line is {@code nnfrust merge PART... --output FILE --spins FILE}.
 *
 * @param parts  the parts' JSON files, in part order
 * @param output the merged JSON
 * @param spins  the best spins
 */
public record RestartsMergeJob(List<Path> parts, Path output, Path spins) implements Stage.Step {
    public RestartsMergeJob {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new NnfrustException("parts of a merge job must not be empty");
        }
        if (output == null || spins == null) {
            throw new NnfrustException("output and spins of a merge job must not be null");
        }
    }

    @Override
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("merge"));
        parts.forEach(p -> a.add(p.toString()));
        a.addAll(List.of("--output", output.toString(), "--spins", spins.toString()));
        return a;
    }

    @Override
    public boolean onceOnly() {
        return false;
    }

    /** Merges every part (all must be there). */
    public RestartsMerge.Summary run() {
        return RestartsMerge.merge(parts, output, spins, false);
    }
}
