package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.frustration.SolverKind;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.testing.SmallOnnx;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restarts of {@link FrustrationRestarts} in shards, each written as JSON and spins and joined by
 * {@link RestartsMerge}, equal the unsharded run: every restart, ε best, mean, sd, the frustration map and the best
 * spins. A shard without restarts writes an empty part that the merge accepts.
 */
class FrustrationRestartsTest {
    static final FrustrationRestarts.Config CONFIG = new FrustrationRestarts.Config(
            SolverKind.ALGORITHM1, SolverOptions.DEFAULT.withInitialFlips(100), 5, 3, true);

    @Test
    void shardsMergedEqualTheUnshardedRun(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(8).toByteArray());
        var input = FrustrationRestarts.Input.load(model.toString(), ImportOptions.DEFAULT);
        var whole = FrustrationRestarts.run(input, CONFIG, RunControl.simple(2));
        assertFalse(whole.isEmpty());
        assertEquals(5, whole.runs().restarts().size());
        Path wholeJson = dir.resolve("whole.json"), wholeSpins = dir.resolve("whole.spins");
        whole.write(wholeJson, wholeSpins);
        ObjectMapper m = new ObjectMapper();
        JsonNode a = science(m.readTree(wholeJson.toFile()));
        assertEquals(
                wholeSpins.toString(),
                m.readTree(wholeJson.toFile()).path("spinsFile").asText());
        for (int n : new int[] {2, 3, 7}) {
            List<Path> parts = new ArrayList<>();
            int empty = 0;
            for (int k = 1; k <= n; k++) {
                var part = FrustrationRestarts.run(
                        input, CONFIG, new RunControl<>(1, new Shard(k, n), null, false, 0, null));
                empty += part.isEmpty() ? 1 : 0;
                Path json = dir.resolve("p" + n + "-" + k + ".json");
                part.write(json, dir.resolve("p" + n + "-" + k + ".spins"));
                assertEquals(!part.isEmpty(), Files.exists(dir.resolve("p" + n + "-" + k + ".spins")));
                parts.add(json);
            }
            assertEquals(Math.max(0, n - 5), empty, n + " shards");
            Path merged = dir.resolve("m" + n + ".json"), mergedSpins = dir.resolve("m" + n + ".spins");
            var sum = RestartsMerge.merge(parts, merged, mergedSpins, false);
            assertEquals(5, sum.restarts());
            assertEquals(whole.runs().best().index(), sum.bestRestart());
            assertEquals(whole.runs().best().result().epsilon(), sum.epsilonBest());
            JsonNode b = science(m.readTree(merged.toFile()));
            assertEquals(a, b, n + " shards merged");
            SpinFile x = SpinFile.read(wholeSpins), y = SpinFile.read(mergedSpins);
            assertArrayEquals(x.spins(), y.spins());
            assertEquals(x.epsilon(), y.epsilon());
        }
    }

    @Test
    void badInputNamesTheParameter(@TempDir Path dir) throws Exception {
        NnfrustException e = assertThrows(
                NnfrustException.class,
                () -> new FrustrationRestarts.Config(SolverKind.LAYERED, SolverOptions.DEFAULT, 0, 1, false));
        assertTrue(e.getMessage().startsWith("restarts must be at least 1"), e.getMessage());
        assertEquals(
                1,
                new FrustrationRestarts.Config(SolverKind.EXACT, SolverOptions.DEFAULT, 9, 1, false).restarts(),
                "enumeration needs one restart");
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(8).toByteArray());
        var input = FrustrationRestarts.Input.load(model.toString(), ImportOptions.DEFAULT);
        e = assertThrows(
                NnfrustException.class,
                () -> FrustrationRestarts.run(
                        input, CONFIG, new RunControl<>(1, Shard.ALL, dir.resolve("c.jsonl"), false, 0, null)));
        assertTrue(e.getMessage().contains("checkpoint"), e.getMessage());
    }

    /** The result without timings, provenance and file names. */
    private static JsonNode science(JsonNode j) {
        ObjectNode o = (ObjectNode) j.deepCopy();
        o.remove(List.of("provenance", "seconds", "spinsFile"));
        o.get("restarts").forEach(r -> ((ObjectNode) r).remove("seconds"));
        return o;
    }
}
