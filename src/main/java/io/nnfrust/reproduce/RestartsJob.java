package io.nnfrust.reproduce;

import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One part of a restarts stage: the restarts of shard {@code part} of a run of {@code restarts} restarts of
 * {@code solver} on the real network ({@link FrustrationRestarts}, with the seeds of the whole run and the
 * frustration map), written as JSON and the best spins; {@link RestartsMergeJob} joins the parts. The command line
 * is {@code nnfrust frustration MODEL ... --shard I/N --map --quiet --output FILE --spins FILE}.
 *
 * @param model         zoo:NAME or an .onnx file
 * @param importOptions how the model becomes a signed graph
 * @param solver        the solver (default options, as {@code nnfrust frustration})
 * @param restarts      restarts of the whole run
 * @param seed          the seed of the whole run
 * @param threads       threads
 * @param part          this part of the run
 * @param output        the part's JSON
 * @param spins         the part's best spins
 */
public record RestartsJob(
        String model,
        ImportOptions importOptions,
        SolverKind solver,
        int restarts,
        long seed,
        int threads,
        Shard part,
        Path output,
        Path spins)
        implements Stage.Step {
    public RestartsJob {
        if (model == null || importOptions == null || solver == null || part == null) {
            throw new NnfrustException("model, importOptions, solver and part of a restarts job must not be null");
        }
        if (output == null || spins == null) {
            throw new NnfrustException("output and spins of a restarts job must not be null");
        }
        if (restarts < 1 || threads < 1) {
            throw new NnfrustException("restarts and threads must be at least 1, got " + restarts + ", " + threads);
        }
    }

    @Override
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("frustration", model));
        a.addAll(ImportArgs.of(importOptions));
        a.addAll(List.of(
                "--solver",
                solver.label(),
                "--restarts",
                Integer.toString(restarts),
                "--seed",
                Long.toString(seed),
                "--threads",
                Integer.toString(threads),
                "--shard",
                part.toString(),
                "--map",
                "--quiet",
                "--output",
                output.toString(),
                "--spins",
                spins.toString()));
        return a;
    }

    /** A part is computed once: its JSON, once written, is kept. */
    @Override
    public boolean onceOnly() {
        return true;
    }

    /** The restarts' configuration. */
    public FrustrationRestarts.Config config() {
        return new FrustrationRestarts.Config(solver, SolverOptions.DEFAULT, restarts, seed, true);
    }

    /** Imports the model, runs this part's restarts and writes the spins, then the JSON. */
    public void run() {
        FrustrationRestarts.run(
                        FrustrationRestarts.Input.load(model, importOptions),
                        config(),
                        new RunControl<>(threads, part, null, false, 0, null))
                .write(output, spins);
    }
}
