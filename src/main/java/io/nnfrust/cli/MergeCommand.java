package io.nnfrust.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.ActiveExperiment;
import io.nnfrust.experiment.CheckpointMerge;
import io.nnfrust.experiment.FrustrationExperiment;
import io.nnfrust.experiment.FrustrationExperiment.Config;
import io.nnfrust.experiment.FrustrationExperiment.Result;
import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.RestartsMerge;
import io.nnfrust.experiment.Study;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.Network;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust merge}: the shards' checkpoints of one experiment into the checkpoint of the whole run. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Merge the shards of one run (docs/cluster.md).",
            "Experiments: the shards' checkpoints into the checkpoint of the whole run (--checkpoint), and with "
                    + "--output (and --csv) the result of the whole run, exactly as an unsharded run writes it.",
            "'nnfrust frustration': the shards' --output files into the JSON of the whole run (--output, and "
                    + "--spins for the best spins)."
        })
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "FILE", description = "The merged checkpoint to write (experiments).")
    Path output;

    @Option(
            names = "--output",
            paramLabel = "FILE",
            description =
                    "The merged JSON result to write: of 'nnfrust frustration' shards (their --output files), or of an experiment's shards (their checkpoints; the result is that of an unsharded run).")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "With --output of an experiment: also its CSV.")
    Path csv;

    @Option(
            names = "--spins",
            paramLabel = "FILE",
            description = "With --output: copy the best restart's spin file here.")
    Path spins;

    @Option(
            names = "--threads",
            description =
                    "With --output of 'experiment frustration --bounds K': threads of the bounds (default: all cores). Results do not depend on it.")
    Integer threads;

    @Option(
            names = "--allow-partial",
            description =
                    "Merge the shards that are there and list the missing ones (default: missing shards are an error).")
    boolean allowPartial;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "The shards' checkpoint files (.jsonl).")
    List<Path> shards;

    @Override
    public Integer call() {
        if (output == null && json == null) {
            throw new NnfrustException("merge: give --output FILE (the merged result) or --checkpoint "
                    + "FILE (the merged checkpoint of an experiment)");
        }
        boolean checkpoints = isCheckpoint(shards.get(0));
        if (json != null && !checkpoints) {
            if (output != null || csv != null) {
                throw new NnfrustException("merge: " + shards.get(0) + " is an output of 'nnfrust "
                        + "frustration'; --checkpoint and --csv belong to experiment checkpoints");
            }
            System.out.println(
                    RestartsMerge.merge(shards, json, spins, allowPartial).describe());
            return 0;
        }
        if (spins != null) {
            throw new NnfrustException("merge: --spins belongs to 'nnfrust frustration' outputs; an "
                    + "experiment's spins travel with its checkpoint");
        }
        if (threads != null && threads < 1) {
            throw new NnfrustException("--threads must be at least 1, got " + threads);
        }
        // every file this merge writes, checked before reading the shards: only the user's own arguments name them
        OutputSet outs =
                new OutputSet().file("--output", json).file("--csv", csv).file("--checkpoint", output);
        refuseShardAsOutput("--output", json);
        refuseShardAsOutput("--csv", csv);
        refuseShardAsOutput("--checkpoint", output);
        // the shards are merged into a temporary checkpoint beside the first output; the merged checkpoint appears
        // at --checkpoint only with the result, at the commit of the output set (nothing half-written on failure)
        Path first = json != null ? json : output;
        Path merged = first.toAbsolutePath()
                .resolveSibling("." + first.getFileName() + ".merged-"
                        + ProcessHandle.current().pid() + ".jsonl");
        try {
            if (json != null) {
                return mergeToOutput(outs, merged);
            }
            CheckpointMerge.Summary s = CheckpointMerge.merge(shards, merged, allowPartial, System.err::println);
            stageCheckpoint(outs, merged);
            outs.commit();
            if (s.study() == null) {
                System.out.println("(these checkpoints do not name their study: written before nnfrust recorded it)");
            }
            System.out.printf(
                    "merged %d of %d shards: %d results into %s%s%n",
                    s.shards(),
                    s.of(),
                    s.results(),
                    output,
                    s.missingShards().isEmpty() ? "" : " (missing shards " + s.missingShards() + ")");
            System.out.println("next: 'nnfrust merge --output FILE' on the same shards writes the result; or the same "
                    + "experiment command without --shard, with --checkpoint " + output + " --resume");
            return 0;
        } finally {
            outs.discard();
            for (String suffix : SIDES) {
                AtomicFiles.deleteQuietly(Path.of(merged + suffix));
            }
            AtomicFiles.deleteQuietly(merged.resolveSibling("." + merged.getFileName() + ".lock"));
        }
    }

    /** The merged checkpoint and its side files of spins ("" is the checkpoint itself). */
    private static final String[] SIDES = {"", ".real.spins", ".N3.spins"};

    private void refuseShardAsOutput(String option, Path out) {
        if (out == null) {
            return;
        }
        Path abs = out.toAbsolutePath().normalize();
        for (Path p : shards) {
            Path shard = p.toAbsolutePath().normalize();
            if (shard.equals(abs)
                    || Path.of(shard + ".real.spins").equals(abs)
                    || Path.of(shard + ".N3.spins").equals(abs)) {
                throw new NnfrustException("merge: " + option + " " + out + " is also a shard (or one of its spin "
                        + "files); write the merged output to a new file");
            }
        }
    }

    /**
     * Stages the temporary merged checkpoint (and the spin files beside it) for --checkpoint, when given; a spin
     * file of an earlier merge at --checkpoint that this merge does not write is removed at the commit.
     */
    private void stageCheckpoint(OutputSet outs, Path merged) {
        if (output == null) {
            return;
        }
        for (String suffix : SIDES) {
            Path from = Path.of(merged + suffix), to = Path.of(output + suffix);
            if (Files.isRegularFile(from)) {
                outs.stage(to, os -> Files.copy(from, os));
            } else if (!suffix.isEmpty()) {
                outs.remove(to);
            }
        }
    }

    /** True when the file's first line is an nnfrust checkpoint header. */
    private static boolean isCheckpoint(Path f) {
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            return first != null && first.startsWith("{") && first.contains("\"type\":\"header\"");
        } catch (IOException e) {
            return false; // the merge that follows says what is wrong with the file
        }
    }

    /** The study that the first shard's header names (null: none; an unknown one is an error). */
    private static Study studyOf(Path f) {
        JsonNode h;
        try (var r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            h = new ObjectMapper().readTree(r.readLine());
        } catch (IOException | RuntimeException e) {
            throw new NnfrustException("merge: cannot read the header line of " + f + " ("
                    + e.getClass().getSimpleName() + "); give the shards' checkpoint files as their runs wrote them");
        }
        if (h == null || !h.isObject()) {
            throw new NnfrustException("merge: the first line of " + f + " is not a checkpoint header; give the shards'"
                    + " checkpoint files as their runs wrote them");
        }
        return Study.ofHeader(h, f.toString());
    }

    /**
     * The shards' checkpoints merged (into --checkpoint when given) and the result of the whole run written to
     * --output and --csv, by the library of the study that the checkpoints name (their headers' study, one of
     * {@link Study}).
     */
    private int mergeToOutput(OutputSet outs, Path merged) {
        Study study = studyOf(shards.get(0));
        if (study == null) {
            throw new NnfrustException("merge: " + shards.get(0) + " does not name the study that wrote it (an older"
                    + " nnfrust); merge with --checkpoint FILE and run that experiment with --checkpoint FILE --resume"
                    + " --output " + json);
        }
        CheckpointMerge.Summary s = switch (study) {
            case FRUSTRATION -> mergeFrustration(outs, merged);
            case ACTIVE, MONOTONICITY -> mergeImages(study, outs, merged);
        };
        System.out.printf(
                "merged %d of %d shards: %d results into %s%s%s%n",
                s.shards(),
                s.of(),
                s.results(),
                json,
                csv == null ? "" : " and " + csv,
                s.missingShards().isEmpty()
                        ? ""
                        : " (missing shards " + s.missingShards() + ": the result says complete false)");
        return 0;
    }

    /**
     * {@code experiment frustration}: the result rebuilt from the shards' shared typed configuration and their
     * result lines ({@link FrustrationExperiment#merge}); the model is loaded (and checked against the
     * configuration's SHA-256) for its identity and, with bounds, for the certified intervals. Nothing recorded in
     * the checkpoints runs; only --output, --csv and --checkpoint are written.
     */
    private CheckpointMerge.Summary mergeFrustration(OutputSet outs, Path merged) {
        CheckpointMerge.Summary s = CheckpointMerge.merge(shards, merged, allowPartial, System.err::println);
        if (s.study() != Study.FRUSTRATION) {
            throw new NnfrustException("merge: the shards are not all of experiment frustration");
        }
        Config c = Config.fromJson(s.config());
        Network net = FrustrationExperiment.loadModel(c);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Result r = FrustrationExperiment.merge(net, c, s.resultLines(), t, x -> {});
        String text = r.jsonText();
        outs.stage(json, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        if (csv != null) {
            String table = r.csvText();
            outs.stage(csv, os -> os.write(table.getBytes(StandardCharsets.UTF_8)));
        }
        stageCheckpoint(outs, merged);
        outs.commit();
        return s;
    }

    /**
     * {@code experiment active|monotonicity}: the shards' checkpoints merged into a temporary checkpoint, then the
     * study's result rebuilt from its typed configuration and result lines ({@link ActiveExperiment#fromCheckpoint},
     * {@link MonotonicityExperiment#fromCheckpoint}); the model is the configuration's, checked by its SHA-256; the
     * active study's ε_R is the one its shards recorded. Nothing recorded in the checkpoints runs; only --output,
     * --csv and --checkpoint are written, together, once the result is built.
     */
    private CheckpointMerge.Summary mergeImages(Study study, OutputSet outs, Path merged) {
        CheckpointMerge.Summary s = CheckpointMerge.merge(shards, merged, allowPartial, System.err::println);
        if (s.study() != study) {
            throw new NnfrustException("merge: the shards are not all of experiment " + study);
        }
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        String text;
        Supplier<String> table;
        if (study == Study.ACTIVE) {
            ActiveExperiment.Config c = ActiveExperiment.Config.fromJson(s.config());
            ActiveExperiment.EpsilonR eR = ActiveExperiment.epsilonROfShards(shards);
            var loaded =
                    ModelLoader.loadWithModel(c.inputs().model(), c.inputs().importOptions());
            var r = ActiveExperiment.fromCheckpoint(merged, loaded, eR, t, ImageOptions.DEFAULT_BATCH);
            text = r.toJsonText().stripTrailing();
            table = r::toCsv;
        } else {
            MonotonicityExperiment.Config c = MonotonicityExperiment.Config.fromJson(s.config());
            var loaded =
                    ModelLoader.loadWithModel(c.inputs().model(), c.inputs().importOptions());
            var r = MonotonicityExperiment.fromCheckpoint(merged, loaded, t, ImageOptions.DEFAULT_BATCH, x -> {});
            text = r.toJsonText().stripTrailing();
            table = r::toCsv;
        }
        outs.stage(json, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        if (csv != null) {
            String csvText = table.get();
            outs.stage(csv, os -> os.write(csvText.getBytes(StandardCharsets.UTF_8)));
        }
        stageCheckpoint(outs, merged);
        outs.commit();
        return s;
    }
}
