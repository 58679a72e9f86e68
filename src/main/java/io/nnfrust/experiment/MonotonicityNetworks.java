package io.nnfrust.experiment;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.FrustrationSolver;
import io.nnfrust.frustration.RestartResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.ReinitializedWeights;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The networks and orders of the near-monotonicity variants ({@link Variant}): the best spins of a network (computed
 * by restarts of a solver, cached in a spin file beside the checkpoint and read back on resume) and null model N3 as
 * a runnable network (re-initialised weights written into the ONNX model and imported again).
 */
public final class MonotonicityNetworks {
    private MonotonicityNetworks() {}

    /** The real network with the input/output spins of {@code spins}, checked against the network. */
    public static OrderedNetwork real(ModelLoader.Loaded loaded, SpinFile spins, String provenance) {
        Network net = loaded.network();
        checkSpins(net, spins, provenance);
        return new OrderedNetwork(
                Variant.REAL,
                loaded.model(),
                net,
                spins.inputSpins(),
                spins.outputSpins(),
                spins.epsilon(),
                provenance);
    }

    /** The real network with a random partial order per image. */
    public static OrderedNetwork randomOrder(ModelLoader.Loaded loaded) {
        return new OrderedNetwork(
                Variant.RANDOM_ORDER,
                loaded.model(),
                loaded.network(),
                null,
                null,
                Double.NaN,
                "i.i.d. random S_x, S_y per image");
    }

    /**
     * The network of {@code base} with half of its order replaced by random signs per image: {@code half} is
     * {@link Variant#RANDOM_INPUT} or {@link Variant#N3_RANDOM_INPUT} (random S_x, the base's S_y), or
     * {@link Variant#RANDOM_OUTPUT} or {@link Variant#N3_RANDOM_OUTPUT} (the base's S_x, random S_y).
     */
    public static OrderedNetwork halfRandom(OrderedNetwork base, Variant half) {
        if (half.randomInput() == half.randomOutput()) {
            throw new IllegalArgumentException(half + " is not half of a random order");
        }
        if (half.randomInput()) {
            return new OrderedNetwork(
                    half,
                    base.model(),
                    base.network(),
                    null,
                    base.sy(),
                    Double.NaN,
                    "i.i.d. random S_x per image, S_y of " + base.provenance());
        }
        return new OrderedNetwork(
                half,
                base.model(),
                base.network(),
                base.sx(),
                null,
                Double.NaN,
                "S_x of " + base.provenance() + ", i.i.d. random S_y per image");
    }

    /** The N3 network along its own best spins. */
    public static OrderedNetwork n3(ModelLoader.Loaded n3, SpinFile spins, String provenance) {
        return new OrderedNetwork(
                Variant.N3,
                n3.model(),
                n3.network(),
                spins.inputSpins(),
                spins.outputSpins(),
                spins.epsilon(),
                provenance);
    }

    /**
     * The best spins of {@code restarts} solver restarts on {@code net}'s graph, written to {@code cache} when it
     * is given. With {@code reuse} (resuming a checkpoint whose header fixed the configuration) spins already in
     * {@code cache} for this network are read instead of computed.
     */
    public static SpinFile bestSpins(
            Network net,
            FrustrationSolver solver,
            SolverOptions options,
            int restarts,
            long seed,
            int threads,
            Path cache,
            boolean reuse,
            Consumer<String> log) {
        if (cache != null && reuse && Files.isRegularFile(cache)) {
            SpinFile s = SpinFile.read(cache);
            if (matches(net, s)) {
                log.accept("spins of " + net.name() + " read from " + cache + " (eps " + s.epsilon() + ")");
                return s;
            }
        }
        log.accept("frustration of " + net.name() + ": " + restarts + " restart(s) of " + solver.name() + "...");
        Progress progress = new Progress("restarts", restarts, 0, Math.min(threads, restarts), log);
        FrustrationRunner.Result r = FrustrationRunner.run(
                new SpinGlass(net.graph()),
                solver,
                options,
                restarts,
                seed,
                threads,
                x -> log.accept(String.format(
                        Locale.ROOT,
                        "[%s] restart %d: eps %.6f (%.1f s)",
                        progress.tick(),
                        x.index(),
                        x.result().epsilon(),
                        x.result().seconds())));
        RestartResult best = r.best().result();
        SpinFile s = SpinFile.of(best.spins(), net.inputNodes(), net.outputNodes(), best.epsilon())
                .withHeader(spinHeader(net));
        log.accept(
                String.format(Locale.ROOT, "eps = %.6f (best of %d, %.1f s)", best.epsilon(), restarts, r.seconds()));
        if (cache != null) {
            s.write(cache);
        }
        return s;
    }

    /**
     * Null model N3 as a runnable network: fresh He/Xavier weights for every convolution and dense layer
     * ({@link ReinitializedWeights}, the same draws as N3 of {@code experiment frustration} with this seed),
     * written into the ONNX model ({@link WeightWriter}) and imported again, so the graph whose frustration gives
     * S and the model ONNX Runtime runs are the same network.
     */
    public static ModelLoader.Loaded n3Network(
            ModelLoader.Loaded real, WeightInit init, WeightWriter.BiasPolicy bias, long seed) {
        Network net = real.network();
        var graph = new ReinitializedWeights(init).apply(net.graph(), seed);
        ModelProto proto = WeightWriter.write(real.model(), net, graph, bias);
        String sha = ModelLoader.sha256(proto.toByteArray());
        Network n3 = OnnxImporter.importModel(
                proto,
                n3Name(net, init, seed),
                new ModelOrigin.ReinitializedN3(net.origin(), init, seed, sha),
                net.options());
        return new ModelLoader.Loaded(proto, n3);
    }

    /** The name of the N3 network of {@code net} with this initialisation and seed. */
    public static String n3Name(Network net, WeightInit init, long seed) {
        return net.name() + "#N3-" + init.label() + "-" + seed;
    }

    /** The header of a spin file of {@code net}: its identity and this run's provenance. */
    public static String spinHeader(Network net) {
        return SpinFile.header(ModelIdentity.toJson(new ObjectMapper(), net));
    }

    /**
     * Refuses a spin file computed on another model, input size or convention (its header names them); returns
     * false for a file without header (first format), which is used when its node counts match.
     */
    public static boolean checkIdentity(SpinFile s, Network net, Path file) {
        s.requireOfTheModel(file);
        var h = s.headerJson();
        if (!h.has("model")) {
            return false;
        }
        ModelIdentity.requireSame(
                h.get("model"),
                net,
                "spin file " + file,
                "compute the spins of this model with 'nnfrust frustration " + net.source()
                        + " --spins FILE' and the same input size and conventions");
        return true;
    }

    private static boolean matches(Network net, SpinFile s) {
        var model = s.headerJson().path("model");
        if (model.has("sha256") && !model.path("sha256").asText().equals(net.sha256())) {
            return false;
        }
        return s.spins().length == net.graph().nodeCount()
                && Arrays.equals(s.inputNodes(), net.inputNodes())
                && Arrays.equals(s.outputNodes(), net.outputNodes());
    }

    private static void checkSpins(Network net, SpinFile s, String source) {
        if (!matches(net, s)) {
            throw new NnfrustException(source + ": spins for " + s.spins().length + " nodes (" + s.inputNodes().length
                    + " inputs, " + s.outputNodes().length + " outputs) do not belong to " + net.name() + " ("
                    + net.graph().nodeCount() + " nodes, " + net.inputNodes().length + " inputs, "
                    + net.outputNodes().length + " outputs); compute them with 'nnfrust frustration MODEL --spins FILE'"
                    + " and the same import options");
        }
    }
}
