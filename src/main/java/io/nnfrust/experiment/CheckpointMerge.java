package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Merges the checkpoints of the N shards of one experiment into the checkpoint of the whole run. It checks that
 * every shard comes from the same configuration (model SHA-256, options, seeds), output schema and nnfrust
 * version, that each shard K of 1..N is given once, that no result appears twice, and that every line's check
 * holds. The merged file has the unsharded header and every result re-checked against it, so that the
 * unsharded command run with {@code --resume} on it finds every task done and writes the outputs exactly as an
 * unsharded run would (docs/cluster.md). Side files of the image experiments' spins ({@code .real.spins},
 * {@code .N3.spins}: the same seeds give the same spins in every shard) are copied when all shards agree.
 */
public final class CheckpointMerge {
    private CheckpointMerge() {}

    /**
     * What the merge found: shards merged of how many, results, lines dropped, missing shards, the study and
     * configuration the shards share (their headers'), the merged result lines (without their checks) and the
     * recorded command of the first shard (provenance text only).
     */
    public record Summary(
            int shards,
            int of,
            int results,
            int droppedLines,
            List<Integer> missingShards,
            Study study,
            JsonNode config,
            List<JsonNode> resultLines,
            List<String> command) {
        public Summary {
            missingShards = List.copyOf(missingShards);
            resultLines = List.copyOf(resultLines);
            command = List.copyOf(command);
        }
    }

    /**
     * Merges {@code shardFiles} into the checkpoint {@code out} of the whole run (null: none is written; the
     * {@link Summary} holds the merged results).
     */
    public static Summary merge(List<Path> shardFiles, Path out, boolean allowPartial, Consumer<String> log) {
        if (shardFiles.isEmpty()) {
            throw new NnfrustException("merge: no shard checkpoints given");
        }
        ObjectMapper m = new ObjectMapper();
        JsonNode config = null;
        Study study = null;
        Study headerStudy = null; // written again only where the shards wrote it
        List<String> command = List.of();
        String version = null;
        int count = -1;
        Path first = null;
        Map<Integer, Path> byIndex = new LinkedHashMap<>();
        Map<String, JsonNode> results = new LinkedHashMap<>(); // result key -> body (without check)
        Map<String, Path> resultFrom = new LinkedHashMap<>();
        int dropped = 0;
        for (Path f : shardFiles) {
            if (!Files.isRegularFile(f)) {
                throw new NnfrustException("merge: shard checkpoint not found: " + f);
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new NnfrustException("merge: cannot read " + f + ": " + e.getMessage());
            }
            JsonNode h = lines.isEmpty() ? null : parse(m, lines.get(0));
            if (h == null || !"header".equals(h.path("type").asText())) {
                throw new NnfrustException("merge: " + f + " is not an nnfrust checkpoint (no header line)");
            }
            String shard = h.path("shard").asText("");
            Shard s = shard.isEmpty() ? Shard.ALL : Shard.parse(shard, Map.of()); // no shard: the whole run, 1/1
            Study kind = Study.ofHeader(h, f.toString());
            if (config == null) {
                study = kind;
                headerStudy = h.hasNonNull("study") ? kind : null;
                config = h.get("config");
                version = h.path("nnfrust").asText();
                command = new ArrayList<>();
                for (JsonNode a : h.path("command")) {
                    command.add(a.asText());
                }
                count = s.count();
                first = f;
            } else {
                if (kind != study) {
                    throw new NnfrustException("merge: " + f + " is a checkpoint of experiment " + kind + ", " + first
                            + " of experiment " + study + "; merge only the shards of one run");
                }
                if (!config.equals(h.get("config"))) {
                    throw new NnfrustException("merge: " + f + " was run with other options, model or seed than "
                            + first + "; merge only the shards of one run");
                }
                if (!version.equals(h.path("nnfrust").asText())) {
                    throw new NnfrustException("merge: " + f + " was written by nnfrust "
                            + h.path("nnfrust").asText() + ", " + first + " by " + version
                            + "; rerun the shards with one version");
                }
                if (s.count() != count) {
                    throw new NnfrustException("merge: " + f + " is shard " + s + ", " + first + " of " + count
                            + " shards; merge only the shards of one run");
                }
            }
            if (h.path("schemaVersion").asInt(1) != Provenance.SCHEMA_VERSION) {
                throw new NnfrustException("merge: " + f + " has output schema "
                        + h.path("schemaVersion").asInt(1) + "; this nnfrust reads " + Provenance.SCHEMA_VERSION);
            }
            Path before = byIndex.put(s.index(), f);
            if (before != null) {
                throw new NnfrustException("merge: shard " + s + " is given twice (" + before + " and " + f + ")");
            }
            for (int i = 1; i < lines.size(); i++) {
                JsonNode r = Checkpoint.verified(m, lines.get(0), lines.get(i));
                if (r == null) {
                    if (!lines.get(i).isBlank()) {
                        dropped++;
                    }
                    continue;
                }
                String key = key(r);
                ObjectNode body = ((ObjectNode) r).deepCopy();
                body.remove("check");
                if (results.containsKey(key)) {
                    throw new NnfrustException("merge: result " + key + " appears in " + resultFrom.get(key) + " and "
                            + f + "; each task must come from one shard");
                }
                results.put(key, body);
                resultFrom.put(key, f);
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            if (!byIndex.containsKey(k)) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty() && !allowPartial) {
            throw new NnfrustException("merge: shard" + (missing.size() == 1 ? " " : "s ") + join(missing) + " of "
                    + count + " missing; give every shard's checkpoint, or --allow-partial to merge what is there");
        }
        if (dropped > 0) {
            log.accept("nnfrust: warning: merge dropped " + dropped + " result line" + (dropped == 1 ? "" : "s")
                    + " whose check does not hold (cut by a kill or edited); that work runs again on --resume");
        }
        if (out != null) {
            String header = Checkpoint.header(m, (ObjectNode) config, Shard.ALL, headerStudy, command);
            StringBuilder text = new StringBuilder(header).append('\n');
            for (JsonNode body : results.values()) {
                text.append(Checkpoint.sign(header, body.toString())).append('\n');
            }
            AtomicFiles.write(out, os -> os.write(text.toString().getBytes(StandardCharsets.UTF_8)));
            for (String side : new String[] {".real.spins", ".N3.spins"}) {
                copySide(byIndex, side, out, log);
            }
        }
        return new Summary(
                byIndex.size(),
                count,
                results.size(),
                dropped,
                missing,
                study,
                config,
                new ArrayList<>(results.values()),
                command);
    }

    /** A result's identity: the task (group/replica/instance) or the image index. */
    static String key(JsonNode r) {
        if (r.has("group")) {
            return r.path("group").asText() + "/" + r.path("replica").asInt() + "/"
                    + r.path("instance").asInt();
        }
        if (r.has("index")) {
            return "image " + r.path("index").asInt() + " (" + r.path("file").asText() + ")";
        }
        return r.toString();
    }

    private static void copySide(Map<Integer, Path> shards, String suffix, Path out, Consumer<String> log) {
        SpinFile agreed = null;
        for (Path p : shards.values()) {
            Path side = Path.of(p + suffix);
            if (!Files.isRegularFile(side)) {
                continue;
            }
            try {
                SpinFile s = SpinFile.read(side);
                if (agreed != null && !Arrays.equals(agreed.spins(), s.spins())) {
                    log.accept(
                            "nnfrust: warning: the shards' " + suffix + " differ; not copied (recomputed on --resume)");
                    return;
                }
                if (agreed == null) {
                    agreed = s;
                }
            } catch (NnfrustException e) {
                log.accept("nnfrust: warning: " + side + " cannot be read (" + e.getMessage() + "); the shards' "
                        + suffix + " not copied (recomputed on --resume)");
                return;
            }
        }
        if (agreed != null) {
            agreed.write(Path.of(out + suffix));
        }
    }

    private static JsonNode parse(ObjectMapper m, String line) {
        try {
            return m.readTree(line);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String join(List<Integer> v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(v.get(i));
        }
        return b.toString();
    }
}
