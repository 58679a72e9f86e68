package io.nnfrust.reproduce;

import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.FrustrationTasks;
import io.nnfrust.experiment.ImageInputs;
import io.nnfrust.experiment.ImageSource;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.ProgressSink;
import io.nnfrust.experiment.RunControl;
import io.nnfrust.experiment.Shard;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.inference.ImageSet;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.monotonicity.Variant;
import io.nnfrust.nullmodel.N2Storage;
import io.nnfrust.reproduce.ExperimentJob.ActiveSettings;
import io.nnfrust.reproduce.ExperimentJob.FrustrationSettings;
import io.nnfrust.reproduce.ExperimentJob.MonotonicitySettings;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Progress;
import io.nnfrust.util.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Runs the experiment steps of reproduce through the library: loads the model, completes the job's typed
 * configuration with the model's SHA-256, runs the study ({@link FrustrationExperiment}, {@link ActiveExperiment},
 * {@link MonotonicityExperiment}) continuing the job's checkpoint, writes its JSON and CSV with the result's codec and
 * hands the result's summary lines to {@code summary}. With {@code noNewWork} (reproduce --merge-only) only the
 * results already in the (merged) checkpoint are written ({@link FrustrationExperiment#collect},
 * {@code fromCheckpoint}). The outputs record as their command line the job's {@link ExperimentJob#args()} with
 * {@code --no-new-work} and {@code --quiet} as this run used them: provenance text, never executed.
 */
public final class StudyRunner implements ExperimentRunner {
    private final boolean quiet;
    private final Consumer<String> summary;
    private final Consumer<String> messages;

    /**
     * @param quiet    no progress lines
     * @param summary  receives each result's summary lines (reproduce: stdout)
     * @param messages receives progress, warnings and skipped files (reproduce: stderr)
     */
    public StudyRunner(boolean quiet, Consumer<String> summary, Consumer<String> messages) {
        if (summary == null || messages == null) {
            throw new IllegalArgumentException("summary and messages must be given");
        }
        this.quiet = quiet;
        this.summary = summary;
        this.messages = messages;
    }

    @Override
    public void run(ExperimentJob job, boolean noNewWork) {
        List<String> commandLine = new ArrayList<>(job.args());
        if (noNewWork) {
            commandLine.add("--no-new-work");
        }
        if (quiet) {
            commandLine.add("--quiet");
        }
        Provenance.begin(commandLine);
        // the job's outputs can be written, checked before its work (they are written together at its end)
        new OutputSet().file("the stage's JSON output", job.output()).file("the stage's CSV output", job.csv());
        switch (job.settings()) {
            case FrustrationSettings s -> frustration(job, s, noNewWork);
            case ActiveSettings s -> active(job, s, noNewWork);
            case MonotonicitySettings s -> monotonicity(job, s, noNewWork);
        }
    }

    private Consumer<String> log() {
        return quiet ? x -> {} : messages;
    }

    private void warn(String text) {
        messages.accept("nnfrust: warning: " + text);
    }

    private void frustration(ExperimentJob job, FrustrationSettings s, boolean noNewWork) {
        int t = job.threads();
        Shard shard = job.shard();
        Path cp = job.checkpointFile();
        Network net = ModelLoader.load(s.model(), s.importOptions());
        FrustrationExperiment.Config config = s.configFor(net);
        int total = FrustrationTasks.ofShard(config, shard).size();
        Consumer<String> log = log();
        log.accept(String.format(
                Locale.ROOT,
                "nnfrust experiment frustration: %s (weights %s), %d solves (%d real, %d null), solver %s, %d threads%s",
                s.model(),
                ModelIdentity.weights(net),
                total,
                config.replicas(),
                total - config.replicas(),
                config.solver(),
                t,
                ", checkpoint " + cp));
        RunControl<FrustrationExperiment.Outcome> control = new RunControl<>(
                t,
                shard,
                cp,
                true,
                0,
                progress(
                        "solves",
                        total,
                        t,
                        (o, at) -> String.format(
                                Locale.ROOT,
                                "[%s] %s replica %d instance %d: eps %.6f (%.1f s)",
                                at,
                                o.task().group(),
                                o.task().replica(),
                                o.task().instance(),
                                o.epsilon(),
                                o.seconds())));
        FrustrationExperiment.Result result = noNewWork
                ? FrustrationExperiment.collect(net, config, control, log)
                : FrustrationExperiment.run(net, config, control, N2Storage.of(System.getProperties()), log);
        if (config.bounds() > 0 && !shard.isAll()) {
            warn("bounds: computed when the shards are merged, not per shard");
        } else if (config.bounds() > 0 && !result.complete()) {
            warn("bounds: the run is incomplete; bounds are computed once every solve is done");
        }
        result.write(job.output(), job.csv());
        result.summaryLines().forEach(summary);
    }

    private void active(ExperimentJob job, ActiveSettings s, boolean noNewWork) {
        int t = job.threads();
        Path cp = job.checkpointFile();
        if (noNewWork && nothingToCollect(job, cp)) {
            return;
        }
        ActiveExperiment.Reference reference = ActiveExperiment.Reference.file(s.reference());
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(s.model(), s.importOptions());
        Network net = loaded.network();
        ActiveExperiment.Config config = s.configFor(net);
        ImageInputs inputs = config.inputs();
        ImagePreprocessor pre = inputs.preprocessor(net);
        Consumer<String> log = log();
        ImageSource source = new ImageSource(inputs.list(), pre, s.images().classes(), StudyImages.BATCH);
        double[] eR = {Double.NaN}; // known before the first image (the progress lines compare with it)
        RunControl<ActiveExperiment.ImageResult> rc = new RunControl<>(
                t,
                job.shard(),
                cp,
                true,
                0,
                progress(
                        "images",
                        source.files().size(),
                        1,
                        (r, at) -> String.format(
                                Locale.ROOT,
                                "[%s] %s: class %d%s, %,d nodes, %,d edges, eps_act %.6f%s (%.1f s)",
                                at,
                                r.file(),
                                r.predicted(),
                                r.trueClass() == r.predicted() ? " (correct)" : "",
                                r.activeNodes(),
                                r.edges(),
                                r.epsilon(),
                                r.epsilon() < eR[0] ? " < eps_R" : " >= eps_R",
                                r.seconds())));
        ActiveExperiment.checkCheckpoint(config, rc);
        ActiveExperiment.EpsilonR known = ActiveExperiment.epsilonR(reference, net, config, t, log);
        eR[0] = known.value();
        ActiveExperiment.Result result;
        if (noNewWork) {
            result = ActiveExperiment.fromCheckpoint(cp, loaded, known, t, StudyImages.BATCH);
        } else {
            log.accept(String.format(
                    Locale.ROOT,
                    "nnfrust experiment active: %s (weights %s), %d images, solver %s x %d, %d threads%s",
                    s.model(),
                    ModelIdentity.weights(net),
                    source.files().size(),
                    config.solver().label(),
                    config.restarts(),
                    t,
                    ", checkpoint " + cp));
            result = ActiveExperiment.run(loaded, source, config, known, rc);
        }
        skipped(result.skipped());
        accuracy(result.accuracy(), pre, net);
        result.write(job.output(), job.csv());
        if (!result.images().isEmpty()) {
            result.summaryLines().forEach(summary);
        }
    }

    private void monotonicity(ExperimentJob job, MonotonicitySettings s, boolean noNewWork) {
        int t = job.threads();
        Path cp = job.checkpointFile();
        if (noNewWork && nothingToCollect(job, cp)) {
            return;
        }
        ModelLoader.Loaded loaded = ModelLoader.loadWithModel(s.model(), s.importOptions());
        Network net = loaded.network();
        MonotonicityExperiment.Config config = s.configFor(net);
        ImageInputs inputs = config.inputs();
        ImagePreprocessor pre = inputs.preprocessor(net);
        Consumer<String> log = log();
        ImageSource source = new ImageSource(inputs.list(), pre, s.images().classes(), StudyImages.BATCH);
        RunControl<MonotonicityExperiment.ImageResult> rc = new RunControl<>(
                t, job.shard(), cp, true, 0, progress("images", source.files().size(), 1, StudyRunner::line));
        MonotonicityExperiment.Result result;
        if (noNewWork) {
            MonotonicityExperiment.checkCheckpoint(config, rc);
            result = MonotonicityExperiment.fromCheckpoint(cp, loaded, t, StudyImages.BATCH, log);
        } else {
            log.accept(String.format(
                    Locale.ROOT,
                    "nnfrust experiment monotonicity: %s (weights %s), %d images x %d perturbations (a %s), variants %s, batch %d%s",
                    s.model(),
                    ModelIdentity.weights(net),
                    source.files().size(),
                    config.amplitudes().count(),
                    config.amplitudes().label(),
                    String.join(
                            ",", config.variants().stream().map(Variant::label).toList()),
                    StudyImages.BATCH,
                    ", checkpoint " + cp));
            result = MonotonicityExperiment.run(loaded, source, config, rc, log);
        }
        result.warnings().forEach(this::warn);
        skipped(result.skipped());
        accuracy(result.accuracy(), pre, net);
        result.write(job.output(), job.csv());
        if (!result.images().isEmpty()) {
            result.summaryLines().forEach(summary);
        }
    }

    /**
     * Whether an image study without new work has nothing to write: its checkpoint does not exist yet (none of its
     * shards has run). Its output is then left absent, and the stage stays incomplete.
     */
    private boolean nothingToCollect(ExperimentJob job, Path cp) {
        if (Files.exists(cp)) {
            return false;
        }
        log().accept("nnfrust experiment " + job.study().label() + ": no checkpoint " + cp
                + " yet (its shards have not run): nothing to write");
        return true;
    }

    /** The progress line of one image of near-monotonicity: Ω above 0.5 and the class kept, per variant. */
    private static String line(MonotonicityExperiment.ImageResult r, String at) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "[%s] %s:", at, r.file()));
        r.variants().forEach((name, v) -> {
            int n = v.aligned().length;
            double omega = 0;
            int kept = 0;
            for (int p = 0; p < n; p++) {
                omega += v.omega(p);
                kept += v.kept()[p] ? 1 : 0;
            }
            b.append(String.format(
                    Locale.ROOT,
                    " %s Omega>0.5 in %d/%d (mean %.3f, kept %d)",
                    name,
                    Math.round(v.fractionAbove() * n),
                    n,
                    omega / n,
                    kept));
        });
        return b.toString();
    }

    private void skipped(List<ImageSet.Skipped> skipped) {
        for (ImageSet.Skipped s : skipped) {
            messages.accept("nnfrust: skipped " + s.file() + ": " + s.reason());
        }
    }

    /** Warns when the labelled images are classified near chance, or none is labelled. */
    private void accuracy(Accuracy a, ImagePreprocessor pre, Network net) {
        String w = a.warning(
                pre.preset().label(), ModelIdentity.isZoo(net), net.options().overridesInput());
        if (w != null) {
            warn(w);
        }
    }

    /** One line per finished result with done/total and the ETA on {@code messages}; nothing when quiet. */
    private <R> ProgressSink<R> progress(String what, int total, int parallel, BiFunction<R, String, String> line) {
        if (quiet) {
            return null;
        }
        return new ProgressSink<>() {
            private Progress progress;

            @Override
            public synchronized void starting(int alreadyDone, int toRun) {
                progress = new Progress(what, alreadyDone + toRun, alreadyDone, parallel, messages);
                if (alreadyDone > 0) {
                    messages.accept(String.format(
                            Locale.ROOT,
                            "resuming: %d %s read from the checkpoint, %d to run",
                            alreadyDone,
                            what,
                            toRun));
                }
            }

            @Override
            public synchronized void accept(R r) {
                if (progress == null) {
                    progress = new Progress(what, total, 0, parallel, messages);
                }
                messages.accept(line.apply(r, progress.tick()));
            }
        };
    }
}
