package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.ActiveCodec;
import io.nnfrust.testing.SmallOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experiment active} on a small ONNX network: the ε_R options and their errors. */
class ActiveCommandTest {
    @TempDir
    Path dir;

    private List<String> base(Path model, Path images, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "experiment",
                "active",
                model.toString(),
                "--images",
                images.toString(),
                "--preprocess",
                "raw",
                "--resize",
                "8",
                "--solver",
                "layered",
                "--initial-flips",
                "100",
                "--threads",
                "1",
                "--quiet"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void epsilonROptionsAndTheirErrors() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(41).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 2, 3);
        Path ref = dir.resolve("ref.json");
        Files.writeString(ref, "{}");
        // at most one of --epsilon-r and --reference: one line from the option parser
        CliRun.assertOneErrorLine(
                CliRun.run(base(model, images, "--epsilon-r", "0.1", "--reference", ref.toString())
                        .toArray(String[]::new)),
                "--epsilon-r",
                "--reference");
        CliRun.assertOneErrorLine(
                CliRun.run(base(model, images, "--epsilon-r", "0.9").toArray(String[]::new)),
                "--epsilon-r",
                "[0, 0.5]");
        CliRun.assertOneErrorLine(
                CliRun.run(base(
                                model,
                                images,
                                "--reference",
                                dir.resolve("none.json").toString())
                        .toArray(String[]::new)),
                "--reference",
                "not found");
        CliRun.assertOneErrorLine(
                CliRun.run(base(model, images, "--restarts", "0").toArray(String[]::new)), "--restarts", ">= 1");
        CliRun.assertOneErrorLine(
                CliRun.run(base(model, images, "--reference-restarts", "0").toArray(String[]::new)),
                "--reference-restarts");
        // given, and computed from the whole network
        CliRun.Outcome given =
                CliRun.run(base(model, images, "--epsilon-r", "0.25", "--json").toArray(String[]::new));
        assertEquals(0, given.code(), given.err());
        JsonNode g = new ObjectMapper().readTree(given.out());
        assertEquals(0.25, g.get(ActiveCodec.EPSILON_R).asDouble());
        assertEquals("--epsilon-r", g.get(ActiveCodec.EPSILON_R_SOURCE).asText());
        assertEquals(2, g.get(ActiveCodec.RESULTS).size());
        CliRun.Outcome computed = CliRun.run(
                base(model, images, "--reference-restarts", "2", "--json").toArray(String[]::new));
        assertEquals(0, computed.code(), computed.err());
        JsonNode c = new ObjectMapper().readTree(computed.out());
        assertEquals(
                "computed: best of 2 restarts of layered",
                c.get(ActiveCodec.EPSILON_R_SOURCE).asText());
        assertEquals(
                g.get(ActiveCodec.RESULTS).get(0).get("epsilon"),
                c.get(ActiveCodec.RESULTS).get(0).get("epsilon"));
    }
}
