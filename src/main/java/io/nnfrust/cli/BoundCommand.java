package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.TrainingTrack;
import io.nnfrust.frustration.FrustrationRunner;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.Solvers;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust bound}: ε as a certified interval ({@link FrustrationInterval}); parses, calls, prints. */
@Command(
        name = "bound",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Frustration as an interval [eps_lb, eps_ub]: the lower end certified by the SDP dual "
                    + "(low-rank SDP, dual y, lambda_min by Lanczos with a stated confidence), the upper end from "
                    + "--spins or solver restarts and SDP roundings. See docs/bounds.md."
        })
public final class BoundCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "MODEL|GRAPH",
            description = "zoo:NAME, an .onnx file, or a graph file (edge list, .mtx).")
    String model;

    @Option(
            names = "--format",
            defaultValue = "auto",
            paramLabel = "auto|onnx|edges|mtx",
            description = "Input format (default ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--null",
            paramLabel = "N1|N2|N3",
            description =
                    "Bound a null network of the model instead (the same draw as null network --null-seed of 'experiment frustration').")
    String nullKind;

    @Option(
            names = "--null-seed",
            defaultValue = "1",
            description = "Seed of the null network (default ${DEFAULT-VALUE}).")
    long nullSeed;

    @Option(
            names = "--n3-init",
            defaultValue = "he",
            paramLabel = "he|xavier",
            description = "N3 initialisation (default ${DEFAULT-VALUE}).")
    String n3Init;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description =
                    "Spins for the upper end (e.g. from 'nnfrust frustration --spins'); else --restarts of --solver.")
    Path spins;

    @Option(
            names = "--restarts",
            defaultValue = "4",
            description =
                    "Without --spins: solver restarts for the upper end (default ${DEFAULT-VALUE}; 0: SDP roundings only).")
    int restarts;

    @Option(
            names = "--rank",
            defaultValue = "8",
            description = "Rank r of the SDP solution (default ${DEFAULT-VALUE}).")
    int rank;

    @Option(
            names = "--sdp-sweeps",
            defaultValue = "300",
            description = "SDP sweeps at most (default ${DEFAULT-VALUE}).")
    int sweeps;

    @Option(
            names = "--tolerance",
            defaultValue = "1e-5",
            description =
                    "Stop the SDP when it improves by less than this fraction over 10 sweeps (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(
            names = "--lanczos-steps",
            defaultValue = "1000",
            description = "Lanczos steps at most (default ${DEFAULT-VALUE}).")
    int lanczosSteps;

    @Option(
            names = "--confidence",
            defaultValue = "0.999999",
            description = "Probability that the certified lambda bound holds (default ${DEFAULT-VALUE}).")
    double confidence;

    @Option(
            names = "--scaling",
            defaultValue = "degree",
            paramLabel = "degree|identity",
            description =
                    "The diagonal P of the bound: degree (P = D, default) or identity (the plain spectral bound).")
    String scaling;

    @Option(
            names = "--roundings",
            defaultValue = "4",
            description = "SDP hyperplane roundings + descent for the upper end (default ${DEFAULT-VALUE}).")
    int roundings;

    @Option(
            names = "--certificate",
            paramLabel = "FILE.npz",
            description =
                    "Write the certificate (y, P, the lambda bound and its margins) as NumPy .npz; check it with scripts/verify_bound.py.")
    Path certificate;

    @Option(
            names = "--state",
            paramLabel = "FILE",
            description =
                    "Save the SDP state here (at most once a minute) and continue from it when it exists: a resumed run gives the same result.")
    Path state;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the JSON result to FILE.")
    Path output;

    @Option(names = "--json", description = "Print the JSON result.")
    boolean json;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        var sdp = new MixingMethod.Options(rank, sweeps, tolerance, 10, solverOptions.seed);
        var config = new FrustrationInterval.Config(
                sdp,
                TrackCommand.parseEnum(DualBound.Scaling.class, scaling, "--scaling"),
                lanczosSteps,
                1 - confidence,
                roundings,
                solverOptions.seed);
        if (restarts < 0) {
            throw new NnfrustException("--restarts must be >= 0, got " + restarts);
        }
        if (spins == null && restarts == 0 && roundings == 0) {
            throw new NnfrustException("no upper bound: give --spins, --restarts >= 1 or --roundings >= 1");
        }
        var solver = Solvers.byName(solverOptions.solver);
        int t = solverOptions.threads();
        OutputSet outs = new OutputSet().file("--output", output).file("--certificate", certificate);
        if (state != null) {
            outs.file("--state", state);
        }
        GraphSource src = GraphSource.load(model, modelOptions.toImportOptions(), format);
        SignedGraph graph = src.graph();
        if (nullKind != null) {
            var kind = TrackCommand.parseEnum(TrainingTrack.NullKind.class, nullKind, "--null");
            if (spins != null) {
                throw new NnfrustException("--spins belong to the model, not to its null network; leave out one of "
                        + "--spins and --null");
            }
            graph = FrustrationExperiment.nullModel(
                            NullKind.valueOf(kind.name()),
                            WeightInit.parse(n3Init),
                            N2Storage.of(System.getProperties()))
                    .apply(graph, nullSeed);
        }
        SpinGlass glass = new SpinGlass(graph);
        double upper = Double.NaN;
        String upperSource = null;
        Consumer<String> log = quiet ? s -> {} : s -> System.err.println(s);
        if (spins != null) {
            SpinFile f = SpinFile.read(spins);
            if (f.spins().length != glass.nodeCount()) {
                throw new NnfrustException("--spins " + spins + " holds " + f.spins().length + " spins, the graph has "
                        + glass.nodeCount() + " nodes; compute them with 'nnfrust frustration MODEL --spins FILE' and "
                        + "the same import options");
            }
            var sh = f.headerJson().path("model").path("sha256").asText("");
            if (!sh.isEmpty() && !sh.equals(src.sha256())) {
                throw new NnfrustException("--spins " + spins + " belongs to another model (sha256 " + sh
                        + ", this one " + src.sha256() + ")");
            }
            double[] s = new double[f.spins().length];
            for (int i = 0; i < s.length; i++) {
                s[i] = f.spins()[i];
            }
            upper = glass.epsilon(s, true);
            upperSource = "spins " + spins;
        } else if (restarts > 0) {
            log.accept("upper end: " + restarts + " restart(s) of " + solver.name() + "...");
            var r = FrustrationRunner.run(
                    glass,
                    solver,
                    solverOptions.options(0),
                    restarts,
                    solverOptions.seed,
                    t,
                    x -> log.accept(String.format(
                            Locale.ROOT,
                            "restart %d: eps %.6f (%.1f s)",
                            x.index(),
                            x.result().epsilon(),
                            x.result().seconds())));
            upper = r.best().result().epsilon();
            upperSource = "best of " + restarts + " " + solver.name() + " restarts";
        }
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode identity = Outputs.model(m, src, model);
        ObjectNode meta = m.createObjectNode();
        meta.set("model", identity);
        meta.put("nodes", glass.nodeCount()).put("edges", graph.edgeCount());
        if (nullKind != null) {
            meta.put("null", nullKind.toUpperCase(Locale.ROOT))
                    .put("nullSeed", nullSeed)
                    .put("n3Init", n3Init);
        }
        String stateHeader = m.createObjectNode()
                .put("sha256", src.sha256())
                .put("nodes", glass.nodeCount())
                .put("null", nullKind == null ? "" : nullKind + "/" + nullSeed + "/" + n3Init)
                .set("config", config.toJson(m))
                .toString();
        long t0 = System.nanoTime();
        var result = FrustrationInterval.run(glass, config, upper, upperSource, t > 1, state, stateHeader, meta, log);
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode out = m.createObjectNode();
        out.put("model", model);
        if (nullKind != null) {
            out.put("null", nullKind.toUpperCase(Locale.ROOT)).put("nullSeed", nullSeed);
        }
        out.setAll(result.toJson(m));
        out.put("seconds", seconds);
        ObjectNode prov = Outputs.provenance(m, out, src, model);
        prov.set("config", config.toJson(m));
        prov.put("threads", t);
        String text = m.writeValueAsString(out);
        if (output != null) {
            outs.stage(output, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        if (certificate != null) {
            outs.stage(certificate, result.certificate()::write);
        }
        outs.commit();
        if (state != null) {
            Files.deleteIfExists(state); // finished: the state is no longer needed
        }
        if (json) {
            System.out.println(text);
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "eps in [%.6f, %.6f]  gap %.6f (%.2f %% of eps_ub)  confidence %s%n",
                    result.epsilonLower(),
                    result.epsilonUpper(),
                    result.gap(),
                    100 * result.relativeGap(),
                    confidence);
            System.out.printf(
                    Locale.ROOT,
                    "lower: SDP dual, eps_SDP %.6f (rank %d, %d sweeps%s), Lanczos %d steps, "
                            + "lambda >= %.6g (theta %.6g, eta %.3g)%n",
                    result.epsilonSdp(),
                    rank,
                    result.sdp().sweeps(),
                    result.sdp().converged() ? ", converged" : "",
                    result.lanczos().steps(),
                    result.lanczos().lowerBound(),
                    result.lanczos().theta(),
                    result.lanczos().eta());
            System.out.printf(
                    Locale.ROOT,
                    "upper: %s; best SDP rounding + descent %.6f%n",
                    result.upperSource(),
                    result.roundingBest());
            System.out.printf(
                    Locale.ROOT,
                    "time %.1f s (SDP %.1f, Lanczos %.1f, roundings %.1f)%n",
                    seconds,
                    result.sdpSeconds(),
                    result.lanczosSeconds(),
                    result.roundingSeconds());
        }
        return 0;
    }
}
