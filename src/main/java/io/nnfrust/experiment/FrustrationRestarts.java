package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.ExactEnumeration;
import io.nnfrust.frustration.FrustrationMap;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The frustration index ε = min_s e(s) of one signed graph (paper eq. 1-3) by independent restarts of a solver:
 * Algorithm 1 of the paper (SI section B) or another {@link SolverKind}. Restart k has the k-th seed of the whole
 * run ({@link FrustrationRunner}), so a shard of the restarts ({@link RunControl#shard()}) computes exactly the
 * restarts the unsharded run computes, and {@link RestartsMerge} joins the shards' JSON into the unsharded result.
 * The result owns its JSON (the {@code --output} of {@code nnfrust frustration}) and the best restart's spin file;
 * {@code nnfrust frustration} and the restart parts of {@code nnfrust reproduce} both run this.
 */
public final class FrustrationRestarts {
    private FrustrationRestarts() {}

    /**
     * What the restarts run on: an imported network, or a signed graph read from a file (edge list, .mtx).
     *
     * @param spec    the model or file as the user named it (written as {@code model} in the result)
     * @param graph   the signed graph
     * @param network the network the graph was imported from, or null for a graph file
     * @param sha256  the SHA-256 of the network (ONNX bytes) or of the graph file
     * @param kind    "network" or "graph-file"
     */
    public record Input(String spec, SignedGraph graph, Network network, String sha256, String kind) {
        public Input {
            if (spec == null || spec.isBlank()) {
                throw new NnfrustException("spec must name the model or graph file");
            }
            if (graph == null || sha256 == null) {
                throw new NnfrustException("graph and sha256 of " + spec + " must not be null");
            }
            if (!kind.equals(network == null ? "graph-file" : "network")) {
                throw new NnfrustException("kind of " + spec + " must be "
                        + (network == null ? "graph-file" : "network") + ", got " + kind);
            }
        }

        /** An imported network, named {@code spec}. */
        public static Input of(String spec, Network network) {
            return new Input(spec, network.graph(), network, network.sha256(), "network");
        }

        /** Imports {@code model} ({@code zoo:NAME} or an .onnx file). */
        public static Input load(String model, ImportOptions options) {
            return of(model, ModelLoader.load(model, options));
        }

        /** Where the weights come from ({@link ModelIdentity#weights}), or "as given in the graph file". */
        public String weights() {
            return network == null ? "as given in the graph file" : ModelIdentity.weights(network);
        }

        /** The identity object: {@link ModelIdentity} of a network; source, SHA-256 and kind of a graph file. */
        public ObjectNode identity(ObjectMapper m) {
            if (network != null) {
                return ModelIdentity.toJson(m, network);
            }
            ObjectNode g = m.createObjectNode();
            g.put("source", spec).put("sha256", sha256).put("kind", "graph-file");
            return g;
        }
    }

    /**
     * Everything that determines the result.
     *
     * @param solver   the solver of every restart
     * @param options  its options (initial flips ν, most iterations M, annealing schedule, trace interval)
     * @param restarts R independent restarts of the whole run (ε is the best); the exact solver runs one
     * @param seed     the seed of the whole run: restart k uses its k-th derived seed
     * @param map      whether the result carries the frustration map of the best spins ({@link FrustrationMap})
     */
    public record Config(SolverKind solver, SolverOptions options, int restarts, long seed, boolean map) {
        public Config {
            if (solver == null || options == null) {
                throw new NnfrustException("solver and options must not be null");
            }
            if (restarts < 1) {
                throw new NnfrustException("restarts must be at least 1, got " + restarts);
            }
            if (solver == SolverKind.EXACT) {
                restarts = 1; // enumeration has no randomness: one restart is the answer
            }
        }
    }

    /**
     * Runs the restarts of {@code control.shard()} of the whole run on {@code control.threads()} threads; each
     * finished restart goes to {@code control.progress()}. A shard that owns none of the restarts gives an empty
     * result (its JSON says so, and {@link RestartsMerge} accepts it). Restarts keep no checkpoint: a killed run
     * starts again.
     */
    public static Result run(Input input, Config config, RunControl<? super FrustrationRunner.Restart> control) {
        if (control.checkpoint() != null || control.stopAfter() != 0) {
            throw new NnfrustException("restarts keep no checkpoint and run to the end: the run control's "
                    + "checkpoint must be null and stopAfter 0");
        }
        int n = input.graph().nodeCount();
        if (config.solver() == SolverKind.EXACT && n > ExactEnumeration.MAX_NODES) {
            throw new NnfrustException("solver exact enumerates 2^n states and accepts at most "
                    + ExactEnumeration.MAX_NODES + " nodes; " + input.spec() + " has " + n);
        }
        SpinGlass glass = new SpinGlass(input.graph());
        Shard shard = control.shard();
        FrustrationRunner.Result runs = null;
        List<FrustrationMap.Entry> entries = null;
        if (shard.ownedOf(config.restarts()) > 0) {
            var progress = control.progressOrNone();
            runs = FrustrationRunner.run(
                    glass,
                    config.solver().create(),
                    config.options(),
                    config.restarts(),
                    config.seed(),
                    control.threads(),
                    progress::accept,
                    shard::owns);
            if (config.map()) {
                entries = FrustrationMap.compute(
                        input.graph(), runs.best().result().spins());
            }
        }
        return new Result(
                input, config, control.threads(), shard, glass.nodeCount(), glass.absWeightSum(), runs, entries);
    }

    /**
     * The restarts of one run or shard.
     *
     * @param input          what they ran on
     * @param config         their configuration
     * @param threads        the threads they ran on (provenance only)
     * @param shard          the shard of the restarts computed
     * @param nodes          nodes of the spin glass
     * @param absWeightSum   Σ|A| of the graph
     * @param runs           the restarts, or null when the shard owns none
     * @param frustrationMap the frustration map of the best spins, or null when not asked for (or no restart)
     */
    public record Result(
            Input input,
            Config config,
            int threads,
            Shard shard,
            int nodes,
            double absWeightSum,
            FrustrationRunner.Result runs,
            List<FrustrationMap.Entry> frustrationMap) {
        public Result {
            frustrationMap = frustrationMap == null ? null : List.copyOf(frustrationMap);
        }

        /** True when this shard owned none of the restarts. */
        public boolean isEmpty() {
            return runs == null;
        }

        /**
         * The JSON object ({@code nnfrust frustration --output}): ε best, mean and sd, every restart, the graph,
         * the frustration map, {@code spinsFile} (when not null), and the provenance of the command now running
         * ({@link Provenance#current()}) with the model's identity and the run's settings; {@code shard} for a
         * shard of the run.
         */
        public ObjectNode toJson(ObjectMapper m, Path spinsFile) {
            ObjectNode o = m.createObjectNode();
            o.put("model", input.spec());
            if (runs == null) {
                o.put("solver", config.solver().label());
                o.put("shard", shard.toString());
                o.putArray("epsilons");
                o.putArray("restarts");
                provenance(m, o, config.solver().label());
                return o;
            }
            RestartResult best = runs.best().result();
            o.put("weights", input.weights());
            o.put("solver", runs.solver());
            o.put("epsilonBest", best.epsilon());
            o.put("epsilonMean", runs.mean());
            o.put("epsilonSd", runs.sd());
            o.put("bestRestart", runs.best().index());
            o.put("localMinimum", best.localMinimum());
            o.put("structurallyBalanced", runs.balanced());
            o.put("seconds", runs.seconds());
            ArrayNode eps = o.putArray("epsilons");
            for (double e : runs.epsilons()) {
                eps.add(e);
            }
            ArrayNode rs = o.putArray("restarts");
            for (FrustrationRunner.Restart r : runs.restarts()) {
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
            g.put("kind", input.kind());
            g.put("nodes", nodes);
            g.put("edges", input.graph().edgeCount());
            g.put("absWeightSum", absWeightSum);
            if (frustrationMap != null) {
                ArrayNode mp = o.putArray("frustrationMap");
                for (FrustrationMap.Entry e : frustrationMap) {
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
            if (spinsFile != null) {
                o.put("spinsFile", spinsFile.toString());
            }
            provenance(m, o, runs.solver());
            if (!shard.isAll()) {
                o.put("shard", shard.toString());
            }
            return o;
        }

        /** The provenance with the model's identity and the run's settings: seed, restarts, threads, options. */
        private void provenance(ObjectMapper m, ObjectNode o, String solver) {
            ObjectNode p = Provenance.current().toJson(m);
            p.set("model", input.identity(m));
            o.set("provenance", p);
            SolverOptions opts = config.options();
            p.put("solver", solver);
            p.put("seed", config.seed());
            p.put("restarts", config.restarts());
            p.put("threads", threads);
            p.put("initialFlips", opts.initialFlips());
            p.put("maxIterations", opts.maxIterations());
            if (solver.equals("anneal")) {
                p.put("sweeps", opts.sweeps());
                p.put("tStart", opts.startTemperature());
                p.put("tEnd", opts.endTemperature());
            }
        }

        /** The JSON file's text ({@link #toJson}, indented) with a final newline. */
        public String toJsonText(Path spinsFile) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            try {
                return m.writeValueAsString(toJson(m, spinsFile)) + "\n";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The best restart's spins with the input and output nodes of the network (none for a graph file) and a
         * header naming the model and this run's provenance.
         */
        public SpinFile bestSpins() {
            if (runs == null) {
                throw new NnfrustException("shard " + shard + " ran no restart: it has no spins");
            }
            RestartResult best = runs.best().result();
            Network net = input.network();
            int[] in = net == null ? new int[0] : net.inputNodes();
            int[] out = net == null ? new int[0] : net.outputNodes();
            return SpinFile.of(best.spins(), in, out, best.epsilon())
                    .withHeader(SpinFile.header(input.identity(new ObjectMapper())));
        }

        /** The energy trace of every restart as CSV ({@code restart,step,epsilon}); a header only without trace. */
        public String traceCsv() {
            StringBuilder b = new StringBuilder("restart,step,epsilon\n");
            if (runs == null) {
                return b.toString();
            }
            for (FrustrationRunner.Restart r : runs.restarts()) {
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

        /**
         * Stages the best spins into {@code spins} (when not null and a restart ran) and then the JSON into
         * {@code output} (when not null; the JSON names the spin file) in {@code outs}, which the caller commits.
         * Returns the JSON text.
         */
        public String stage(OutputSet outs, Path output, Path spins) {
            Path spinsWritten = runs == null ? null : spins;
            if (spinsWritten != null) {
                outs.stage(spinsWritten, bestSpins()::writeTo);
            }
            String text = toJsonText(spinsWritten);
            if (output != null) {
                outs.stage(output, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
            }
            return text;
        }

        /** Writes the spin file (when not null) and then the JSON together: both or neither appear. */
        public void write(Path output, Path spins) {
            OutputSet outs = new OutputSet().file("output", output).file("spins", spins);
            stage(outs, output, spins);
            outs.commit();
        }
    }
}
