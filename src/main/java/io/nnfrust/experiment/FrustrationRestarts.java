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

    // The keys of the JSON (Result.toJson, the --output of nnfrust frustration): the output schema, which
    // RestartsMerge and the report read. The keys of the provenance and model identity: Provenance, ModelIdentity.
    /** The model or graph file as the user named it. */
    public static final String MODEL = "model";

    public static final String WEIGHTS = "weights";
    public static final String SOLVER = "solver";
    public static final String SHARD = "shard";
    /** ε of the best restart. */
    public static final String EPSILON_BEST = "epsilonBest";

    public static final String EPSILON_MEAN = "epsilonMean";
    public static final String EPSILON_SD = "epsilonSd";
    public static final String BEST_RESTART = "bestRestart";
    public static final String LOCAL_MINIMUM = "localMinimum";
    public static final String STRUCTURALLY_BALANCED = "structurallyBalanced";
    public static final String SECONDS = "seconds";
    public static final String EPSILONS = "epsilons";
    /** The restarts (array); in the provenance, the restarts planned. */
    public static final String RESTARTS = "restarts";

    public static final String GRAPH = "graph";
    public static final String FRUSTRATION_MAP = "frustrationMap";
    public static final String SPINS_FILE = "spinsFile";
    // one restart (the array RESTARTS)
    public static final String RESTART = "restart";
    public static final String SEED = "seed";
    public static final String EPSILON = "epsilon";
    public static final String TRACKED_EPSILON = "trackedEpsilon";
    public static final String FLIPS = "flips";
    public static final String STEPS = "steps";
    public static final String NEGATIVE_ROW_SUMS = "negativeRowSums";
    // the graph object (GRAPH); a graph file's identity object has ModelIdentity.SOURCE, SHA256 and KIND
    public static final String KIND = "kind";
    public static final String NODES = "nodes";
    public static final String EDGES = "edges";
    public static final String ABS_WEIGHT_SUM = "absWeightSum";
    // one row of the frustration map (FRUSTRATION_MAP); KIND as well
    public static final String LAYER = "layer";
    public static final String FROM = "from";
    public static final String TO = "to";
    public static final String ABS_WEIGHT = "absWeight";
    public static final String FRUSTRATED_WEIGHT = "frustratedWeight";
    public static final String FRACTION = "fraction";
    // the run's settings in the provenance object (SOLVER, SEED and RESTARTS as well); MERGED_FROM after a merge
    public static final String THREADS = "threads";
    public static final String INITIAL_FLIPS = "initialFlips";
    public static final String MAX_ITERATIONS = "maxIterations";
    public static final String SWEEPS = "sweeps";
    public static final String T_START = "tStart";
    public static final String T_END = "tEnd";
    public static final String MERGED_FROM = "mergedFrom";

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
            g.put(ModelIdentity.SOURCE, spec).put(ModelIdentity.SHA256, sha256).put(KIND, "graph-file");
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
            o.put(MODEL, input.spec());
            if (runs == null) {
                o.put(SOLVER, config.solver().label());
                o.put(SHARD, shard.toString());
                o.putArray(EPSILONS);
                o.putArray(RESTARTS);
                provenance(m, o, config.solver().label());
                return o;
            }
            RestartResult best = runs.best().result();
            o.put(WEIGHTS, input.weights());
            o.put(SOLVER, runs.solver());
            o.put(EPSILON_BEST, best.epsilon());
            o.put(EPSILON_MEAN, runs.mean());
            o.put(EPSILON_SD, runs.sd());
            o.put(BEST_RESTART, runs.best().index());
            o.put(LOCAL_MINIMUM, best.localMinimum());
            o.put(STRUCTURALLY_BALANCED, runs.balanced());
            o.put(SECONDS, runs.seconds());
            ArrayNode eps = o.putArray(EPSILONS);
            for (double e : runs.epsilons()) {
                eps.add(e);
            }
            ArrayNode rs = o.putArray(RESTARTS);
            for (FrustrationRunner.Restart r : runs.restarts()) {
                RestartResult x = r.result();
                ObjectNode j = rs.addObject();
                j.put(RESTART, r.index());
                j.put(SEED, r.seed());
                j.put(EPSILON, x.epsilon());
                j.put(TRACKED_EPSILON, x.trackedEpsilon());
                j.put(FLIPS, x.flips());
                j.put(STEPS, x.steps());
                j.put(SECONDS, x.seconds());
                j.put(LOCAL_MINIMUM, x.localMinimum());
                j.put(NEGATIVE_ROW_SUMS, x.negativeRowSums());
            }
            ObjectNode g = o.putObject(GRAPH);
            g.put(KIND, input.kind());
            g.put(NODES, nodes);
            g.put(EDGES, input.graph().edgeCount());
            g.put(ABS_WEIGHT_SUM, absWeightSum);
            if (frustrationMap != null) {
                ArrayNode mp = o.putArray(FRUSTRATION_MAP);
                for (FrustrationMap.Entry e : frustrationMap) {
                    ObjectNode j = mp.addObject();
                    j.put(LAYER, e.block());
                    j.put(KIND, e.kind());
                    j.put(FROM, e.fromSet());
                    j.put(TO, e.toSet());
                    j.put(ABS_WEIGHT, e.absWeight());
                    j.put(FRUSTRATED_WEIGHT, e.frustratedWeight());
                    j.put(FRACTION, e.fraction());
                }
            }
            if (spinsFile != null) {
                o.put(SPINS_FILE, spinsFile.toString());
            }
            provenance(m, o, runs.solver());
            if (!shard.isAll()) {
                o.put(SHARD, shard.toString());
            }
            return o;
        }

        /** The provenance with the model's identity and the run's settings: seed, restarts, threads, options. */
        private void provenance(ObjectMapper m, ObjectNode o, String solver) {
            ObjectNode p = Provenance.current().toJson(m);
            p.set(ModelIdentity.MODEL, input.identity(m));
            o.set(Provenance.PROVENANCE, p);
            SolverOptions opts = config.options();
            p.put(SOLVER, solver);
            p.put(SEED, config.seed());
            p.put(RESTARTS, config.restarts());
            p.put(THREADS, threads);
            p.put(INITIAL_FLIPS, opts.initialFlips());
            p.put(MAX_ITERATIONS, opts.maxIterations());
            if (solver.equals("anneal")) {
                p.put(SWEEPS, opts.sweeps());
                p.put(T_START, opts.startTemperature());
                p.put(T_END, opts.endTemperature());
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
