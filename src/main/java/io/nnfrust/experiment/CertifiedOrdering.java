package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.nullmodel.NullModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Certified intervals for the networks of a frustration experiment and the orderings of the paper they prove:
 * the real network R and the first {@code perKind} null networks of each kind get [ε_lb, ε_ub]
 * ({@link FrustrationInterval}; ε_ub also takes the experiment's best solve of that network), and "A < B" is
 * <em>certified</em> when the largest upper end among A's bounded networks lies below the smallest lower end
 * among B's: then every bounded network of A is provably less frustrated than every bounded network of B (with
 * the certificates' confidence). This is a statement about the networks bounded, not about the null model's
 * whole distribution; the Welch tests beside it speak about the distribution.
 */
public final class CertifiedOrdering {
    private CertifiedOrdering() {}

    /** One network's interval. */
    public record NetworkInterval(
            String group,
            int replica,
            long nullSeed,
            double lower,
            double upper,
            double epsilonSdp,
            double confidence,
            double seconds) {
        ObjectNode toJson(ObjectMapper m) {
            return m.createObjectNode()
                    .put("group", group)
                    .put("replica", replica)
                    .put("nullSeed", nullSeed)
                    .put("epsilonLower", lower)
                    .put("epsilonUpper", upper)
                    .put("epsilonSdp", epsilonSdp)
                    .put("confidence", confidence)
                    .put("seconds", seconds);
        }

        static NetworkInterval of(JsonNode j) {
            return new NetworkInterval(
                    j.get("group").asText(),
                    j.get("replica").asInt(),
                    j.get("nullSeed").asLong(),
                    j.get("epsilonLower").asDouble(),
                    j.get("epsilonUpper").asDouble(),
                    j.get("epsilonSdp").asDouble(),
                    j.get("confidence").asDouble(),
                    j.get("seconds").asDouble());
        }
    }

    /**
     * One ordering A &lt; B: A's largest upper end, B's smallest lower end, whether the first is below the second;
     * and the same comparison of the SDP values (one convex optimum per network, whatever solver found it).
     */
    public record Ordering(
            String a,
            String b,
            int networksA,
            int networksB,
            double maxUpperA,
            double minLowerB,
            boolean certified,
            double maxSdpA,
            double minSdpB) {
        ObjectNode toJson(ObjectMapper m) {
            return m.createObjectNode()
                    .put("a", a)
                    .put("b", b)
                    .put("networksA", networksA)
                    .put("networksB", networksB)
                    .put("maxUpperA", maxUpperA)
                    .put("minLowerB", minLowerB)
                    .put("certified", certified)
                    .put("maxSdpA", maxSdpA)
                    .put("minSdpB", minSdpB)
                    .put("sdpOrdered", maxSdpA < minSdpB);
        }

        /** The sentence the outputs print. */
        public String line() {
            return String.format(
                    Locale.ROOT,
                    "%s < %s %s: max eps_ub(%s) = %.6f %s min eps_lb(%s) = %.6f "
                            + "(%d and %d networks bounded); SDP values %s (%.6f vs %.6f)",
                    a,
                    b,
                    certified ? "CERTIFIED" : "not certified",
                    a,
                    maxUpperA,
                    certified ? "<" : ">=",
                    b,
                    minLowerB,
                    networksA,
                    networksB,
                    maxSdpA < minSdpB ? "ordered" : "not ordered",
                    maxSdpA,
                    minSdpB);
        }
    }

    /** Intervals and orderings, with their JSON codec. */
    public record Result(List<NetworkInterval> networks, List<Ordering> orderings) {
        /** The JSON object: the bounds' configuration (when not null), the networks and the orderings. */
        public ObjectNode toJson(ObjectMapper m, FrustrationInterval.Config config) {
            ObjectNode o = m.createObjectNode();
            if (config != null) {
                o.set("config", config.toJson(m));
            }
            ArrayNode n = o.putArray("networks");
            networks.forEach(x -> n.add(x.toJson(m)));
            ArrayNode r = o.putArray("orderings");
            orderings.forEach(x -> r.add(x.toJson(m)));
            return o;
        }

        /** Reads the {@code bounds} object of an experiment's JSON. */
        public static Result of(JsonNode j) {
            List<NetworkInterval> n = new ArrayList<>();
            j.path("networks").forEach(x -> n.add(NetworkInterval.of(x)));
            return new Result(n, CertifiedOrdering.orderings(n));
        }
    }

    /**
     * Bounds R (when solved) and the first {@code perKind} null networks of each kind present in
     * {@code outcomes}, rebuilding each null network from its seed as the experiment did.
     */
    public static Result compute(
            SignedGraph real,
            FrustrationExperiment.Config c,
            List<FrustrationExperiment.Outcome> outcomes,
            int perKind,
            FrustrationInterval.Config bc,
            boolean parallel,
            Consumer<String> log) {
        Map<String, List<FrustrationExperiment.Outcome>> byNetwork = new LinkedHashMap<>();
        for (FrustrationExperiment.Outcome o : outcomes) {
            var t = o.task();
            String key = t.group().equals("R") ? "R" : t.group() + "/" + t.replica();
            if (t.group().equals("R") || t.replica() < perKind) {
                byNetwork.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
            }
        }
        List<NetworkInterval> out = new ArrayList<>();
        for (var e : byNetwork.entrySet()) {
            var first = e.getValue().get(0).task();
            double best = e.getValue().stream()
                    .mapToDouble(FrustrationExperiment.Outcome::epsilon)
                    .min()
                    .orElse(Double.NaN);
            NullModel model =
                    first.nullKind() == null ? null : FrustrationExperiment.nullModel(first.nullKind(), c.n3Init());
            SignedGraph g = model == null ? real : model.apply(real, first.nullSeed());
            try {
                log.accept("bounds: " + e.getKey() + " (best solve " + best + ")...");
                long t0 = System.nanoTime();
                var r = FrustrationInterval.run(
                        new SpinGlass(g),
                        bc,
                        best,
                        "best of the experiment's solves",
                        parallel,
                        null,
                        "",
                        null,
                        s -> {});
                double secs = (System.nanoTime() - t0) / 1e9;
                log.accept(String.format(
                        Locale.ROOT,
                        "bounds: %s eps in [%.6f, %.6f] (SDP %.6f, %.1f s)",
                        e.getKey(),
                        r.epsilonLower(),
                        r.epsilonUpper(),
                        r.epsilonSdp(),
                        secs));
                out.add(new NetworkInterval(
                        first.group(),
                        first.group().equals("R") ? -1 : first.replica(),
                        first.nullSeed(),
                        r.epsilonLower(),
                        r.epsilonUpper(),
                        r.epsilonSdp(),
                        r.confidence(),
                        secs));
            } finally {
                if (model != null) {
                    model.release(g);
                }
            }
        }
        return new Result(out, orderings(out));
    }

    /** The paper's orderings R &lt; N1, N1 &lt; N2, R &lt; N2, R &lt; N3 among the groups bounded. */
    public static List<Ordering> orderings(List<NetworkInterval> networks) {
        Map<String, List<NetworkInterval>> g = new LinkedHashMap<>();
        networks.forEach(
                n -> g.computeIfAbsent(n.group(), k -> new ArrayList<>()).add(n));
        List<Ordering> out = new ArrayList<>();
        for (String[] p : FrustrationStatistics.PAIRS) {
            List<NetworkInterval> a = g.get(p[0]), b = g.get(p[1]);
            if (a == null || b == null) {
                continue;
            }
            double maxUp = a.stream().mapToDouble(NetworkInterval::upper).max().orElseThrow();
            double minLo = b.stream().mapToDouble(NetworkInterval::lower).min().orElseThrow();
            double maxSdp =
                    a.stream().mapToDouble(NetworkInterval::epsilonSdp).max().orElseThrow();
            double minSdp =
                    b.stream().mapToDouble(NetworkInterval::epsilonSdp).min().orElseThrow();
            out.add(new Ordering(p[0], p[1], a.size(), b.size(), maxUp, minLo, maxUp < minLo, maxSdp, minSdp));
        }
        return out;
    }
}
