package io.nnfrust.reproduce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.CheckpointMerge;
import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.experiment.GraphSummary;
import io.nnfrust.experiment.RestartsMerge;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Progress;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs the stages of a {@link ReproducePlan} in order. Each stage keeps a manifest {@code MODEL/.stages/NAME.json}
 * with its fingerprint (the SHA-256 of its steps' command lines) and whether it completed:
 * <ul>
 *   <li>completed with the same fingerprint and its output present: skipped;</li>
 *   <li>another fingerprint (options changed): its files are removed and it runs anew;</li>
 *   <li>otherwise it continues: restart parts already written are kept, experiments resume from their checkpoints.</li>
 * </ul>
 * A killed run therefore redoes no finished stage and, since every stage's results depend only on its options and
 * seeds, ends with the same results as an uninterrupted one.
 */
public final class Reproduction {
    private Reproduction() {}

    /** Carries out one step of a stage; a failure is an exception naming its cause. */
    @FunctionalInterface
    public interface Executor {
        /**
         * Runs {@code step}; {@code noNewWork} (reproduce --merge-only, experiment steps only): write the results
         * already in the checkpoint and compute nothing new.
         */
        void execute(Stage.Step step, boolean noNewWork);
    }

    /**
     * The executor of reproduce: the graph summary, restart parts and their merge call the library
     * ({@link GraphSummary}, {@link FrustrationRestarts}, {@link RestartsMerge}) with the step's command line as
     * the provenance of what they write ({@link Provenance#begin}); experiments go to {@code experiments} (the
     * library studies: {@link StudyRunner}).
     */
    public static Executor executor(ExperimentRunner experiments) {
        return (step, noNewWork) -> {
            switch (step) {
                case GraphInfoJob j -> {
                    Provenance.begin(j.args());
                    j.run();
                }
                case RestartsJob j -> {
                    Provenance.begin(j.args());
                    j.run();
                }
                case RestartsMergeJob j -> {
                    Provenance.begin(j.args());
                    j.run();
                }
                case ExperimentJob j -> experiments.run(j, noNewWork);
            }
        };
    }

    /** What happened to a stage. */
    public enum Outcome {
        SKIPPED,
        RAN
    }

    /** The state of a stage before running: done (skip), changed (redo), or to continue. */
    public static String state(Stage s) {
        JsonNode m = manifest(s);
        if (m == null) {
            return Files.exists(s.output()) || anyOwned(s) ? "continue" : "new";
        }
        if (!m.path("fingerprint").asText().equals(s.fingerprint())) {
            return "changed";
        }
        return m.path("complete").asBoolean() && Files.isRegularFile(s.output()) ? "done" : "continue";
    }

    /**
     * Runs the stages; {@code log} receives one line per stage and per step, with the ETA of the whole run (the
     * plan's estimates, rescaled by the measured time of the stages run so far).
     */
    public static void run(List<Stage> stages, Executor executor, Consumer<String> log) {
        run(stages, executor, false, log);
    }

    /**
     * As {@link #run(List, Executor, Consumer)}; with {@code mergeOnly} (after the shards of {@code reproduce
     * --shard}) no new work is done: restart stages are merged when all their parts exist, experiments are finished
     * from the merged checkpoints of their shards with {@code --no-new-work}, and what is missing is listed.
     * Returns the number of stages left incomplete (waiting for a merged input, parts or shards missing).
     */
    public static int run(List<Stage> stages, Executor executor, boolean mergeOnly, Consumer<String> log) {
        int left = 0;
        double planned = 0;
        for (Stage s : stages) {
            if (!state(s).equals("done")) {
                planned += s.estimateSeconds();
            }
        }
        double estimatedDone = 0, measured = 0;
        int k = 0;
        for (Stage s : stages) {
            k++;
            String head = String.format(Locale.ROOT, "[stage %d/%d %s/%s]", k, stages.size(), s.model(), s.name());
            String st = state(s);
            if (st.equals("done")) {
                log.accept(head + " done with the same options: skipped (" + s.output() + ")");
                continue;
            }
            if (st.equals("changed")) {
                log.accept(head + " options changed since the last run: its files are removed and it runs anew");
                for (Path p : s.owned()) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new NnfrustException(
                                "cannot remove " + p + " of stage " + s.name() + ": " + e.getMessage());
                    }
                }
            }
            List<Path> missing =
                    s.requires().stream().filter(p -> !Files.isRegularFile(p)).toList();
            if (!missing.isEmpty()) {
                log.accept(head + " waiting for " + missing + " (made by merging the shards of an earlier stage: run "
                        + "reproduce --merge-only, then this shard again)");
                left++;
                continue;
            }
            if (s.kind() == Stage.Kind.EXPERIMENT
                    && s.checkpoint() != null
                    && !s.name().contains(".shard-")) {
                mergeShards(s, log);
            }
            if (mergeOnly && s.kind() == Stage.Kind.RESTARTS) {
                List<Integer> parts = new ArrayList<>();
                for (int i = 0; i + 1 < s.steps().size(); i++) {
                    if (!Files.isRegularFile(s.steps().get(i).output())) {
                        parts.add(i + 1);
                    }
                }
                if (!parts.isEmpty()) {
                    log.accept(head + " parts " + parts + " of " + (s.steps().size() - 1)
                            + " are missing (their shards " + "have not finished): not merged");
                    left++;
                    continue;
                }
            }
            double togo = planned - estimatedDone;
            // rescale the plan by the measured pace only once a tenth of it is done (small stages say little)
            double scale = estimatedDone >= 0.1 * planned && estimatedDone > 0 ? measured / estimatedDone : 1;
            log.accept(String.format(
                    Locale.ROOT,
                    "%s %s%s; ETA of the run %s",
                    head,
                    s.summary(),
                    st.equals("continue") ? " (continuing)" : "",
                    Progress.duration(togo * scale)));
            writeManifest(s, false, 0);
            long t0 = System.nanoTime();
            int n = 0;
            for (Stage.Step step : s.steps()) {
                n++;
                if (step.onceOnly() && Files.isRegularFile(step.output())) {
                    continue;
                }
                try {
                    executor.execute(step, mergeOnly && s.kind() == Stage.Kind.EXPERIMENT);
                } catch (NnfrustException e) {
                    throw new NnfrustException(String.format(
                            Locale.ROOT,
                            "stage %s/%s failed (%s) at: %s; fix "
                                    + "the cause and run reproduce again: finished stages and parts are kept",
                            s.model(),
                            s.name(),
                            e.getMessage(),
                            step.commandLine()));
                }
                if (s.steps().size() > 2 && step.onceOnly()) {
                    double sec = (System.nanoTime() - t0) / 1e9;
                    log.accept(String.format(
                            Locale.ROOT,
                            "%s part %d/%d done (%s)",
                            head,
                            n,
                            s.steps().size() - 1,
                            Progress.duration(sec)));
                }
            }
            if (!complete(s.output()) && mergeOnly) {
                log.accept(head + " incomplete: some of its shards have not finished (" + s.output() + " says "
                        + "complete false); run them, then --merge-only again");
                left++;
                continue;
            }
            if (!complete(s.output())) {
                throw new NnfrustException("stage " + s.model() + "/" + s.name() + ": " + s.output()
                        + " is not complete; run reproduce again to continue it");
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            writeManifest(s, true, sec);
            if (!st.equals("continue")) { // a continued stage's time says nothing about the pace
                estimatedDone += s.estimateSeconds();
                measured += sec;
            } else {
                planned -= s.estimateSeconds();
            }
            log.accept(String.format(
                    Locale.ROOT,
                    "%s done in %s (planned %s)",
                    head,
                    Progress.duration(sec),
                    Progress.duration(s.estimateSeconds())));
        }
        return left;
    }

    /**
     * Before an experiment stage of the whole run: when checkpoints of its shards ({@code NAME.shard-K-of-N.jsonl})
     * exist and one is newer than its checkpoint (or that does not exist), they are merged into it (replacing it: in
     * a sharded run the stage's checkpoint is made from its shards), so the stage finds their work done.
     */
    static void mergeShards(Stage s, Consumer<String> log) {
        Path dir = s.checkpoint().getParent();
        String stem = s.output().getFileName().toString().replace(".json", "") + ".shard-";
        List<Path> shards;
        try (var files = Files.list(dir)) {
            shards = files.filter(p -> p.getFileName().toString().startsWith(stem)
                            && p.getFileName().toString().endsWith(".jsonl"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new NnfrustException("cannot list " + dir + ": " + e.getMessage());
        }
        if (shards.isEmpty() || !newer(shards, s.checkpoint())) {
            return;
        }
        var sum = CheckpointMerge.merge(shards, s.checkpoint(), true, log);
        log.accept(String.format(
                Locale.ROOT,
                "[%s/%s] merged %d of %d shard checkpoints (%d results)%s",
                s.model(),
                s.name(),
                sum.shards(),
                sum.of(),
                sum.results(),
                sum.missingShards().isEmpty() ? "" : "; shards " + sum.missingShards() + " missing"));
    }

    /** True when a stage output exists and does not say {@code "complete": false}. */
    static boolean complete(Path output) {
        if (!Files.isRegularFile(output)) {
            return false;
        }
        try {
            JsonNode j = new ObjectMapper().readTree(output.toFile());
            return j != null && j.path("complete").asBoolean(true);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean anyOwned(Stage s) {
        for (Path p : s.owned()) {
            if (Files.exists(p)) {
                return true;
            }
        }
        return false;
    }

    static Path manifestPath(Stage s) {
        return s.output().getParent().resolve(".stages").resolve(s.name() + ".json");
    }

    private static JsonNode manifest(Stage s) {
        Path f = manifestPath(s);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(f.toFile());
        } catch (IOException e) {
            return null; // unreadable: the stage continues from its files
        }
    }

    private static void writeManifest(Stage s, boolean complete, double seconds) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("stage", s.name());
        o.put("model", s.model());
        o.put("fingerprint", s.fingerprint());
        o.put("complete", complete);
        if (complete) {
            o.put("seconds", seconds);
        }
        var cmds = o.putArray("commands");
        s.steps().forEach(x -> cmds.add(x.commandLine()));
        Path f = manifestPath(s);
        try {
            Files.createDirectories(f.getParent());
            AtomicFiles.write(
                    f,
                    os -> os.write(m.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(o)
                            .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new NnfrustException("cannot write " + f + ": " + e.getMessage());
        }
    }

    private static boolean newer(List<Path> shards, Path than) {
        if (!Files.exists(than)) {
            return true;
        }
        try {
            long t = Files.getLastModifiedTime(than).toMillis();
            for (Path p : shards) {
                if (Files.getLastModifiedTime(p).toMillis() >= t) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
