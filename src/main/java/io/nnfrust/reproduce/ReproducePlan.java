package io.nnfrust.reproduce;

import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.Shard;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.onnx.WeightWriter;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The stages of the paper's protocol for each model (Methods and Results of the paper): the graph summary (Table 1),
 * the frustration of R with Algorithm 1 and with the best solver, the null-model experiment (N1, N2 and N3 drawn
 * with He and with Xavier, Fig. 2 and 5a), the active subnetworks (eq. 8, Fig. 2) and near-monotonicity (eq. 10,
 * Fig. 3, 4, 5b, 7, 8). Every stage is typed jobs, each with the nnfrust command a user could type for the same
 * result (its provenance); its outputs live in {@code OUT/MODEL/}.
 *
 * <p>Seeds: every stage uses the run's seed, except the N3 experiments (seed + 1 for He, seed + 2 for Xavier), so
 * that their null networks are not drawn from the same stream as the restarts of group R.
 */
public final class ReproducePlan {
    private ReproducePlan() {}

    /**
     * Seconds of one solve (or one active subnetwork) per second of one A·x + Aᵀ·x product, measured on the real
     * SqueezeNet at 224×224 on 2 cores (docs/reproduce.md): a plan's estimate is this factor times the calibrated
     * product time of the model.
     */
    static final Map<String, Double> SOLVE_PER_PRODUCT =
            Map.of("algorithm1", 130.0, "algorithm1-first", 130.0, "layered", 12.0, "anneal", 105.0, "exact", 1.0);

    static final Map<String, Double> ACTIVE_PER_PRODUCT =
            Map.of("algorithm1", 35.0, "algorithm1-first", 35.0, "layered", 11.0, "anneal", 30.0, "exact", 1.0);
    /**
     * An N2 solve costs about 4 ordinary ones (its blocks hold one weight per edge: 45-50 s against 11 s per layered
     * restart on GoogLeNet), and drawing an N2 network about 50 products (one Feistel inverse per edge; measured on
     * GoogLeNet with {@code bench null --nulls N2}: 48 s for one network against 0.90 s for one product, 2 cores).
     */
    static final double N2_SOLVE = 4.0, N2_DRAW = 50.0;
    /** Seconds of inference of one image per second of one product (ONNX Runtime, batch 16). */
    static final double INFERENCE_PER_PRODUCT = 0.02;

    /**
     * Everything the plan depends on.
     *
     * @param models        the models (zoo:NAME or .onnx files)
     * @param importOptions how every model becomes a signed graph
     * @param images        labelled images of the active and monotonicity stages, or null for none
     * @param preset        the counts
     * @param seed          the seed of every stage (N3: seed + 1, seed + 2)
     * @param threads       threads of every stage
     * @param out           the output folder
     * @param bounds        certified intervals of the null-model experiments (0: none)
     */
    public record Options(
            List<String> models,
            ImportOptions importOptions,
            StudyImages images,
            Preset preset,
            long seed,
            int threads,
            Path out,
            int bounds) {
        /** Without certified bounds. */
        public Options(
                List<String> models,
                ImportOptions importOptions,
                StudyImages images,
                Preset preset,
                long seed,
                int threads,
                Path out) {
            this(models, importOptions, images, preset, seed, threads, out, 0);
        }

        public Options {
            if (bounds < 0) {
                throw new NnfrustException("--bounds must be >= 0, got " + bounds);
            }
            models = List.copyOf(models);
            if (importOptions == null) {
                throw new NnfrustException("importOptions must not be null");
            }
            if (models.isEmpty()) {
                throw new NnfrustException("reproduce: give at least one MODEL");
            }
            if (threads < 1) {
                throw new NnfrustException("--threads must be at least 1");
            }
        }
    }

    /** The folder name of a model: the file name without .onnx, or the zoo name, in safe characters. */
    public static String slug(String model) {
        String s = model;
        if (s.startsWith("zoo:")) {
            s = s.substring(4);
        } else {
            s = Path.of(s).getFileName().toString();
            if (s.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                s = s.substring(0, s.length() - 5);
            }
        }
        s = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "model" : s;
    }

    /**
     * The stages of every model in order.
     *
     * @param productSeconds the calibrated seconds of one A·x + Aᵀ·x of each model (by model argument)
     */
    public static List<Stage> stages(Options o, Map<String, Double> productSeconds) {
        List<Stage> all = new ArrayList<>();
        Set<String> slugs = new HashSet<>();
        for (String model : o.models()) {
            String slug = slug(model);
            if (!slugs.add(slug)) {
                throw new NnfrustException(
                        "reproduce: two models share the folder name '" + slug + "' (" + model + "); rename one file");
            }
            all.addAll(stages(o, model, slug, productSeconds.getOrDefault(model, 1.0)));
        }
        return all;
    }

    /** Products (A·x + Aᵀ·x) of one certified interval at the default settings: 8 × 300 SDP sweeps + Lanczos. */
    static final double BOUND_PRODUCTS = 8 * 300 * 1.2 + 1000;

    private static List<Stage> stages(Options o, String model, String slug, double product) {
        Preset p = o.preset();
        Path dir = o.out().resolve(slug);
        List<Stage> st = new ArrayList<>();
        SolverKind solver = SolverKind.parse(p.solver(), "solver");

        Path graph = dir.resolve("graph.json");
        st.add(new Stage(
                slug,
                "graph",
                graph,
                List.of(new GraphInfoJob(model, o.importOptions(), graph)),
                List.of(graph),
                product * 2,
                "graph summary (Table 1)"));

        st.add(restarts(o, model, slug, dir, "frustration-algorithm1", "algorithm1", p.algorithm1Restarts(), product));
        st.add(restarts(o, model, slug, dir, "frustration-best", p.bestSolver(), p.bestRestarts(), product));

        double solve = product * SOLVE_PER_PRODUCT.get(p.solver());
        Path nulls = dir.resolve("nulls.json");
        // one certified interval costs about rank 8 x 300 sweeps + 1000 Lanczos steps of products
        double boundCost = BOUND_PRODUCTS * product;
        st.add(new Stage(
                slug,
                "nulls",
                nulls,
                List.of(new ExperimentJob(
                        new ExperimentJob.FrustrationSettings(new FrustrationExperiment.Config(
                                model,
                                "",
                                o.importOptions(),
                                solver,
                                p.replicas(),
                                List.of(NullKind.N1, NullKind.N2),
                                p.nullCount(),
                                WeightInit.HE_NORMAL,
                                o.seed(),
                                SolverOptions.DEFAULT,
                                o.bounds(),
                                FrustrationExperiment.Config.DEFAULT_BOUND_RANK)),
                        nulls,
                        dir.resolve("nulls.csv"),
                        o.threads())),
                List.of(nulls, dir.resolve("nulls.csv"), Path.of(nulls + ".jsonl")),
                (Math.ceil((double) p.replicas() / o.threads())
                                        + (1 + N2_SOLVE) * Math.ceil(2.0 * p.nullCount() / o.threads()))
                                * solve
                        + Math.ceil((double) p.nullCount() / o.threads()) * N2_DRAW * product
                        + (o.bounds() == 0 ? 0 : (1 + 2.0 * Math.min(o.bounds(), p.nullCount())) * boundCost),
                String.format(
                        Locale.ROOT,
                        "%d restarts of R, %d N1 and %d N2 networks x 2 instances, %s",
                        p.replicas(),
                        p.nullCount(),
                        p.nullCount(),
                        p.solver()),
                Stage.Kind.EXPERIMENT,
                Path.of(nulls + ".jsonl"),
                List.of()));
        for (String init : List.of("he", "xavier")) {
            int count = init.equals("he") ? p.n3He() : p.n3Xavier();
            if (count == 0) {
                continue;
            }
            Path f = dir.resolve("nulls-n3-" + init + ".json");
            st.add(new Stage(
                    slug,
                    "nulls-n3-" + init,
                    f,
                    List.of(new ExperimentJob(
                            new ExperimentJob.FrustrationSettings(new FrustrationExperiment.Config(
                                    model,
                                    "",
                                    o.importOptions(),
                                    solver,
                                    0,
                                    List.of(NullKind.N3),
                                    count,
                                    WeightInit.parse(init),
                                    o.seed() + (init.equals("he") ? 1 : 2),
                                    SolverOptions.DEFAULT,
                                    o.bounds(),
                                    FrustrationExperiment.Config.DEFAULT_BOUND_RANK)),
                            f,
                            dir.resolve("nulls-n3-" + init + ".csv"),
                            o.threads())),
                    List.of(f, dir.resolve("nulls-n3-" + init + ".csv"), Path.of(f + ".jsonl")),
                    Math.ceil(2.0 * count / o.threads()) * solve + Math.min(o.bounds(), count) * boundCost,
                    String.format(Locale.ROOT, "%d N3 networks (%s) x 2 instances, %s", count, init, p.solver()),
                    Stage.Kind.EXPERIMENT,
                    Path.of(f + ".jsonl"),
                    List.of()));
        }
        if (o.images() != null && p.activeImages() > 0) {
            Path f = dir.resolve("active.json");
            st.add(new Stage(
                    slug,
                    "active",
                    f,
                    List.of(new ExperimentJob(
                            new ExperimentJob.ActiveSettings(
                                    new ActiveExperiment.Config(
                                            o.images().inputs(model, o.importOptions(), p.activeImages()),
                                            solver,
                                            p.activeRestarts(),
                                            o.seed(),
                                            SolverOptions.DEFAULT),
                                    o.images(),
                                    dir.resolve("frustration-best.json")),
                            f,
                            dir.resolve("active.csv"),
                            o.threads())),
                    List.of(f, dir.resolve("active.csv"), Path.of(f + ".jsonl")),
                    p.activeImages() * p.activeRestarts() * product * ACTIVE_PER_PRODUCT.get(p.solver()),
                    String.format(
                            Locale.ROOT,
                            "%d images, %d restart%s of %s each, against eps_R of %s",
                            p.activeImages(),
                            p.activeRestarts(),
                            p.activeRestarts() == 1 ? "" : "s",
                            p.solver(),
                            p.bestSolver()),
                    Stage.Kind.EXPERIMENT,
                    Path.of(f + ".jsonl"),
                    List.of(dir.resolve("frustration-best.json"))));
        }
        if (o.images() != null && p.monotonicityImages() > 0) {
            Path f = dir.resolve("monotonicity.json");
            st.add(new Stage(
                    slug,
                    "monotonicity",
                    f,
                    List.of(new ExperimentJob(
                            new ExperimentJob.MonotonicitySettings(
                                    new MonotonicityExperiment.Config(
                                            o.images().inputs(model, o.importOptions(), p.monotonicityImages()),
                                            ExperimentJob.MonotonicitySettings.amplitudes(p.perturbations()),
                                            List.of(Variant.REAL, Variant.RANDOM_ORDER, Variant.N3),
                                            dir.resolve("frustration-algorithm1.spins"),
                                            solver,
                                            ExperimentJob.MonotonicitySettings.RESTARTS,
                                            p.nullRestarts(),
                                            WeightInit.HE_NORMAL,
                                            WeightWriter.BiasPolicy.ZERO,
                                            o.seed(),
                                            SolverOptions.DEFAULT),
                                    o.images(),
                                    dir.resolve("frustration-algorithm1.spins")),
                            f,
                            null,
                            o.threads())),
                    List.of(f, Path.of(f + ".jsonl"), Path.of(f + ".jsonl.N3.spins")),
                    p.monotonicityImages() * (1.0 + 3.0 * p.perturbations()) * product * INFERENCE_PER_PRODUCT
                            + Math.ceil((double) p.nullRestarts() / o.threads()) * solve,
                    String.format(
                            Locale.ROOT,
                            "%d images x %d perturbations along S_x of Algorithm 1; nulls random "
                                    + "order and N3 (its spins: %d restarts of %s)",
                            p.monotonicityImages(),
                            p.perturbations(),
                            p.nullRestarts(),
                            p.solver()),
                    Stage.Kind.EXPERIMENT,
                    Path.of(f + ".jsonl"),
                    List.of(dir.resolve("frustration-algorithm1.spins"))));
        }
        return st;
    }

    /**
     * The stages of shard {@code shard} of the run ({@code reproduce --shard K/N}): shard 1 makes the graph summary;
     * the restart parts i with (i - 1) mod N = K - 1 are this shard's (not merged: that is the merge run's work); each
     * experiment runs its {@code --shard K/N} into {@code NAME.shard-K-of-N.json} and its own checkpoint. Stages that
     * read a merged file of an earlier stage (the active subnetworks read ε_R, near-monotonicity the spins of
     * Algorithm 1) wait for it: run {@code reproduce --merge-only} between two rounds of the array.
     */
    public static List<Stage> stages(Options o, Map<String, Double> productSeconds, Shard shard) {
        List<Stage> all = stages(o, productSeconds);
        if (shard.isAll()) {
            return all;
        }
        String tag = ".shard-" + shard.index() + "-of-" + shard.count();
        List<Stage> mine = new ArrayList<>();
        for (Stage s : all) {
            switch (s.kind()) {
                case PLAIN -> {
                    if (shard.index() == 1) {
                        mine.add(s);
                    }
                }
                case RESTARTS -> {
                    List<Stage.Step> parts = new ArrayList<>();
                    List<Path> owned = new ArrayList<>();
                    for (int i = 0; i + 1 < s.steps().size(); i++) {
                        if (shard.owns(i)) {
                            Stage.Step step = s.steps().get(i);
                            parts.add(step);
                            owned.add(step.output());
                        }
                    }
                    if (!parts.isEmpty()) {
                        mine.add(new Stage(
                                s.model(),
                                s.name() + tag,
                                parts.get(parts.size() - 1).output(),
                                parts,
                                owned,
                                s.estimateSeconds() * parts.size() / (s.steps().size() - 1),
                                s.summary() + ", parts of shard " + shard,
                                Stage.Kind.RESTARTS,
                                null,
                                s.requires()));
                    }
                }
                case EXPERIMENT -> {
                    Path dir = s.output().getParent();
                    String stem = s.output().getFileName().toString().replace(".json", "");
                    Path out = dir.resolve(stem + tag + ".json"), cp = dir.resolve(stem + tag + ".jsonl");
                    ExperimentJob job = (ExperimentJob) s.steps().get(0);
                    mine.add(new Stage(
                            s.model(),
                            s.name() + tag,
                            out,
                            List.of(job.withShard(shard, out, cp)),
                            List.of(out, cp, Path.of(cp + ".N3.spins"), Path.of(cp + ".real.spins")),
                            s.estimateSeconds() / shard.count(),
                            s.summary() + ", shard " + shard,
                            Stage.Kind.EXPERIMENT,
                            cp,
                            s.requires()));
                }
            }
        }
        return mine;
    }

    /**
     * Restarts on the real network as parts of at most {@code threads} restarts each ({@code --shard i/C}, with
     * the seeds of the whole run), merged into one output: a killed run loses at most the part in progress.
     */
    private static Stage restarts(
            Options o, String model, String slug, Path dir, String name, String solver, int restarts, double product) {
        int parts = (restarts + o.threads() - 1) / o.threads();
        Path partDir = dir.resolve("parts");
        List<Stage.Step> steps = new ArrayList<>();
        List<Path> owned = new ArrayList<>();
        List<Path> partFiles = new ArrayList<>();
        SolverKind kind = SolverKind.parse(solver, "solver");
        for (int i = 1; i <= parts; i++) {
            Path json = partDir.resolve(name + "." + i + "-of-" + parts + ".json");
            Path spins = partDir.resolve(name + "." + i + "-of-" + parts + ".spins");
            steps.add(new RestartsJob(
                    model, o.importOptions(), kind, restarts, o.seed(), o.threads(), new Shard(i, parts), json, spins));
            owned.add(json);
            owned.add(spins);
            partFiles.add(json);
        }
        Path out = dir.resolve(name + ".json");
        Path spins = dir.resolve(name + ".spins");
        steps.add(new RestartsMergeJob(partFiles, out, spins));
        owned.add(out);
        owned.add(spins);
        return new Stage(
                slug,
                name,
                out,
                steps,
                owned,
                parts * product * SOLVE_PER_PRODUCT.get(solver) + parts * product * 2,
                String.format(
                        Locale.ROOT,
                        "%d restart%s of %s on the real network (%d part%s)",
                        restarts,
                        restarts == 1 ? "" : "s",
                        solver,
                        parts,
                        parts == 1 ? "" : "s"),
                Stage.Kind.RESTARTS,
                null,
                List.of());
    }
}
