package io.nnfrust.cli;

import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.Shard;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.report.Report;
import io.nnfrust.reproduce.Preset;
import io.nnfrust.reproduce.ReproducePlan;
import io.nnfrust.reproduce.Reproduction;
import io.nnfrust.reproduce.Stage;
import io.nnfrust.reproduce.StudyImages;
import io.nnfrust.reproduce.StudyRunner;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust reproduce}: the paper's whole protocol on one or more networks, resumable, then the report. */
@Command(
        name = "reproduce",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The paper's protocol on each MODEL: graph summary (Table 1), frustration of R (Algorithm 1 and "
                    + "the best solver), null models N1, N2, N3 (He and Xavier), active subnetworks, near-monotonicity; "
                    + "then 'nnfrust report OUT'.",
            "Every stage is an nnfrust command (listed in OUT/MODEL/.stages/); a finished stage with unchanged "
                    + "options is skipped, an interrupted one continues. See docs/reproduce.md."
        })
public final class ReproduceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", arity = "1..*", description = "zoo:NAME or .onnx files.")
    List<String> models;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output folder (created if its parent exists).")
    Path out;

    @Option(
            names = "--preset",
            defaultValue = "paper",
            paramLabel = "quick|paper",
            description =
                    "Counts: paper (the paper's: 80 restarts, 80 null networks per kind, 500 + 1000 images) or quick (minutes on SqueezeNet). Default ${DEFAULT-VALUE}.")
    String preset;

    @Option(
            names = "--images",
            paramLabel = "DIR",
            description =
                    "Labelled images for the active-subnetwork and near-monotonicity stages (without: those stages are left out).")
    Path images;

    @Option(
            names = "--preprocess",
            paramLabel = "caffe|torchvision|raw",
            description = "Image preprocessing of the models (required with --images).")
    String preprocess;

    @Option(names = "--synsets", paramLabel = "FILE", description = "Class list of the images (see 'classify --help').")
    Path synsets;

    @Option(
            names = "--resize",
            paramLabel = "N",
            description = "Shorter side before the center crop (see 'classify --help'; default there: 256).")
    Integer resize;

    @Option(names = "--restarts", paramLabel = "N", description = "Override: Algorithm 1 restarts on R.")
    Integer restarts;

    @Option(
            names = "--best-restarts",
            paramLabel = "N",
            description = "Override: restarts of the best solver (anneal) on R.")
    Integer bestRestarts;

    @Option(
            names = "--solver",
            paramLabel = "NAME",
            description =
                    "Override: solver of the null-model and active experiments and of the N3 spins (paper: algorithm1, quick: layered).")
    String solver;

    @Option(
            names = "--replicas",
            paramLabel = "N",
            description = "Override: restarts of R in the null-model experiment.")
    Integer replicas;

    @Option(
            names = "--null-count",
            paramLabel = "N",
            description = "Override: null networks of kind N1 and of kind N2.")
    Integer nullCount;

    @Option(
            names = "--n3-count",
            paramLabel = "N",
            description = "Override: N3 networks of each initialisation (He and Xavier).")
    Integer n3Count;

    @Option(
            names = "--active-images",
            paramLabel = "N",
            description = "Override: images of the active-subnetwork stage.")
    Integer activeImages;

    @Option(
            names = "--monotonicity-images",
            paramLabel = "N",
            description = "Override: images of the near-monotonicity stage.")
    Integer monotonicityImages;

    @Option(names = "--perturbations", paramLabel = "N", description = "Override: perturbations per image.")
    Integer perturbations;

    @Option(
            names = "--null-restarts",
            paramLabel = "N",
            description = "Override: restarts on the N3 network of the near-monotonicity stage.")
    Integer nullRestarts;

    @Option(
            names = "--bounds",
            defaultValue = "0",
            paramLabel = "K",
            description =
                    "Certified intervals of eps for R and the first K null networks of each kind, and whether the paper's orderings are certified (experiment frustration --bounds; docs/bounds.md). Default 0: none.")
    int bounds;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of every stage (N3 experiments: seed + 1, seed + 2). Default ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "Threads (default: all cores). Results do not depend on it.")
    Integer threads;

    @Option(
            names = "--shard",
            paramLabel = "K/N|slurm",
            description =
                    "Run shard K of N of every stage (restart parts and experiment tasks, the seeds of the whole run); then 'reproduce ... --merge-only' merges. Stages that read a merged result wait for the next round. See docs/cluster.md.")
    String shard;

    @Option(
            names = "--merge-only",
            description =
                    "After the shards: merge their parts and checkpoints into the stages' results without new work, list what is missing, write the report.")
    boolean mergeOnly;

    @Option(names = "--plan-only", description = "Print the plan and stop.")
    boolean planOnly;

    @Option(names = "--no-report", description = "Do not run 'nnfrust report OUT' at the end.")
    boolean noReport;

    @Option(names = "--quiet", description = "Only the plan, stage lines and errors on stderr.")
    boolean quiet;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() throws Exception {
        Preset p = Preset.named(preset);
        p = overrides(p);
        if (images != null && preprocess == null) {
            throw new NnfrustException("--images needs --preprocess caffe|torchvision|raw (the models' preprocessing;"
                    + " see docs/inference.md)");
        }
        if (images != null && !Files.isDirectory(images)) {
            throw new NnfrustException("--images " + images + " is not a folder");
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        ImportOptions importOptions = modelOptions.toImportOptions();
        StudyImages studyImages = images == null
                ? null
                : new StudyImages(images, ImagePreprocessor.Preset.parse(preprocess), synsets, resize);
        var opts = new ReproducePlan.Options(models, importOptions, studyImages, p, seed, t, out, bounds);
        var sh = Shard.parse(shard, System.getenv());
        if (!sh.isAll() && mergeOnly) {
            throw new NnfrustException("--merge-only merges the shards: run it without --shard");
        }
        boolean outIsNew = !Files.exists(out);
        new OutputSet().folder("--out", out);
        // calibration: one A x + A^T x per model (the plan's estimates are multiples of it)
        Map<String, Double> product = new LinkedHashMap<>();
        List<Stage> stages;
        try {
            for (String m : models) {
                if (product.containsKey(m)) {
                    throw new NnfrustException("reproduce: " + m + " is given twice");
                }
                product.put(m, calibrate(m, importOptions));
            }
            stages = ReproducePlan.stages(opts, product, sh);
        } catch (RuntimeException e) {
            if (outIsNew) { // a model that cannot be read leaves no empty --out folder behind
                Files.deleteIfExists(out);
            }
            throw e;
        }
        printPlan(p, t, sh, stages);
        for (var e : n2Bytes.entrySet()) {
            double need = Math.min(t, p.nullCount()) * e.getValue();
            if (p.nullCount() > 0 && need > Runtime.getRuntime().maxMemory()) {
                Outputs.warn(String.format(
                        Locale.ROOT,
                        "the nulls stage of %s builds N2 networks needing about %.1f GiB"
                                + " side by side, more than this JVM's heap (%.1f GiB): that stage will stop; raise it with"
                                + " NNFRUST_JAVA_OPTS=-Xmx%dg",
                        e.getKey(),
                        need / 1073741824.0,
                        Runtime.getRuntime().maxMemory() / 1073741824.0,
                        (long) Math.ceil(need / 1073741824.0 * 1.3) + 2));
            }
        }
        if (planOnly) {
            return 0;
        }
        for (Stage s : stages) {
            for (Stage.Step step : s.steps()) {
                Files.createDirectories(step.output().toAbsolutePath().getParent());
            }
        }
        // every stage calls the library; experiments print their summaries on stdout
        int left = Reproduction.run(
                stages,
                Reproduction.executor(new StudyRunner(quiet, System.out::println, System.err::println)),
                mergeOnly,
                System.err::println);
        if (!sh.isAll()) {
            System.out.printf(
                    Locale.ROOT,
                    "shard %s done%s; when every shard is done: nnfrust reproduce (the same "
                            + "arguments without --shard) --merge-only%n",
                    sh,
                    left == 0
                            ? ""
                            : " (" + left + " stage" + (left == 1 ? "" : "s")
                                    + " waiting for a merged input: run the shards again after the merge)");
            return 0;
        }
        if (left > 0) {
            System.err.printf(Locale.ROOT, "%d stage%s not complete (listed above)%n", left, left == 1 ? "" : "s");
        }
        if (!noReport) {
            var r = Report.write(out, System.err::println);
            System.out.println("report: " + r);
        } else {
            System.out.println("done: " + out);
        }
        return 0;
    }

    private Preset overrides(Preset p) {
        if (restarts != null) {
            p = p.withAlgorithm1Restarts(restarts);
        }
        if (bestRestarts != null) {
            p = p.withBestRestarts(bestRestarts);
        }
        if (solver != null) {
            p = p.withSolver(solver);
        }
        if (replicas != null || nullCount != null || n3Count != null) {
            p = p.withNulls(
                    replicas != null ? replicas : p.replicas(),
                    nullCount != null ? nullCount : p.nullCount(),
                    n3Count != null ? n3Count : p.n3He(),
                    n3Count != null ? n3Count : p.n3Xavier());
        }
        if (activeImages != null || monotonicityImages != null || perturbations != null) {
            p = p.withImages(
                    activeImages != null ? activeImages : p.activeImages(),
                    monotonicityImages != null ? monotonicityImages : p.monotonicityImages(),
                    perturbations != null ? perturbations : p.perturbations());
        }
        if (nullRestarts != null) {
            p = p.withNullRestarts(nullRestarts);
        }
        return p;
    }

    /** Bytes of one N2 network of each model and its solve (the nulls stage holds one per thread). */
    private final Map<String, Double> n2Bytes = new LinkedHashMap<>();

    private double calibrate(String model, ImportOptions importOptions) {
        var net = ModelLoader.load(model, importOptions);
        var g = net.graph();
        n2Bytes.put(model, FrustrationExperiment.n2Bytes(g));
        double[] x = new double[g.nodeCount()], y = new double[g.nodeCount()];
        Arrays.fill(x, 1);
        double best = BenchCommand.productSeconds(g, x, y, true, 2);
        System.err.printf(
                Locale.ROOT,
                "calibration: %s, %,d nodes, %,d edges, one A x + A^T x in %.3f s%n",
                model,
                g.nodeCount(),
                g.edgeCount(),
                best);
        return best;
    }

    private void printPlan(Preset p, int t, Shard sh, List<Stage> stages) {
        System.err.printf(
                Locale.ROOT,
                "nnfrust reproduce: %d model%s, preset %s, seed %d, %d threads, into %s%s%n",
                models.size(),
                models.size() == 1 ? "" : "s",
                p.name(),
                seed,
                t,
                out,
                sh.isAll() ? (mergeOnly ? ", merging the shards (no new work)" : "") : ", shard " + sh);
        double total = 0;
        for (Stage s : stages) {
            String st = Reproduction.state(s);
            boolean done = st.equals("done");
            if (!done) {
                total += s.estimateSeconds();
            }
            System.err.printf(
                    Locale.ROOT,
                    "  %-28s %-24s %-9s %10s  %s%n",
                    s.model(),
                    s.name(),
                    st,
                    done ? "-" : Progress.duration(s.estimateSeconds()),
                    s.summary());
        }
        System.err.printf(
                Locale.ROOT,
                "estimated time: %s (from the calibration above; docs/reproduce.md says how it is"
                        + " made and how far it can be off)%n",
                Progress.duration(total));
    }
}
