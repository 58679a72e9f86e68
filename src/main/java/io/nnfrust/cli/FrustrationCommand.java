package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.FrustrationMap;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Progress;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
        FrustrationSolver s = solverOptions.solver();
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
        if (s.name().equals("exact") && src.graph().nodeCount() > ExactEnumeration.MAX_NODES) {
            throw new NnfrustException("--solver exact enumerates 2^n states and accepts at most "
                    + ExactEnumeration.MAX_NODES + " nodes; " + model + " has "
                    + src.graph().nodeCount());
        }
        SpinGlass glass = new SpinGlass(src.graph());
        if (trace != null && traceStep == 0) {
            traceStep = s.name().startsWith("algorithm1") ? Math.max(1, glass.nodeCount() / 100) : 1;
        }
        SolverOptions opts = solverOptions.options(traceStep);
        if (s.name().equals("exact")) {
            restarts = 1;
        }
        PrintStream err = System.err;
        if (!quiet) {
            err.printf(
                    Locale.ROOT,
                    "nnfrust frustration: %s (weights %s), %,d nodes, %,d edges; solver %s, %d restart%s on %d thread%s, seed %d%n",
                    model,
                    ExperimentCommand.weights(src),
                    glass.nodeCount(),
                    src.graph().edgeCount(),
                    s.name(),
                    restarts,
                    restarts == 1 ? "" : "s",
                    t,
                    t == 1 ? "" : "s",
                    solverOptions.seed);
        }
        double[] bestSoFar = {Double.MAX_VALUE};
        int mine = sh.ownedOf(restarts);
        if (mine == 0) {
            // more shards than restarts: this one has nothing to do, and says so in a file merge accepts
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = m.createObjectNode();
            o.put("model", model);
            o.put("solver", s.name());
            o.put("shard", sh.toString());
            o.putArray("epsilons");
            o.putArray("restarts");
            ObjectNode p = Outputs.provenance(m, o, src, model);
            putRunSettings(p, restarts, t, opts, s.name());
            String text = m.writeValueAsString(o);
            outs.stage(output, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
            outs.commit();
            err.printf(Locale.ROOT, "shard %s: no restart of %d is this shard's; wrote %s%n", sh, restarts, output);
            return 0;
        }
        Progress progress =
                new Progress("restarts", mine, 0, Math.max(1, Math.min(t, mine)), quiet ? null : err::println);
        FrustrationRunner.Result result = FrustrationRunner.run(
                glass,
                s,
                opts,
                restarts,
                solverOptions.seed,
                t,
                r -> {
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
                },
                sh::owns);
        RestartResult best = result.best().result();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        if (spins != null) {
            int[] in = src.network() == null ? new int[0] : src.network().inputNodes();
            int[] out = src.network() == null ? new int[0] : src.network().outputNodes();
            SpinFile f = SpinFile.of(best.spins(), in, out, best.epsilon())
                    .withHeader(SpinFile.header(Outputs.model(new ObjectMapper(), src, model)));
            outs.stage(spins, f::writeTo);
        }
        List<FrustrationMap.Entry> entries = map ? FrustrationMap.compute(src.graph(), best.spins()) : null;
        if (trace != null) {
            outs.stage(trace, os -> os.write(traceCsv(result).getBytes(StandardCharsets.UTF_8)));
        }
        ObjectNode o = toJson(m, src, glass, result, opts, t, entries);
        if (!sh.isAll()) {
            o.put("shard", sh.toString());
        }
        String text = m.writeValueAsString(o);
        if (output != null) {
            outs.stage(output, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        outs.commit();
        if (json) {
            System.out.println(text);
        } else {
            System.out.printf(Locale.ROOT, "weights          %s%n", ExperimentCommand.weights(src));
            printSummary(System.out, result, entries);
        }
        return 0;
    }

    private static String traceCsv(FrustrationRunner.Result result) {
        StringBuilder b = new StringBuilder("restart,step,epsilon\n");
        for (FrustrationRunner.Restart r : result.restarts()) {
            double[] tr = r.result().trace();
            for (int k = 0; k + 1 < tr.length; k += 2) {
                b.append(r.index())
                        .append(',')
                        .append((long) tr[k])
                        .append(',')
                        .append(String.format(Locale.ROOT, "%.10f", tr[k + 1]))
                        .append('\n');
            }
        }
        return b.toString();
    }

    private ObjectNode toJson(
            ObjectMapper m,
            GraphSource src,
            SpinGlass glass,
            FrustrationRunner.Result result,
            SolverOptions opts,
            int threadCount,
            List<FrustrationMap.Entry> entries) {
        RestartResult best = result.best().result();
        ObjectNode o = m.createObjectNode();
        o.put("model", model);
        o.put("weights", ExperimentCommand.weights(src));
        o.put("solver", result.solver());
        o.put("epsilonBest", best.epsilon());
        o.put("epsilonMean", result.mean());
        o.put("epsilonSd", result.sd());
        o.put("bestRestart", result.best().index());
        o.put("localMinimum", best.localMinimum());
        o.put("structurallyBalanced", result.balanced());
        o.put("seconds", result.seconds());
        ArrayNode eps = o.putArray("epsilons");
        for (double e : result.epsilons()) {
            eps.add(e);
        }
        ArrayNode rs = o.putArray("restarts");
        for (FrustrationRunner.Restart r : result.restarts()) {
            RestartResult x = r.result();
            ObjectNode j = rs.addObject();
            j.put("restart", r.index());
            j.put("seed", r.seed());
            j.put("epsilon", x.epsilon());
            j.put("trackedEpsilon", x.trackedEpsilon());
            j.put("flips", x.flips());
            j.put("steps", x.steps());
            j.put("seconds", x.seconds());
            j.put("localMinimum", x.localMinimum());
            j.put("negativeRowSums", x.negativeRowSums());
        }
        ObjectNode g = o.putObject("graph");
        g.put("kind", src.kind());
        g.put("nodes", glass.nodeCount());
        g.put("edges", src.graph().edgeCount());
        g.put("absWeightSum", glass.absWeightSum());
        if (entries != null) {
            ArrayNode mp = o.putArray("frustrationMap");
            for (FrustrationMap.Entry e : entries) {
                ObjectNode j = mp.addObject();
                j.put("layer", e.block());
                j.put("kind", e.kind());
                j.put("from", e.fromSet());
                j.put("to", e.toSet());
                j.put("absWeight", e.absWeight());
                j.put("frustratedWeight", e.frustratedWeight());
                j.put("fraction", e.fraction());
            }
        }
        if (spins != null) {
            o.put("spinsFile", spins.toString());
        }
        ObjectNode p = Outputs.provenance(m, o, src, model);
        putRunSettings(p, restarts, threadCount, opts, result.solver());
        return o;
    }

    /** The run's settings in the provenance: seed, restarts planned, threads, solver options. */
    private void putRunSettings(ObjectNode p, int plannedRestarts, int threadCount, SolverOptions opts, String solver) {
        p.put("solver", solver);
        p.put("seed", solverOptions.seed);
        p.put("restarts", plannedRestarts);
        p.put("threads", threadCount);
        p.put("initialFlips", opts.initialFlips());
        p.put("maxIterations", opts.maxIterations());
        if (solver.equals("anneal")) {
            p.put("sweeps", opts.sweeps());
            p.put("tStart", opts.startTemperature());
            p.put("tEnd", opts.endTemperature());
        }
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
