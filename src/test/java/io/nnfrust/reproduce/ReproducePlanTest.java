package io.nnfrust.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nnfrust.experiment.Shard;
import io.nnfrust.inference.ImagePreprocessor;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.PoolWeightRule;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The plan of reproduce, stage by stage: names, files, estimates, fingerprints and every step's command line equal
 * those written by the plan before its steps became typed jobs (issue 23), kept in
 * {@code src/test/resources/reproduce/plans.txt}, so existing stage manifests stay valid and the report's figures
 * (which print the stage commands) are unchanged. Sharded plans included: the typed shard rewriting equals the old
 * argument-list rewriting.
 */
class ReproducePlanTest {
    static final Map<String, Double> PRODUCT =
            Map.of("zoo:squeezenet1.1", 0.25, "nets/alex net.onnx", 1.5, "models/squeezenet1.1-caffe.onnx", 0.125);

    static ReproducePlan.Options paper() {
        return new ReproducePlan.Options(
                List.of("zoo:squeezenet1.1", "nets/alex net.onnx"),
                ImportOptions.DEFAULT,
                null,
                Preset.PAPER,
                1,
                2,
                Path.of("out"),
                0);
    }

    static ReproducePlan.Options quick() {
        return new ReproducePlan.Options(
                List.of("models/squeezenet1.1-caffe.onnx"),
                new ImportOptions(96, 96, AddConvention.NODE, PoolWeightRule.MAX_SIDE, BatchNormConvention.NODE),
                new StudyImages(Path.of("imgs"), ImagePreprocessor.Preset.CAFFE, Path.of("syn words.txt"), 256),
                Preset.QUICK.withAlgorithm1Restarts(7).withSolver("algorithm1").withNullRestarts(3),
                7,
                3,
                Path.of("/tmp/o u t"),
                2);
    }

    static String dump() {
        StringBuilder b = new StringBuilder();
        dump(b, "paper", ReproducePlan.stages(paper(), PRODUCT));
        dump(b, "paper shard 2/2", ReproducePlan.stages(paper(), PRODUCT, new Shard(2, 2)));
        dump(b, "quick", ReproducePlan.stages(quick(), PRODUCT));
        for (int k = 1; k <= 3; k++) {
            dump(b, "quick shard " + k + "/3", ReproducePlan.stages(quick(), PRODUCT, new Shard(k, 3)));
        }
        return b.toString();
    }

    private static void dump(StringBuilder b, String title, List<Stage> stages) {
        b.append("== ").append(title).append('\n');
        for (Stage s : stages) {
            b.append("stage ")
                    .append(s.model())
                    .append(' ')
                    .append(s.name())
                    .append(" kind=")
                    .append(s.kind())
                    .append(" output=")
                    .append(s.output())
                    .append(" checkpoint=")
                    .append(s.checkpoint())
                    .append(" estimate=")
                    .append(s.estimateSeconds())
                    .append(" fingerprint=")
                    .append(s.fingerprint())
                    .append('\n');
            b.append("  summary: ").append(s.summary()).append('\n');
            b.append("  owned: ").append(s.owned()).append('\n');
            b.append("  requires: ").append(s.requires()).append('\n');
            for (var step : s.steps()) {
                b.append("  step once=")
                        .append(step.onceOnly())
                        .append(" output=")
                        .append(step.output())
                        .append(": ")
                        .append(step.commandLine())
                        .append('\n');
            }
        }
    }

    @Test
    void everyStageAndCommandLineEqualsTheOldPlans() throws IOException {
        String actual = dump();
        if (Boolean.getBoolean("plans.write")) {
            Files.writeString(Path.of("src/test/resources/reproduce/plans.txt"), actual);
        }
        String expected;
        try (InputStream in = ReproducePlanTest.class.getResourceAsStream("/reproduce/plans.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(expected, actual);
    }
}
