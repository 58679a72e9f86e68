package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the JSON of the shards of one run of {@link FrustrationRestarts} (the --output files of {@code nnfrust
 * frustration --shard}, the restart parts of {@code nnfrust reproduce}) into the JSON of the whole run:
 * the restarts of all shards in index order, and from them ε best (lowest restart index on ties, as the
 * unsharded run), mean and sample sd, the best restart's local-minimum flag and frustration map; with
 * {@code spins} the best shard's spin file is copied. Checks: same model (SHA-256), solver, seed, restart count
 * and solver options, each shard once, every restart present once.
 */
public final class RestartsMerge {
    private RestartsMerge() {}

    /** The provenance settings every shard of one run shares. */
    private static final String[] SAME = {
        FrustrationRestarts.SOLVER,
        FrustrationRestarts.SEED,
        FrustrationRestarts.RESTARTS,
        FrustrationRestarts.INITIAL_FLIPS,
        FrustrationRestarts.MAX_ITERATIONS,
        FrustrationRestarts.SWEEPS,
        FrustrationRestarts.T_START,
        FrustrationRestarts.T_END
    };

    /**
     * What a merge did.
     *
     * @param shards        the shards merged
     * @param of            the shards of the run
     * @param restarts      the restarts merged
     * @param epsilonBest   ε of the best restart
     * @param bestRestart   its index
     * @param output        the merged JSON
     * @param missingShards the shards not given (only with {@code allowPartial})
     */
    public record Summary(
            int shards,
            int of,
            int restarts,
            double epsilonBest,
            int bestRestart,
            Path output,
            List<Integer> missingShards) {
        public Summary {
            missingShards = List.copyOf(missingShards);
        }

        /** One line for the user. */
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "merged %d of %d shards: %d restarts, epsilon best %.6f (restart %d)" + " into %s%s",
                    shards,
                    of,
                    restarts,
                    epsilonBest,
                    bestRestart,
                    output,
                    missingShards.isEmpty() ? "" : " (missing shards " + missingShards + ")");
        }
    }

    /**
     * Merges the shards' JSON {@code files} into {@code out} and, when {@code spinsOut} is not null, copies the best
     * restart's spin file there (both written together). Every shard must be given unless {@code allowPartial}.
     */
    public static Summary merge(List<Path> files, Path out, Path spinsOut, boolean allowPartial) {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        OutputSet outs = new OutputSet().file("--output", out).file("--spins", spinsOut);
        List<ObjectNode> shards = new ArrayList<>();
        Map<Integer, Path> byIndex = new TreeMap<>();
        TreeMap<Integer, JsonNode> restarts = new TreeMap<>();
        Map<Integer, Integer> restartShard = new TreeMap<>();
        int count = -1;
        for (Path f : files) {
            ObjectNode j = read(m, f);
            if (!j.has(FrustrationRestarts.RESTARTS)
                    || !j.has(FrustrationRestarts.EPSILONS)
                    || !j.has(Provenance.PROVENANCE)) {
                throw new NnfrustException("merge: " + f + " is not the --output JSON of 'nnfrust frustration'");
            }
            Shard s = j.has(FrustrationRestarts.SHARD)
                    ? Shard.parse(j.get(FrustrationRestarts.SHARD).asText(), Map.of())
                    : Shard.ALL;
            ObjectNode first = shards.isEmpty() ? j : shards.get(0);
            Path firstFile = shards.isEmpty() ? f : files.get(0);
            if (!shards.isEmpty()) {
                String
                        a =
                                first.path(Provenance.PROVENANCE)
                                        .path(ModelIdentity.MODEL)
                                        .path(ModelIdentity.SHA256)
                                        .asText(),
                        b =
                                j.path(Provenance.PROVENANCE)
                                        .path(ModelIdentity.MODEL)
                                        .path(ModelIdentity.SHA256)
                                        .asText();
                if (!a.equals(b)) {
                    throw new NnfrustException("merge: " + f + " is of another model (sha256 " + b + ") than "
                            + firstFile + " (" + a + ")");
                }
                for (String k : SAME) {
                    JsonNode x = first.path(Provenance.PROVENANCE).path(k),
                            y = j.path(Provenance.PROVENANCE).path(k);
                    if (!x.equals(y)) {
                        throw new NnfrustException("merge: " + f + " was run with " + k + " " + y + ", " + firstFile
                                + " with " + x + "; merge only the shards of one run");
                    }
                }
                if (!first.path(Provenance.PROVENANCE)
                        .path(Provenance.NNFRUST)
                        .equals(j.path(Provenance.PROVENANCE).path(Provenance.NNFRUST))) {
                    throw new NnfrustException("merge: " + f + " was written by nnfrust "
                            + j.path(Provenance.PROVENANCE)
                                    .path(Provenance.NNFRUST)
                                    .asText() + ", " + firstFile + " by "
                            + first.path(Provenance.PROVENANCE)
                                    .path(Provenance.NNFRUST)
                                    .asText());
                }
                if (s.count() != count) {
                    throw new NnfrustException(
                            "merge: " + f + " is shard " + s + ", " + firstFile + " of " + count + " shards");
                }
            } else {
                count = s.count();
            }
            if (byIndex.put(s.index(), f) != null) {
                throw new NnfrustException("merge: shard " + s + " is given twice");
            }
            for (JsonNode r : j.get(FrustrationRestarts.RESTARTS)) {
                int k = r.path(FrustrationRestarts.RESTART).asInt();
                if (restarts.put(k, r) != null) {
                    throw new NnfrustException("merge: restart " + k + " appears twice (" + f + ")");
                }
                restartShard.put(k, shards.size());
            }
            shards.add(j);
        }
        int planned = shards.get(0)
                .path(Provenance.PROVENANCE)
                .path(FrustrationRestarts.RESTARTS)
                .asInt();
        List<Integer> missingShards = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            if (!byIndex.containsKey(k)) {
                missingShards.add(k);
            }
        }
        if (!missingShards.isEmpty() && !allowPartial) {
            throw new NnfrustException("merge: shard" + (missingShards.size() == 1 ? " " : "s ") + missingShards
                    + " of " + count + " missing; give every shard's --output, or --allow-partial");
        }
        for (int k = 0; k < planned && missingShards.isEmpty(); k++) {
            if (!restarts.containsKey(k)) {
                throw new NnfrustException("merge: restart " + k + " of " + planned + " is in no shard");
            }
        }
        // the whole run's summary, as FrustrationRunner computes it
        int best = -1;
        double sum = 0;
        for (var e : restarts.entrySet()) {
            double eps = e.getValue().path(FrustrationRestarts.EPSILON).asDouble();
            sum += eps;
            if (best < 0
                    || eps
                            < restarts.get(best)
                                    .path(FrustrationRestarts.EPSILON)
                                    .asDouble()) {
                best = e.getKey();
            }
        }
        int n = restarts.size();
        double mean = sum / n, ss = 0;
        for (JsonNode r : restarts.values()) {
            double d = r.path(FrustrationRestarts.EPSILON).asDouble() - mean;
            ss += d * d;
        }
        if (best < 0) {
            throw new NnfrustException("merge: the shards hold no restart");
        }
        ObjectNode bestShard = shards.get(restartShard.get(best));
        ObjectNode o = bestShard.deepCopy();
        o.remove(FrustrationRestarts.SHARD);
        o.put(
                FrustrationRestarts.EPSILON_BEST,
                restarts.get(best).path(FrustrationRestarts.EPSILON).asDouble());
        o.put(FrustrationRestarts.EPSILON_MEAN, mean);
        o.put(FrustrationRestarts.EPSILON_SD, n < 2 ? 0 : Math.sqrt(ss / (n - 1)));
        o.put(FrustrationRestarts.BEST_RESTART, best);
        o.put(
                FrustrationRestarts.LOCAL_MINIMUM,
                restarts.get(best).path(FrustrationRestarts.LOCAL_MINIMUM).asBoolean());
        double seconds = 0;
        for (ObjectNode s : shards) {
            seconds = Math.max(seconds, s.path(FrustrationRestarts.SECONDS).asDouble());
        }
        o.put(FrustrationRestarts.SECONDS, seconds);
        ArrayNode eps = o.putArray(FrustrationRestarts.EPSILONS);
        ArrayNode rs = o.putArray(FrustrationRestarts.RESTARTS);
        for (JsonNode r : restarts.values()) {
            eps.add(r.path(FrustrationRestarts.EPSILON).asDouble());
            rs.add(r);
        }
        if (bestShard.has(FrustrationRestarts.FRUSTRATION_MAP)) {
            o.set(FrustrationRestarts.FRUSTRATION_MAP, bestShard.get(FrustrationRestarts.FRUSTRATION_MAP));
        }
        ObjectNode prov = (ObjectNode) o.get(Provenance.PROVENANCE);
        prov.put(
                FrustrationRestarts.THREADS,
                bestShard
                        .path(Provenance.PROVENANCE)
                        .path(FrustrationRestarts.THREADS)
                        .asInt());
        ArrayNode from = prov.putArray(FrustrationRestarts.MERGED_FROM);
        byIndex.values().forEach(p -> from.add(p.toString()));
        if (spinsOut != null) {
            if (!bestShard.has(FrustrationRestarts.SPINS_FILE)) {
                throw new NnfrustException("merge: --spins, but the best restart's shard wrote no spin file (run the "
                        + "shards with --spins)");
            }
            SpinFile sf = SpinFile.read(
                    Path.of(bestShard.get(FrustrationRestarts.SPINS_FILE).asText()));
            outs.stage(spinsOut, sf::writeTo);
            o.put(FrustrationRestarts.SPINS_FILE, spinsOut.toString());
        } else {
            o.remove(FrustrationRestarts.SPINS_FILE);
        }
        String text;
        try {
            text = m.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        outs.stage(out, os -> os.write((text + "\n").getBytes(StandardCharsets.UTF_8)));
        outs.commit();
        return new Summary(
                byIndex.size(),
                count,
                n,
                o.get(FrustrationRestarts.EPSILON_BEST).asDouble(),
                best,
                out,
                missingShards);
    }

    private static ObjectNode read(ObjectMapper m, Path f) {
        if (!Files.isRegularFile(f)) {
            throw new NnfrustException("merge: shard output not found: " + f);
        }
        try {
            JsonNode j = m.readTree(f.toFile());
            if (j == null || !j.isObject()) {
                throw new NnfrustException("merge: " + f + " is not a JSON object");
            }
            return (ObjectNode) j;
        } catch (IOException e) {
            throw new NnfrustException("merge: " + f + " is neither an nnfrust checkpoint nor the JSON --output of "
                    + "'nnfrust frustration' (" + e.getMessage().split("\n")[0] + ")");
        }
    }
}
