package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.nullmodel.NullModel;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The certified interval of one network as a study ({@code nnfrust bound}): the real network or one null network
 * of it (the same draw as null network {@code seed} of the frustration experiment), its upper end from given spins,
 * solver restarts or the SDP's roundings, its lower end from the SDP dual ({@link FrustrationInterval}); the result
 * carries its configuration and provenance and owns its JSON. {@link #certify} compares the results of several
 * such runs on one model: which of the paper's orderings (R &lt; N1 &lt; N2, R &lt; N3) the intervals prove
 * ({@link CertifiedOrdering}).
 */
public final class BoundStudy {
    private BoundStudy() {}

    /** Result keys (the certificate's own format is {@link io.nnfrust.bounds.Certificate}'s). */
    public static final String MODEL = "model";

    public static final String NULL = "null";
    public static final String NULL_SEED = "nullSeed";
    public static final String N3_INIT = "n3Init";
    public static final String EPSILON_LOWER = "epsilonLower";
    public static final String EPSILON_UPPER = "epsilonUpper";
    public static final String EPSILON_SDP = "epsilonSdp";
    public static final String CONFIDENCE = "confidence";
    public static final String SECONDS = "seconds";
    public static final String CONFIG = "config";
    public static final String THREADS = "threads";

    /** A null network of the model: the paper's null model {@code kind}, drawn with {@code seed}. */
    public record NullNetwork(NullKind kind, long seed, WeightInit n3Init) {
        public NullNetwork {
            if (kind == null || n3Init == null) {
                throw new NnfrustException("a null network needs its kind and its N3 initialisation");
            }
        }

        /** Puts its kind, seed and N3 initialisation into {@code o} (the certificate's meta, a spin file's header). */
        ObjectNode putInto(ObjectNode o) {
            return o.put(NULL, kind.name()).put(NULL_SEED, seed).put(N3_INIT, n3Init.label());
        }
    }

    /** Where the upper end ε_ub comes from (beside the SDP's roundings, which always count). */
    public sealed interface Upper {
        /** The frustration of the spins in {@code file} (of the real network; nnfrust's spin file format). */
        record FromSpins(Path file) implements Upper {}

        /** The best of {@code restarts} runs of {@code solver} with seeds from {@code seed}. */
        record FromRestarts(SolverKind solver, SolverOptions options, int restarts, long seed) implements Upper {
            public FromRestarts {
                if (restarts < 1) {
                    throw new NnfrustException("restarts must be >= 1 for an upper end from a solver, got " + restarts);
                }
            }
        }

        /** The SDP's roundings only. */
        record RoundingsOnly() implements Upper {}
    }

    /**
     * The study's configuration.
     *
     * @param nullNetwork the null network to bound instead of the real one, or null
     */
    public record Config(NullNetwork nullNetwork, Upper upper, FrustrationInterval.Config interval) {
        public Config {
            if (upper == null || interval == null) {
                throw new NnfrustException("a bound needs its upper end and its interval configuration");
            }
            if (upper instanceof Upper.RoundingsOnly && interval.roundings() == 0) {
                throw new NnfrustException("no upper bound: give spins, restarts >= 1 or roundings >= 1");
            }
            if (nullNetwork != null && upper instanceof Upper.FromSpins) {
                throw new NnfrustException(
                        "spins belong to the model, not to its null network; leave out the spins or the null network");
            }
        }

        /** The group of the paper this network belongs to: R, N1, N2 or N3. */
        public String group() {
            return nullNetwork == null ? "R" : nullNetwork.kind().name();
        }
    }

    /**
     * What is bounded: the graph of a network or of a graph file, its identity (written as the provenance's model)
     * and the source as the user named it; the network's input and output nodes (none for a graph file) go into
     * the spin file of the upper end.
     */
    public record Subject(
            SignedGraph graph, ObjectNode identity, String sha256, String source, int[] inputNodes, int[] outputNodes) {
        /** The subject of a graph file (no input or output nodes). */
        public Subject(SignedGraph graph, ObjectNode identity, String sha256, String source) {
            this(graph, identity, sha256, source, new int[0], new int[0]);
        }

        /** The subject of an imported network. */
        public static Subject of(Network net, String source) {
            return new Subject(
                    net.graph(),
                    ModelIdentity.toJson(new ObjectMapper(), net),
                    net.sha256(),
                    source,
                    net.inputNodes(),
                    net.outputNodes());
        }
    }

    /** Threads (results do not depend on them), the SDP state file for resumption (or null), N2's storage. */
    public record RunControl(int threads, Path state, N2Storage n2Storage, Consumer<String> log) {
        public RunControl {
            if (threads < 1) {
                throw new NnfrustException("threads must be at least 1, got " + threads);
            }
            n2Storage = n2Storage == null ? N2Storage.DEFAULT : n2Storage;
            log = log == null ? s -> {} : log;
        }
    }

    /** The interval of the subject's network and what produced it. */
    public record Result(
            Config config,
            Subject subject,
            int nodes,
            long edges,
            FrustrationInterval.Result interval,
            double seconds,
            int threads,
            Provenance provenance) {
        /** The JSON document ({@code bound --output}). */
        public ObjectNode toJson(ObjectMapper m) {
            ObjectNode out = m.createObjectNode();
            out.put(MODEL, subject.source());
            if (config.nullNetwork() != null) {
                out.put(NULL, config.nullNetwork().kind().name())
                        .put(NULL_SEED, config.nullNetwork().seed());
                if (config.nullNetwork().kind() == NullKind.N3) {
                    out.put(N3_INIT, config.nullNetwork().n3Init().label());
                }
            }
            out.setAll(interval.toJson(m));
            out.put(SECONDS, seconds);
            ObjectNode p = provenance.toJson(m);
            p.set(ModelIdentity.MODEL, subject.identity().deepCopy());
            p.set(CONFIG, config.interval().toJson(m));
            p.put(THREADS, threads);
            out.set(Provenance.PROVENANCE, p);
            return out;
        }

        /**
         * The spins whose frustration is ε_ub, as a spin file (header: the model's identity and, for a null network,
         * its kind and seed — such files are refused where spins of the model are expected); null when ε_ub came
         * without its spins.
         */
        public SpinFile upperSpinFile() {
            double[] s = interval.upperSpins();
            if (s == null) {
                return null;
            }
            ObjectNode nn = config.nullNetwork() == null
                    ? null
                    : config.nullNetwork().putInto(new ObjectMapper().createObjectNode());
            return SpinFile.of(s, subject.inputNodes(), subject.outputNodes(), interval.epsilonUpper())
                    .withHeader(SpinFile.header(subject.identity().deepCopy(), nn));
        }

        /** The JSON document as its file holds it (indented, no final newline). */
        public String jsonText() {
            try {
                return new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(toJson(new ObjectMapper()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The text summary {@code nnfrust bound} prints. */
        public List<String> summaryLines() {
            FrustrationInterval.Result r = interval;
            return List.of(
                    String.format(
                            Locale.ROOT,
                            "eps in [%.6f, %.6f]  gap %.6f (%.2f %% of eps_ub)  confidence %s",
                            r.epsilonLower(),
                            r.epsilonUpper(),
                            r.gap(),
                            100 * r.relativeGap(),
                            r.confidence()),
                    String.format(
                            Locale.ROOT,
                            "lower: SDP dual, eps_SDP %.6f (rank %d, %d sweeps%s), Lanczos %d steps, "
                                    + "lambda >= %.6g (theta %.6g, eta %.3g)",
                            r.epsilonSdp(),
                            config.interval().sdp().rank(),
                            r.sdp().sweeps(),
                            r.sdp().converged() ? ", converged" : "",
                            r.lanczos().steps(),
                            r.lanczos().lowerBound(),
                            r.lanczos().theta(),
                            r.lanczos().eta()),
                    String.format(
                            Locale.ROOT,
                            "upper: %s; best SDP rounding + descent %.6f%s",
                            r.upperSource(),
                            r.roundingBest(),
                            Double.isNaN(r.polishBest())
                                    ? ""
                                    : String.format(Locale.ROOT, ", polished %.6f", r.polishBest())),
                    String.format(
                            Locale.ROOT,
                            "time %.1f s (SDP %.1f, Lanczos %.1f, roundings %.1f%s)",
                            seconds,
                            r.sdpSeconds(),
                            r.lanczosSeconds(),
                            r.roundingSeconds(),
                            Double.isNaN(r.polishBest())
                                    ? ""
                                    : String.format(Locale.ROOT, ", polish %.1f", r.polishSeconds())));
        }
    }

    /**
     * Bounds the subject's network (or its null network): the upper end first (spins or restarts), then
     * {@link FrustrationInterval#run}. Deterministic for the configuration's seeds, whatever {@code rc.threads()}.
     */
    public static Result run(Subject subject, Config c, RunControl rc) {
        SignedGraph graph = subject.graph();
        NullModel model = null;
        if (c.nullNetwork() != null) {
            model = FrustrationExperiment.nullModel(
                    c.nullNetwork().kind(), c.nullNetwork().n3Init(), rc.n2Storage());
            graph = model.apply(subject.graph(), c.nullNetwork().seed());
        }
        try {
            SpinGlass glass = new SpinGlass(graph);
            double upper = Double.NaN;
            double[] upperSpins = null;
            String upperSource = null;
            switch (c.upper()) {
                case Upper.FromSpins s -> {
                    upperSpins = spinsOf(glass, s.file(), subject.sha256());
                    upper = glass.epsilon(upperSpins, true);
                    upperSource = "spins " + s.file();
                }
                case Upper.FromRestarts r -> {
                    var solver = r.solver().create();
                    rc.log().accept("upper end: " + r.restarts() + " restart(s) of " + solver.name() + "...");
                    var best = FrustrationRunner.run(
                            glass,
                            solver,
                            r.options(),
                            r.restarts(),
                            r.seed(),
                            rc.threads(),
                            x -> rc.log()
                                    .accept(String.format(
                                            Locale.ROOT,
                                            "restart %d: eps %.6f (%.1f s)",
                                            x.index(),
                                            x.result().epsilon(),
                                            x.result().seconds())));
                    upper = best.best().result().epsilon();
                    upperSpins = best.best().result().spins();
                    upperSource = "best of " + r.restarts() + " " + solver.name() + " restarts";
                }
                case Upper.RoundingsOnly o -> {}
            }
            ObjectMapper m = new ObjectMapper();
            ObjectNode meta = m.createObjectNode();
            meta.set(ModelIdentity.MODEL, subject.identity().deepCopy());
            meta.put("nodes", glass.nodeCount()).put("edges", graph.edgeCount());
            if (c.nullNetwork() != null) {
                c.nullNetwork().putInto(meta);
            }
            String stateHeader = m.createObjectNode()
                    .put("sha256", subject.sha256())
                    .put("nodes", glass.nodeCount())
                    .put(
                            NULL,
                            c.nullNetwork() == null
                                    ? ""
                                    : c.nullNetwork().kind().name() + "/"
                                            + c.nullNetwork().seed() + "/"
                                            + c.nullNetwork().n3Init().label())
                    .set(CONFIG, c.interval().toJson(m))
                    .toString();
            long t0 = System.nanoTime();
            var r = FrustrationInterval.run(
                    glass,
                    c.interval(),
                    upper,
                    upperSpins,
                    upperSource,
                    rc.threads() > 1,
                    rc.state(),
                    stateHeader,
                    meta,
                    rc.log());
            return new Result(
                    c,
                    subject,
                    glass.nodeCount(),
                    graph.edgeCount(),
                    r,
                    (System.nanoTime() - t0) / 1e9,
                    rc.threads(),
                    Provenance.current());
        } finally {
            if (model != null) {
                model.release(graph);
            }
        }
    }

    private static double[] spinsOf(SpinGlass glass, Path file, String sha256) {
        SpinFile f = SpinFile.read(file);
        if (f.spins().length != glass.nodeCount()) {
            throw new NnfrustException("spins " + file + " holds " + f.spins().length + " spins, the graph has "
                    + glass.nodeCount() + " nodes; compute them with 'nnfrust frustration MODEL --spins FILE' and "
                    + "the same import options");
        }
        String sh = f.headerJson()
                .path(ModelIdentity.MODEL)
                .path(ModelIdentity.SHA256)
                .asText("");
        if (!sh.isEmpty() && !sh.equals(sha256)) {
            throw new NnfrustException(
                    "spins " + file + " belongs to another model (sha256 " + sh + ", this one " + sha256 + ")");
        }
        f.requireOfTheModel(file);
        double[] s = new double[f.spins().length];
        for (int i = 0; i < s.length; i++) {
            s[i] = f.spins()[i];
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------ certify

    /**
     * The interval a bound's JSON document holds, as one network of its group (R for the real network, else the
     * null model's kind); {@code where} names the document in errors.
     */
    public static CertifiedOrdering.NetworkInterval intervalOf(JsonNode j, String where) {
        for (String k : new String[] {EPSILON_LOWER, EPSILON_UPPER, EPSILON_SDP, CONFIDENCE}) {
            if (!j.path(k).isNumber()) {
                throw new NnfrustException(where + " is not a result of 'nnfrust bound' (no number " + k
                        + "); give the --output files" + " of 'nnfrust bound'");
            }
        }
        String group = j.hasNonNull(NULL) ? j.path(NULL).asText() : "R";
        if (!List.of("R", "N1", "N2", "N3").contains(group)) {
            throw new NnfrustException(where + ": unknown null model '" + group + "' (N1, N2 or N3)");
        }
        return new CertifiedOrdering.NetworkInterval(
                group,
                group.equals("R") ? -1 : 0,
                j.path(NULL_SEED).asLong(0),
                j.path(EPSILON_LOWER).asDouble(),
                j.path(EPSILON_UPPER).asDouble(),
                j.path(EPSILON_SDP).asDouble(),
                j.path(CONFIDENCE).asDouble(),
                j.path(SECONDS).asDouble());
    }

    /**
     * The orderings that the bounds of several networks of one model prove ({@link CertifiedOrdering#orderings}).
     * Every document must bound the same model, imported alike (SHA-256, input shape and import options of its
     * provenance), since ε of different imports are not comparable; the same network twice is refused.
     */
    public static CertifiedOrdering.Result certify(List<JsonNode> docs, List<String> names) {
        if (docs.isEmpty() || docs.size() != names.size()) {
            throw new NnfrustException("certify: give the JSON results of 'nnfrust bound' (at least one)");
        }
        List<CertifiedOrdering.NetworkInterval> out = new ArrayList<>();
        JsonNode first = null;
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            JsonNode j = docs.get(i);
            CertifiedOrdering.NetworkInterval n = intervalOf(j, names.get(i));
            JsonNode id = comparableIdentity(j.path(Provenance.PROVENANCE).path(ModelIdentity.MODEL));
            if (first == null) {
                first = id;
            } else if (!first.equals(id)) {
                throw new NnfrustException("certify: " + names.get(i) + " bounds another model or import than "
                        + names.get(0) + " (SHA-256 " + abbreviated(id) + " vs " + abbreviated(first)
                        + ", input shapes and import options compared too); compare the networks of one model only");
            }
            String key = n.group() + "/" + n.nullSeed() + "/" + j.path(N3_INIT).asText("");
            if (seen.contains(key)) {
                throw new NnfrustException("certify: " + names.get(i) + " bounds the same network as "
                        + names.get(seen.indexOf(key)) + " (" + (n.group().equals("R") ? "R" : key)
                        + "); give each network once");
            }
            seen.add(key);
            out.add(n);
        }
        return new CertifiedOrdering.Result(out, CertifiedOrdering.orderings(out));
    }

    private static String abbreviated(JsonNode id) {
        String sha = id.path(ModelIdentity.SHA256).asText("?");
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** The parts of a model identity that decide the graph: SHA-256, input shape, import options, weights. */
    private static JsonNode comparableIdentity(JsonNode model) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        for (String k : new String[] {
            ModelIdentity.SHA256, ModelIdentity.INPUT_SHAPE, ModelIdentity.IMPORT_OPTIONS, ModelIdentity.WEIGHTS
        }) {
            if (model.has(k)) {
                o.set(k, model.get(k));
            }
        }
        return o;
    }
}
