package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.bounds.DualBound;
import io.nnfrust.bounds.FrustrationInterval;
import io.nnfrust.experiment.BoundStudy;
import io.nnfrust.frustration.AnnealingPolish;
import io.nnfrust.frustration.MixingMethod;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
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
            converter = Converters.NullKindConverter.class,
            description =
                    "Bound a null network of the model instead (the same draw as null network --null-seed of 'experiment frustration').")
    NullKind nullKind;

    @Option(
            names = "--null-seed",
            defaultValue = "1",
            description = "Seed of the null network (default ${DEFAULT-VALUE}).")
    long nullSeed;

    @Option(
            names = "--n3-init",
            defaultValue = "he",
            paramLabel = "he|xavier",
            converter = Converters.WeightInitConverter.class,
            description = "N3 initialisation (default ${DEFAULT-VALUE}).")
    WeightInit n3Init;

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
            names = "--lanczos-margin",
            defaultValue = "1e-3",
            description =
                    "Stop Lanczos early once its probabilistic margin is worth less than this fraction of eps_SDP (default ${DEFAULT-VALUE}); smaller: more steps, a higher lower end.")
    double lanczosMargin;

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
            names = "--polish-rounds",
            defaultValue = "10",
            description =
                    "Rounds of low-temperature annealing from the best rounding, each kept when it lowers eps (default ${DEFAULT-VALUE}; 0: none).")
    int polishRounds;

    @Option(
            names = "--polish-sweeps",
            defaultValue = "100",
            description = "Heat-bath sweeps per polish round (default ${DEFAULT-VALUE}).")
    int polishSweeps;

    @Option(
            names = "--polish-t",
            split = ",",
            arity = "1",
            defaultValue = "0.05,0.005",
            paramLabel = "START,END",
            description = "Relative temperatures of a polish round's first and last sweep (default ${DEFAULT-VALUE}).")
    double[] polishTemperatures;

    @Option(
            names = "--certificate",
            paramLabel = "FILE.npz",
            description =
                    "Write the certificate (y, P, the lambda bound and its margins) as NumPy .npz; check it with scripts/verify_bound.py.")
    Path certificate;

    @Option(
            names = "--spins-out",
            paramLabel = "FILE",
            description = "Write the spins of eps_ub (nnfrust's spin file; for a null network marked as such).")
    Path spinsOut;

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

    /** The library's parameter names as this command's flags. */
    private static final ParameterFlags FLAGS = new ParameterFlags(Map.ofEntries(
            Map.entry("rank", "--rank"),
            Map.entry("maxSweeps", "--sdp-sweeps"),
            Map.entry("tolerance", "--tolerance"),
            Map.entry("lanczosSteps", "--lanczos-steps"),
            Map.entry("lanczosMargin", "--lanczos-margin"),
            Map.entry("roundings", "--roundings"),
            Map.entry("polish rounds", "--polish-rounds"),
            Map.entry("polish sweeps", "--polish-sweeps"),
            Map.entry("polish temperatures", "--polish-t"),
            Map.entry("confidence", "--confidence"),
            Map.entry("threads", "--threads"),
            Map.entry("spins", "--spins")));

    private AnnealingPolish.Options polishOptions() {
        if (polishTemperatures.length != 2) {
            throw new NnfrustException("--polish-t takes two temperatures START,END, got " + polishTemperatures.length);
        }
        return new AnnealingPolish.Options(polishRounds, polishSweeps, polishTemperatures[0], polishTemperatures[1]);
    }

    @Override
    public Integer call() throws Exception {
        if (restarts < 0) {
            throw new NnfrustException("--restarts must be >= 0, got " + restarts);
        }
        if (spins == null && restarts == 0 && roundings == 0) {
            throw new NnfrustException("no upper bound: give --spins, --restarts >= 1 or --roundings >= 1");
        }
        if (spins != null && nullKind != null) {
            throw new NnfrustException(
                    "--spins belong to the model, not to its null network; leave out one of " + "--spins and --null");
        }
        var interval = FLAGS.build(() -> new FrustrationInterval.Config(
                new MixingMethod.Options(rank, sweeps, tolerance, 10, solverOptions.seed),
                TrackCommand.parseEnum(DualBound.Scaling.class, scaling, "--scaling"),
                lanczosSteps,
                1 - confidence,
                roundings,
                solverOptions.seed,
                polishOptions(),
                lanczosMargin));
        BoundStudy.Upper upper = spins != null
                ? new BoundStudy.Upper.FromSpins(spins)
                : restarts > 0
                        ? new BoundStudy.Upper.FromRestarts(
                                SolverKind.parse(solverOptions.solver, "--solver"),
                                solverOptions.options(0),
                                restarts,
                                solverOptions.seed)
                        : new BoundStudy.Upper.RoundingsOnly();
        BoundStudy.Config config = new BoundStudy.Config(
                nullKind == null ? null : new BoundStudy.NullNetwork(nullKind, nullSeed, n3Init), upper, interval);
        OutputSet outs = new OutputSet()
                .file("--output", output)
                .file("--certificate", certificate)
                .file("--spins-out", spinsOut);
        if (state != null) {
            outs.file("--state", state);
        }
        var control = FLAGS.build(() -> new BoundStudy.RunControl(
                solverOptions.threads(),
                state,
                N2Storage.of(System.getProperties()),
                quiet ? s -> {} : System.err::println));
        GraphSource src = GraphSource.load(model, modelOptions.toImportOptions(), format);
        BoundStudy.Subject subject = src.network() != null
                ? BoundStudy.Subject.of(src.network(), model)
                : new BoundStudy.Subject(
                        src.graph(), Outputs.model(new ObjectMapper(), src, model), src.sha256(), model);
        BoundStudy.Result result = FLAGS.build(() -> BoundStudy.run(subject, config, control));
        String text = result.jsonText();
        if (output != null) {
            outs.stage(output, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        if (certificate != null) {
            outs.stage(certificate, result.interval().certificate()::write);
        }
        if (spinsOut != null) {
            SpinFile f = result.upperSpinFile();
            if (f == null) {
                Outputs.warn("--spins-out: eps_ub came without its spins; nothing written to " + spinsOut);
            } else {
                outs.stage(spinsOut, f::writeTo);
            }
        }
        outs.commit();
        if (state != null) {
            Files.deleteIfExists(state); // finished: the state is no longer needed
        }
        if (json) {
            System.out.println(text);
        } else {
            result.summaryLines().forEach(System.out::println);
        }
        return 0;
    }
}
