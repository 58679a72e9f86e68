package io.nnfrust.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.Summary;
import io.nnfrust.experiment.MonotonicityExperiment.Variant;
import io.nnfrust.experiment.MonotonicityExperiment.VariantResult;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.AmplitudeSchedule;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.report.MonotonicityPlots;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust experiment monotonicity}: output alignment Ω and λ-monotonicity (paper eq. 10, Fig. 3, 4, 7, 8). */
@Command(
        name = "monotonicity",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Near-monotonicity along the partial order of the best spins: perturb each image along S_x "
                    + "(x2 = x1 + S_x a u, u ~ U(0,1)) and measure the output alignment Omega along S_y; lambda (eq. 10) "
                    + "for the real network and the null models (random order, N3).",
            "See docs/monotonicity.md."
        })
final class MonotonicityCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "zoo:NAME or an .onnx file.")
    String model;

    @Mixin
    ImageOptions imageOptions;

    @Option(
            names = "--perturbations",
            defaultValue = "100",
            paramLabel = "P",
            description = "Perturbations per image (default ${DEFAULT-VALUE}).")
    int perturbations;

    @Option(
            names = "--amplitude",
            defaultValue = "0.3:30",
            paramLabel = "MIN:MAX",
            description =
                    "Range of the amplitude a (delta_i = a u_i, input units after preprocessing) over the P perturbations (default ${DEFAULT-VALUE}).")
    String amplitude;

    @Option(
            names = "--spacing",
            defaultValue = "log",
            paramLabel = "log|linear",
            description = "Spacing of the P amplitudes (default ${DEFAULT-VALUE}).")
    String spacing;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description =
                    "Best spins of the real network (from 'nnfrust frustration MODEL --spins FILE'); default: computed with --restarts.")
    Path spins;

    @Option(
            names = "--restarts",
            defaultValue = "8",
            description =
                    "Without --spins: solver restarts on the real network (default ${DEFAULT-VALUE}; the paper uses 80).")
    int restarts;

    @Option(
            names = "--nulls",
            split = ",",
            defaultValue = "random-order,N3",
            paramLabel = "LIST",
            description =
                    "Null models: random-order, N3, random-input (random S_x, real S_y), random-output (real S_x, random S_y), N3-random-input, N3-random-output (the same halves on the N3 network), or none (default ${DEFAULT-VALUE}).")
    List<String> nulls;

    @Option(
            names = "--null-restarts",
            defaultValue = "8",
            description = "Solver restarts on the N3 network for its own spins (default ${DEFAULT-VALUE}).")
    int nullRestarts;

    @Option(
            names = "--n3-init",
            defaultValue = "he",
            description = "N3 initialisation: he or xavier (default ${DEFAULT-VALUE}).")
    String n3Init;

    @Option(
            names = "--n3-bias",
            defaultValue = "zero",
            paramLabel = "zero|keep",
            description = "Biases of the N3 network's re-initialised layers (default ${DEFAULT-VALUE}).")
    String n3Bias;

    @Option(
            names = "--plots",
            paramLabel = "DIR",
            description = "Write PNG figures (Fig. 3, 4, 7, 8 and the class-kept share) into DIR.")
    Path plots;

    @Mixin
    ExperimentRunOptions run;

    @Mixin
    SolverOptionsMixin solverOptions;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        int t = solverOptions.threads();
        AmplitudeSchedule schedule = AmplitudeSchedule.parse(amplitude, perturbations, spacing);
        List<String> variants = new ArrayList<>();
        variants.add(MonotonicityExperiment.REAL);
        for (String n : nulls) {
            String v = n.trim();
            if (v.equalsIgnoreCase("none")) {
                continue;
            }
            if (v.equalsIgnoreCase("random")) {
                v = MonotonicityExperiment.RANDOM_ORDER;
            }
            String known = null;
            for (String name : MonotonicityExperiment.VARIANTS) {
                if (!name.equals(MonotonicityExperiment.REAL) && name.equalsIgnoreCase(v)) {
                    known = name;
                }
            }
            if (known == null) {
                throw new NnfrustException(
                        "--nulls: unknown null model '" + n
                                + "' (use random-order, random-input, random-output, N3, N3-random-input, N3-random-output or none)");
            }
            v = known;
            if (!variants.contains(v)) {
                variants.add(v);
            }
        }
        WeightInit init = WeightInit.parse(n3Init);
        WeightWriter.BiasPolicy bias = WeightWriter.BiasPolicy.parse(n3Bias);
        if (spins != null && !Files.isRegularFile(spins)) {
            throw new NnfrustException("spin file not found: " + spins);
        }
        SpinFile givenSpins = spins == null ? null : SpinFile.read(spins);
        OutputSet outs = run.plan().folder("--plots", plots);
        Path cp = run.checkpointPath();
        var solver = solverOptions.solver();
        SolverOptions opts = solverOptions.options(0);
        var importOptions = modelOptions.toImportOptions();
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(model, importOptions);
        var net = loaded.network();
        var pre = imageOptions.preprocessor(net);
        var precision = imageOptions.precision();
        var synsets = imageOptions.synsets();
        var files = ImageSet.list(imageOptions.images, imageOptions.limit);
        String spinsLabel = spins != null
                ? spins.toAbsolutePath().normalize().toString()
                : "computed: best of " + restarts + " restarts of " + solverOptions.solver;
        MonotonicityExperiment.Config config = new MonotonicityExperiment.Config(
                imageOptions.inputs(model, net, importOptions, pre),
                schedule,
                variants,
                spinsLabel,
                solverOptions.solver,
                restarts,
                nullRestarts,
                init.label(),
                bias.name().toLowerCase(Locale.ROOT),
                solverOptions.seed,
                opts);
        MonotonicityExperiment.checkCheckpoint(config, run.shard(), cp, run.resume);
        var seeds = MonotonicityExperiment.Seeds.of(solverOptions.seed, files.size());
        Consumer<String> log = s -> {
            if (!run.quiet) {
                System.err.println(s);
            }
        };
        boolean spinsWithoutIdentity = givenSpins != null && !checkSpinIdentity(givenSpins, net);
        SpinFile realSpins = givenSpins != null
                ? givenSpins
                : MonotonicityExperiment.bestSpins(
                        net,
                        solver,
                        opts,
                        restarts,
                        seeds.realSolve(),
                        t,
                        cp == null ? null : Path.of(cp + ".real.spins"),
                        run.resume,
                        log);
        List<Variant> vs = new ArrayList<>();
        vs.add(MonotonicityExperiment.realVariant(loaded, realSpins, spins != null ? spins.toString() : spinsLabel));
        if (spinsWithoutIdentity) {
            Outputs.warn("spin file " + spins + " carries no model identity (older format); only its node counts "
                    + "could be checked against " + net.name());
        }
        if (variants.contains(MonotonicityExperiment.RANDOM_ORDER)) {
            vs.add(MonotonicityExperiment.randomOrderVariant(loaded));
        }
        for (String half : List.of(MonotonicityExperiment.RANDOM_INPUT, MonotonicityExperiment.RANDOM_OUTPUT)) {
            if (variants.contains(half)) {
                vs.add(MonotonicityExperiment.halfRandomVariant(vs.get(0), half));
            }
        }
        boolean n3Halves = variants.contains(MonotonicityExperiment.N3_RANDOM_INPUT)
                || variants.contains(MonotonicityExperiment.N3_RANDOM_OUTPUT);
        if (variants.contains(MonotonicityExperiment.N3) || n3Halves) {
            ModelLoader.Loaded n3 = MonotonicityExperiment.n3Network(loaded, init, bias, seeds.n3Network());
            SpinFile n3Spins = MonotonicityExperiment.bestSpins(
                    n3.network(),
                    solver,
                    opts,
                    nullRestarts,
                    seeds.n3Solve(),
                    t,
                    cp == null ? null : Path.of(cp + ".N3.spins"),
                    run.resume,
                    log);
            vs.add(new Variant(
                    MonotonicityExperiment.N3,
                    n3.model(),
                    n3.network(),
                    n3Spins.inputSpins(),
                    n3Spins.outputSpins(),
                    n3Spins.epsilon(),
                    "N3-" + init.label() + " seed " + seeds.n3Network()
                            + ", biases " + bias.name().toLowerCase(Locale.ROOT) + ", best of " + nullRestarts
                            + " restarts of "
                            + solverOptions.solver));
            Variant n3Variant = vs.get(vs.size() - 1);
            if (!variants.contains(MonotonicityExperiment.N3)) {
                vs.remove(vs.size() - 1);
            }
            for (String half :
                    List.of(MonotonicityExperiment.N3_RANDOM_INPUT, MonotonicityExperiment.N3_RANDOM_OUTPUT)) {
                if (variants.contains(half)) {
                    vs.add(MonotonicityExperiment.halfRandomVariant(n3Variant, half));
                }
            }
        }
        log.accept(String.format(
                Locale.ROOT,
                "nnfrust experiment monotonicity: %s (weights %s), %d images x %d perturbations (a %s), variants %s, batch %d%s",
                model,
                ModelIdentity.weights(net),
                files.size(),
                perturbations,
                schedule.label(),
                String.join(",", variants),
                imageOptions.batch,
                cp == null ? "" : ", checkpoint " + cp));
        long t0 = System.nanoTime();
        var sink = new ProgressLines<ImageResult>("images", files.size(), 1, run.quiet, (r, at) -> {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%s] %s:", at, r.file()));
            r.variants()
                    .forEach((name, v) -> b.append(String.format(
                            Locale.ROOT,
                            " %s Omega>0.5 in %d/%d (mean %.3f, kept %d)",
                            name,
                            Math.round(v.fractionAbove() * v.aligned().length),
                            v.aligned().length,
                            meanOmega(v),
                            keptCount(v))));
            return b.toString();
        });
        var outcome = MonotonicityExperiment.run(
                vs,
                pre,
                precision,
                synsets,
                files,
                config,
                imageOptions.batch,
                t,
                run.shard(),
                cp,
                run.resume,
                run.stopAfter,
                sink);
        double wall = (System.nanoTime() - t0) / 1e9;
        ImageOptions.printSkipped(outcome.skipped());
        List<ImageResult> images = outcome.images();
        List<Summary> sums = new ArrayList<>();
        for (Variant v : vs) {
            sums.add(MonotonicityExperiment.summarize(v.name(), images, perturbations));
        }
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode out = m.createObjectNode();
        out.put("model", model);
        out.put("images", images.size());
        out.put("weights", ModelIdentity.weights(net));
        if (!run.shard().isAll()) {
            out.put("shard", run.shard().toString());
        }
        out.put("imagesListed", files.size());
        out.put(
                "complete",
                images.size() + outcome.skipped().size() >= run.shard().ownedOf(files.size()));
        out.put("perturbations", perturbations);
        out.set("amplitudes", m.valueToTree(schedule.amplitudes()));
        double[] meanDeltaNorm = new double[perturbations];
        for (int p = 0; p < perturbations; p++) {
            double s = 0;
            for (ImageResult r : images) {
                s += r.deltaNorm()[p];
            }
            meanDeltaNorm[p] = images.isEmpty() ? Double.NaN : s / images.size();
        }
        out.set("meanDeltaNorm", m.valueToTree(meanDeltaNorm));
        var accuracy =
                Accuracy.ofRanks(images.stream().mapToInt(ImageResult::trueRank).toArray(), net.outputNodes().length);
        accuracy.putJson(out);
        ImageOptions.warnAccuracy(accuracy, pre, net);
        ObjectNode vj = out.putObject("variants");
        for (int i = 0; i < vs.size(); i++) {
            Variant v = vs.get(i);
            Summary s = sums.get(i);
            ObjectNode j = vj.putObject(v.name());
            j.put("network", v.network().name());
            j.put("order", v.provenance());
            if (!Double.isNaN(v.epsilon())) {
                j.put("epsilon", v.epsilon());
            }
            j.put("samples", s.samples());
            j.put("lambda", s.lambda().lambda());
            j.put("lambdaAttained", s.lambda().attained());
            j.put("lambdaTiesExcluded", s.lambdaTiesExcluded().lambda());
            j.put("meanOmega", s.meanOmega());
            j.put("shareOmegaAboveHalf", s.shareAbove());
            j.put("shareOmegaBelowHalf", s.shareBelow());
            j.put("meanTieFraction", s.meanTieFraction());
            j.put("keptOverall", s.keptOverall());
            j.set("keptByAmplitude", m.valueToTree(s.keptByAmplitude()));
            ObjectNode tail = j.putObject("tail");
            tail.put("lambdaStep", 1.0 / MonotonicityExperiment.GRID_STEPS);
            tail.set("F", m.valueToTree(s.tail()));
            j.set("omegaHistogram", m.valueToTree(s.omegaHistogram()));
            ObjectNode f8 = j.putObject("fig8");
            f8.set("histogram", m.valueToTree(s.fig8Histogram()));
            f8.put("imagesAllAbove", s.imagesAllAbove());
            f8.put("imagesAllBelow", s.imagesAllBelow());
        }
        ObjectNode inf = out.putObject("inference");
        inf.put("images", outcome.inferredImages());
        inf.put("seconds", outcome.inferenceSeconds());
        inf.put(
                "imagesPerSecond",
                outcome.inferenceSeconds() > 0 ? outcome.inferredImages() / outcome.inferenceSeconds() : 0);
        inf.put("batch", imageOptions.batch);
        out.put("wallSeconds", wall);
        out.put("newImages", outcome.newImages());
        ImageOptions.putSkipped(out, outcome.skipped());
        ArrayNode res = out.putArray("results");
        for (ImageResult r : images) {
            ObjectNode j = res.addObject();
            j.put("index", r.index());
            j.put("file", r.file());
            j.put("trueClass", r.trueClass());
            j.set("deltaNorm", m.valueToTree(r.deltaNorm()));
            ObjectNode rv = j.putObject("variants");
            r.variants().forEach((name, v) -> {
                ObjectNode x = rv.putObject(name);
                x.put("predicted", v.predicted());
                x.put("fractionOmegaAboveHalf", v.fractionAbove());
                ArrayNode om = x.putArray("omega");
                ArrayNode ke = x.putArray("kept");
                for (int p = 0; p < v.aligned().length; p++) {
                    om.add(v.omega(p));
                    ke.add(v.kept()[p]);
                }
            });
        }
        ObjectNode prov = Outputs.provenance(m, out, net);
        prov.set("config", config.toJson(m));
        if (spins != null) {
            prov.put("spinsSha256", ModelLoader.sha256(Files.readAllBytes(spins)));
        }
        prov.put("threads", t);
        prov.put("batch", imageOptions.batch);
        String text = m.writeValueAsString(out);
        run.stage(outs, text, () -> csv(images, vs));
        List<Path> figures = plots != null && !images.isEmpty()
                ? MonotonicityPlots.write(outs, plots, net.name(), out, 5)
                : List.of();
        outs.commit();
        for (Path f : figures) {
            log.accept("wrote " + f);
        }
        if (run.json) {
            System.out.println(text);
        } else if (!images.isEmpty()) {
            System.out.printf(Locale.ROOT, "model %s, weights %s%n", model, ModelIdentity.weights(net));
            System.out.printf(
                    Locale.ROOT,
                    "images %d (skipped %d) x %d perturbations, a in [%s]; %s%n",
                    images.size(),
                    outcome.skipped().size(),
                    perturbations,
                    schedule.label(),
                    accuracy.line());
            System.out.printf(
                    Locale.ROOT,
                    "%-17s %8s %8s %8s %10s %8s %8s %8s %8s%n",
                    "variant",
                    "lambda",
                    "lam-ties",
                    "mean",
                    "Omega>0.5",
                    "all>0.5",
                    "all<=0.5",
                    "ties",
                    "kept");
            for (Summary s : sums) {
                System.out.printf(
                        Locale.ROOT,
                        "%-17s %8.4f %8.4f %8.4f %9.1f%% %8d %8d %7.2f%% %7.1f%%%n",
                        s.variant(),
                        s.lambda().lambda(),
                        s.lambdaTiesExcluded().lambda(),
                        s.meanOmega(),
                        100 * s.shareAbove(),
                        s.imagesAllAbove(),
                        s.imagesAllBelow(),
                        100 * s.meanTieFraction(),
                        100 * s.keptOverall());
            }
            System.out.println("class kept by amplitude (real network):");
            double[] kept = sums.get(0).keptByAmplitude();
            int step = Math.max(1, perturbations / 10);
            for (int p = 0; p < perturbations; p += step) {
                System.out.printf(
                        Locale.ROOT,
                        "  a %10.4g  |delta| %10.4g  kept %5.1f%%%n",
                        schedule.amplitude(p),
                        meanDeltaNorm[p],
                        100 * kept[p]);
            }
            System.out.printf(
                    Locale.ROOT,
                    "inference: %,d images in %.1f s (%.1f images/s, batch %d); wall %.1f s%n",
                    outcome.inferredImages(),
                    outcome.inferenceSeconds(),
                    outcome.inferenceSeconds() > 0 ? outcome.inferredImages() / outcome.inferenceSeconds() : 0,
                    imageOptions.batch,
                    wall);
        }
        return 0;
    }

    /**
     * Refuses a spin file computed on another model, input size or convention (its header names them); returns
     * false for a file without header (first format), which is used when its node counts match, with a warning.
     */
    private boolean checkSpinIdentity(SpinFile s, Network net) {
        var h = s.headerJson();
        if (!h.has("model")) {
            return false;
        }
        ModelIdentity.requireSame(
                h.get("model"),
                net,
                "spin file " + spins,
                "compute the spins of this model with 'nnfrust frustration " + net.source()
                        + " --spins FILE' and the same --input-size and conventions");
        return true;
    }

    private static double meanOmega(VariantResult v) {
        double s = 0;
        for (int p = 0; p < v.aligned().length; p++) {
            s += v.omega(p);
        }
        return s / v.aligned().length;
    }

    private static int keptCount(VariantResult v) {
        int c = 0;
        for (boolean k : v.kept()) {
            if (k) {
                c++;
            }
        }
        return c;
    }

    private static String csv(List<ImageResult> images, List<Variant> vs) {
        StringBuilder b = new StringBuilder("index,file,true_class,perturbation,amplitude,delta_norm");
        for (Variant v : vs) {
            String n = v.name().replace('-', '_');
            b.append(",predicted_")
                    .append(n)
                    .append(",omega_")
                    .append(n)
                    .append(",ties_")
                    .append(n)
                    .append(",kept_")
                    .append(n);
        }
        b.append('\n');
        for (ImageResult r : images) {
            for (int p = 0; p < r.amplitude().length; p++) {
                b.append(String.format(
                        Locale.ROOT,
                        "%d,\"%s\",%d,%d,%.6g,%.6g",
                        r.index(),
                        r.file().replace("\"", "\"\""),
                        r.trueClass(),
                        p,
                        r.amplitude()[p],
                        r.deltaNorm()[p]));
                for (Variant v : vs) {
                    VariantResult x = r.variants().get(v.name());
                    b.append(String.format(
                            Locale.ROOT, ",%d,%.4f,%d,%b", x.predicted(), x.omega(p), x.ties()[p], x.kept()[p]));
                }
                b.append('\n');
            }
        }
        return b.toString();
    }
}
