package io.nnfrust.cli;

import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.FrustrationMap;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Progress;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust frustration MODEL}: the frustration index of a network or any signed graph. */
@Command(
        name = "frustration",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Frustration epsilon = min_s e(s) of a network's signed graph (paper eq. 1-3) or of any signed graph.",
            "MODEL: zoo:NAME, an .onnx file, an edge list (source target weight) or a Matrix Market .mtx file."
        })
public final class FrustrationCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--restarts", defaultValue = "80", description = "Independent restarts (default ${DEFAULT-VALUE}).")
    int restarts;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description = "Write the best spin vector (format: docs/frustration.md).")
    Path spins;

    @Option(names = "--map", description = "Include the frustrated weight per (source node set, layer) in the output.")
    boolean map;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write the energy trace of every restart as CSV.")
    Path trace;

    @Option(
            names = "--trace-every",
            defaultValue = "0",
            description =
                    "Trace interval in flips (algorithm1) or sweeps; default: n/100 flips or every sweep when --trace is given.")
    long traceEvery;

    @Option(names = "--format", defaultValue = "auto", description = "Input format: auto, onnx, edges, mtx.")
    String format;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE", description = "Also write the JSON result to FILE (atomically).")
    Path output;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Option(
            names = "--shard",
            paramLabel = "K/N|slurm",
            description =
                    "Run only the restarts k with k mod N = K - 1 (same seeds as the whole run); combine the shards' --output files with 'nnfrust merge'. See docs/cluster.md.")
    String shard;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        // validate every option before any work
        SolverKind kind = SolverKind.parse(solverOptions.solver, "--solver");
        int t = solverOptions.threads();
        if (restarts < 1) {
            throw new NnfrustException("--restarts must be at least 1, got " + restarts);
        }
        solverOptions.options(Math.max(0, traceEvery));
        if (traceEvery < 0) {
            throw new NnfrustException("--trace-every must be >= 0, got " + traceEvery);
        }
        long traceStep = traceEvery;
        Shard sh = Shard.parse(shard, System.getenv());
        if (!sh.isAll() && output == null) {
            throw new NnfrustException("--shard " + sh + " needs --output FILE: the shards' JSON files are"
                    + " what 'nnfrust merge' combines");
        }
        OutputSet outs =
                new OutputSet().file("--output", output).file("--spins", spins).file("--trace", trace);
        GraphSource src = GraphSource.load(model, modelOptions.toImportOptions(), format);
        int nodes = src.graph().nodeCount();
        if (kind == SolverKind.EXACT && nodes > ExactEnumeration.MAX_NODES) {
            throw new NnfrustException("--solver exact enumerates 2^n states and accepts at most "
                    + ExactEnumeration.MAX_NODES + " nodes; " + model + " has " + nodes);
        }
        if (trace != null && traceStep == 0) {
            traceStep = kind.label().startsWith("algorithm1") ? Math.max(1, nodes / 100) : 1;
        }
        var config = new FrustrationRestarts.Config(
                kind, solverOptions.options(traceStep), restarts, solverOptions.seed, map);
        var input = new FrustrationRestarts.Input(model, src.graph(), src.network(), src.sha256(), src.kind());
        PrintStream err = System.err;
        int planned = config.restarts();
        if (!quiet) {
            err.printf(
                    Locale.ROOT,
                    "nnfrust frustration: %s (weights %s), %,d nodes, %,d edges; solver %s, %d restart%s on %d thread%s, seed %d%n",
                    model,
                    input.weights(),
                    nodes,
                    src.graph().edgeCount(),
                    kind.label(),
                    planned,
                    planned == 1 ? "" : "s",
                    t,
                    t == 1 ? "" : "s",
                    solverOptions.seed);
        }
        double[] bestSoFar = {Double.MAX_VALUE};
        int mine = sh.ownedOf(planned);
        Progress progress = mine == 0
                ? null
                : new Progress("restarts", mine, 0, Math.max(1, Math.min(t, mine)), quiet ? null : err::println);
        Consumer<FrustrationRunner.Restart> onRestart = r -> {
            String at = progress.tick();
            bestSoFar[0] = Math.min(bestSoFar[0], r.result().epsilon());
            if (!quiet) {
                RestartResult x = r.result();
                err.printf(
                        Locale.ROOT,
                        "[%s] restart %d: eps %.6f, %,d flips, %,d steps, %.1f s%s; best %.6f%n",
                        at,
                        r.index(),
                        x.epsilon(),
                        x.flips(),
                        x.steps(),
                        x.seconds(),
                        x.localMinimum() ? "" : ", NOT a local minimum",
                        bestSoFar[0]);
            }
        };
        FrustrationRestarts.Result result =
                FrustrationRestarts.run(input, config, new RunControl<>(t, sh, null, false, 0, onRestart));
        if (result.isEmpty()) {
            // more shards than restarts: this one has nothing to do, and says so in a file merge accepts
            result.stage(outs, output, null);
            outs.commit();
            err.printf(Locale.ROOT, "shard %s: no restart of %d is this shard's; wrote %s%n", sh, planned, output);
            return 0;
        }
        if (trace != null) {
            String csv = result.traceCsv();
            outs.stage(trace, os -> os.write(csv.getBytes(StandardCharsets.UTF_8)));
        }
        String text = result.stage(outs, output, spins);
        outs.commit();
        if (json) {
            System.out.print(text);
        } else {
            System.out.printf(Locale.ROOT, "weights          %s%n", input.weights());
            printSummary(System.out, result.runs(), result.frustrationMap());
        }
        return 0;
    }

    private static void printSummary(PrintStream out, FrustrationRunner.Result r, List<FrustrationMap.Entry> entries) {
        RestartResult b = r.best().result();
        out.printf(Locale.ROOT, "solver           %s%n", r.solver());
        out.printf(
                Locale.ROOT,
                "restarts         %d%s%n",
                r.restarts().size(),
                r.balanced() ? "  (structurally balanced: epsilon = 0 exactly, gauge found by search)" : "");
        out.printf(
                Locale.ROOT,
                "epsilon best     %.6f  (restart %d, %s)%n",
                b.epsilon(),
                r.best().index(),
                b.localMinimum() ? "local minimum" : b.negativeRowSums() + " negative row sums");
        out.printf(Locale.ROOT, "epsilon mean     %.6f  sd %.6f%n", r.mean(), r.sd());
        out.printf(Locale.ROOT, "tracked - exact  %.3g%n", b.trackedEpsilon() - b.epsilon());
        out.printf(
                Locale.ROOT,
                "seconds          %.1f  (%.1f per restart)%n",
                r.seconds(),
                r.restarts().stream()
                        .mapToDouble(x -> x.result().seconds())
                        .average()
                        .orElse(0));
        if (entries != null) {
            out.printf(Locale.ROOT, "%n%-40s %-24s %14s %10s%n", "layer", "from", "|A|", "frustrated");
            for (FrustrationMap.Entry e : entries) {
                out.printf(
                        Locale.ROOT, "%-40s %-24s %14.6g %9.4f%n", e.block(), e.fromSet(), e.absWeight(), e.fraction());
            }
        }
    }
}
