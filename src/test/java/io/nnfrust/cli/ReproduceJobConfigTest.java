package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.Shard;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.PoolWeightRule;
import io.nnfrust.reproduce.ExperimentJob;
import io.nnfrust.reproduce.ExperimentJob.ActiveSettings;
import io.nnfrust.reproduce.ExperimentJob.FrustrationSettings;
import io.nnfrust.reproduce.ExperimentJob.MonotonicitySettings;
import io.nnfrust.reproduce.Preset;
import io.nnfrust.reproduce.ReproducePlan;
import io.nnfrust.reproduce.Stage;
import io.nnfrust.reproduce.StudyImages;
import io.nnfrust.testing.SmallOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Reproduce's experiment jobs hold typed configurations and run them through the library; their command lines are
 * provenance only. This checks that the two say the same: each job's command line, parsed by the real command class
 * ({@code experiment frustration}, {@code active}, {@code monotonicity}), gives the configuration (for the loaded
 * model), the ε_R reference and the run settings (output, CSV, checkpoint, resume, shard, threads) the job runs with.
 */
class ReproduceJobConfigTest {
    @TempDir
    Path dir;

    @Test
    void everyExperimentJobsConfigurationIsTheOneItsCommandLineGives() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(5).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 5, 3);
        Path synsets = images.resolve("synset_words.txt");
        ImportOptions importOptions =
                new ImportOptions(0, 0, AddConvention.NODE, PoolWeightRule.MAX_SIDE, BatchNormConvention.NODE);
        Preset preset = Preset.QUICK
                .withSolver("algorithm1")
                .withNulls(3, 2, 2, 1)
                .withImages(4, 5, 6)
                .withNullRestarts(3);
        List<ExperimentJob> jobs = new ArrayList<>();
        for (ReproducePlan.Options o : List.of(
                new ReproducePlan.Options(
                        List.of(model.toString()),
                        importOptions,
                        new StudyImages(images, ImagePreprocessor.Preset.RAW, synsets, 8),
                        preset,
                        11,
                        2,
                        dir.resolve("out"),
                        1),
                new ReproducePlan.Options(
                        List.of(model.toString()),
                        ImportOptions.DEFAULT,
                        new StudyImages(images, ImagePreprocessor.Preset.CAFFE, null, null),
                        Preset.QUICK,
                        3,
                        1,
                        dir.resolve("out2")))) {
            for (Shard shard : List.of(Shard.ALL, new Shard(2, 3))) {
                for (Stage s : ReproducePlan.stages(o, Map.of(), shard)) {
                    if (s.steps().get(0) instanceof ExperimentJob j) {
                        jobs.add(j);
                    }
                }
            }
        }
        Set<ExperimentJob.Study> seen = EnumSet.noneOf(ExperimentJob.Study.class);
        for (ExperimentJob job : jobs) {
            seen.add(job.study());
            Object command = parse(job.args());
            Network net =
                    ModelLoader.load(job.settings().model(), job.settings().importOptions());
            ExperimentRunOptions run;
            SolverOptionsMixin solver;
            switch (job.settings()) {
                case FrustrationSettings s -> {
                    var c = assertInstanceOf(ExperimentCommand.Frustration.class, command);
                    assertEquals(c.config(), s.config(), job.commandLine());
                    assertEquals(c.config().withModelSha256(net.sha256()), s.configFor(net), job.commandLine());
                    run = c.run;
                    solver = c.solverOptions;
                }
                case ActiveSettings s -> {
                    var c = assertInstanceOf(ActiveCommand.class, command);
                    Files.createDirectories(s.reference().getParent());
                    Files.writeString(s.reference(), "{\"epsilonBest\": 0.125}");
                    assertEquals(c.config(net), s.configFor(net), job.commandLine());
                    assertEquals(c.reference(), ActiveExperiment.Reference.file(s.reference()), job.commandLine());
                    assertEquals(c.imageOptions.batch, StudyImages.BATCH);
                    run = c.run;
                    solver = c.solverOptions;
                }
                case MonotonicitySettings s -> {
                    var c = assertInstanceOf(MonotonicityCommand.class, command);
                    assertEquals(c.config(net), s.configFor(net), job.commandLine());
                    assertEquals(c.imageOptions.batch, StudyImages.BATCH);
                    assertEquals(null, c.plots);
                    run = c.run;
                    solver = c.solverOptions;
                }
            }
            String line = job.commandLine();
            assertEquals(job.output(), run.output, line);
            assertEquals(job.csv(), run.csv, line);
            assertEquals(
                    job.checkpointFile(), run.checkpoint != null ? run.checkpoint : Path.of(run.output + ".jsonl"));
            assertTrue(run.resume, line);
            assertEquals(0, run.stopAfter, line);
            assertEquals(job.shard(), run.shard(), line);
            assertEquals(job.threads(), solver.threads(), line);
        }
        assertEquals(EnumSet.allOf(ExperimentJob.Study.class), seen);
        assertTrue(jobs.size() >= 16, "two plans, whole and shard, five experiment stages each: " + jobs.size());
    }

    @Test
    void reproduceRunsNoCommandLine() throws Exception {
        assertFalse(
                Files.readString(Path.of("src/main/java/io/nnfrust/cli/ReproduceCommand.java"))
                        .contains("runInProcess"),
                "reproduce calls the library studies; its command lines are provenance only");
        assertFalse(Files.exists(Path.of("src/main/java/io/nnfrust/cli/InProcessExperimentRunner.java")));
    }

    /** The command object that {@code nnfrust ARGS} runs, its options set from {@code args}. */
    private static Object parse(List<String> args) {
        CommandLine.ParseResult r = Main.commandLine().parseArgs(args.toArray(String[]::new));
        while (r.hasSubcommand()) {
            r = r.subcommand();
        }
        return r.commandSpec().userObject();
    }
}
