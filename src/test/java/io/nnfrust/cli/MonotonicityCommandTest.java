package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.SpinFile;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.testing.SmallOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experiment monotonicity} end to end on a small ONNX network: outputs, resume, bad input. */
class MonotonicityCommandTest {
    @TempDir
    Path dir;

    private List<String> base(Path model, Path images, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "experiment",
                "monotonicity",
                model.toString(),
                "--images",
                images.toString(),
                "--preprocess",
                "raw",
                "--resize",
                "8",
                "--perturbations",
                "6",
                "--amplitude",
                "0.5:40",
                "--initial-flips",
                "200",
                "--threads",
                "1",
                "--quiet"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void runsTheRealNetworkAndBothNullsAndResumes() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(21).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 5, 3);
        Path spins = dir.resolve("net.spins");
        CliRun.Outcome f = CliRun.run(
                "frustration",
                model.toString(),
                "--restarts",
                "2",
                "--initial-flips",
                "200",
                "--spins",
                spins.toString(),
                "--quiet");
        assertEquals(0, f.code(), f.err());
        Path json = dir.resolve("m.json"), csv = dir.resolve("m.csv");
        CliRun.Outcome o = CliRun.run(base(
                        model,
                        images,
                        "--spins",
                        spins.toString(),
                        "--null-restarts",
                        "1",
                        "--output",
                        json.toString(),
                        "--csv",
                        csv.toString(),
                        "--plots",
                        dir.resolve("plots").toString())
                .toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        for (String png : List.of(
                "fig3-omega-histogram", "fig4-omega-vs-delta", "fig7-lambda", "fig8-consistency", "class-kept")) {
            var im = ImageIO.read(dir.resolve("plots").resolve(png + ".png").toFile());
            assertNotNull(im, png);
            // Fig. 3 and 4: one 560-pixel panel per variant (real, random-order, N3), each with its own y axis
            assertEquals(png.startsWith("fig3") || png.startsWith("fig4") ? 3 * 560 : 760, im.getWidth(), png);
        }
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        assertEquals(5, j.get("images").asInt());
        assertTrue(j.get("complete").asBoolean());
        assertEquals(6, j.get("amplitudes").size());
        assertEquals(0.5, j.get("amplitudes").get(0).asDouble(), 1e-12);
        assertEquals(40, j.get("amplitudes").get(5).asDouble(), 1e-9);
        for (String v : List.of("real", "random-order", "N3")) {
            JsonNode s = j.get("variants").get(v);
            assertNotNull(s, v);
            assertEquals(30, s.get("samples").asInt());
            // lambda recomputed from the per-image Omega of the JSON by its definition (eq. 10), on a grid of 1e-5:
            // the largest lambda in [0, 0.5] with F(lambda) = P(|Omega - 0.5| > lambda) >= 2 lambda
            List<Double> omegas = new ArrayList<>();
            for (JsonNode img : j.get("results")) {
                img.get("variants").get(v).get("omega").forEach(x -> omegas.add(x.asDouble()));
            }
            assertEquals(30, omegas.size());
            double byDefinition = 0;
            for (int g = 0; g <= 50000; g++) {
                double lam = g * 1e-5;
                long above =
                        omegas.stream().filter(om -> Math.abs(om - 0.5) > lam).count();
                if (above / (double) omegas.size() >= 2 * lam) {
                    byDefinition = lam;
                }
            }
            assertEquals(byDefinition, s.get("lambda").asDouble(), 1.01e-5, v + ": lambda against eq. 10");
            assertEquals(101, s.get("tail").get("F").size());
            long hist = 0;
            for (JsonNode c : s.get("omegaHistogram")) {
                hist += c.asLong();
            }
            assertEquals(30, hist);
            assertEquals(6, s.get("keptByAmplitude").size());
        }
        assertTrue(j.get("variants").get("N3").get("network").asText().contains("#N3-he"));
        assertEquals(
                ModelLoader.sha256(Files.readAllBytes(spins)),
                j.get("provenance").get("spinsSha256").asText());
        assertEquals(5 * (3 * 6) + 5 * 2, j.get("inference").get("images").asLong(), "x1 per network, x2 per variant");
        List<String> rows = Files.readAllLines(csv);
        assertEquals(1 + 5 * 6, rows.size());
        assertTrue(rows.get(0).startsWith("index,file,true_class,perturbation,amplitude,delta_norm,predicted_real"));

        // the same run in two halves through the checkpoint gives the same numbers
        Path cp = dir.resolve("cp.jsonl");
        CliRun.Outcome a = CliRun.run(base(
                        model,
                        images,
                        "--spins",
                        spins.toString(),
                        "--null-restarts",
                        "1",
                        "--checkpoint",
                        cp.toString(),
                        "--stop-after",
                        "2",
                        "--json")
                .toArray(String[]::new));
        assertEquals(0, a.code(), a.err());
        assertEquals(2, new ObjectMapper().readTree(a.out()).get("images").asInt());
        assertTrue(Files.exists(Path.of(cp + ".N3.spins")), "the N3 spins are kept beside the checkpoint");
        CliRun.Outcome b = CliRun.run(base(
                        model,
                        images,
                        "--spins",
                        spins.toString(),
                        "--null-restarts",
                        "1",
                        "--checkpoint",
                        cp.toString(),
                        "--resume",
                        "--json")
                .toArray(String[]::new));
        assertEquals(0, b.code(), b.err());
        JsonNode r = new ObjectMapper().readTree(b.out());
        assertEquals(3, r.get("newImages").asInt());
        assertEquals(j.get("results"), r.get("results"));
        assertEquals(
                j.get("variants").get("N3").get("lambda"),
                r.get("variants").get("N3").get("lambda"));
        // a new run on an existing checkpoint, or a resume with other options, is refused before any work
        CliRun.Outcome again = CliRun.run(
                base(model, images, "--spins", spins.toString(), "--null-restarts", "1", "--checkpoint", cp.toString())
                        .toArray(String[]::new));
        assertNotEquals(0, again.code());
        assertTrue(again.err().contains("exists; add --resume"), again.err());
        CliRun.Outcome other = CliRun.run(base(
                        model,
                        images,
                        "--spins",
                        spins.toString(),
                        "--null-restarts",
                        "2",
                        "--checkpoint",
                        cp.toString(),
                        "--resume")
                .toArray(String[]::new));
        assertNotEquals(0, other.code());
        assertTrue(other.err().contains("other options"), other.err());
    }

    @Test
    void halvesOfTheRandomOrderOnTheN3Network() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(23).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 3, 4);
        CliRun.Outcome o = CliRun.run(base(
                        model,
                        images,
                        "--restarts",
                        "1",
                        "--null-restarts",
                        "1",
                        "--nulls",
                        "N3-random-input,N3-random-output",
                        "--json")
                .toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        JsonNode v = new ObjectMapper().readTree(o.out()).get("variants");
        assertEquals(List.of("real", "N3-random-input", "N3-random-output"), iterable(v.fieldNames()));
        for (String name : List.of("N3-random-input", "N3-random-output")) {
            assertTrue(v.get(name).get("network").asText().contains("#N3-he"), name);
            assertEquals(18, v.get(name).get("samples").asInt());
        }
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> r = new ArrayList<>();
        it.forEachRemaining(r::add);
        return r;
    }

    @Test
    void badOptionsGiveOneLine() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(22).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 2, 3);
        Path spins = dir.resolve("x.spins"); // spins of some other network
        SpinFile.of(new double[10], new int[3], new int[2], 0.1).write(spins);
        String[][] cases = {
            {"--amplitude", "0:4"},
            {"--amplitude", "a:b"},
            {"--spacing", "cubic"},
            {"--nulls", "N7"},
            {"--perturbations", "0"},
            {"--spins", dir.resolve("missing.spins").toString()},
            {"--spins", spins.toString()},
            {"--n3-bias", "random"},
            {"--n3-init", "lecun"},
            {"--plots", model.toString()},
        };
        String[] expect = {
            "--amplitude",
            "--amplitude",
            "--spacing",
            "unknown null model",
            "--perturbations",
            "spin file not found",
            "do not belong to",
            "bias policy",
            "weight initialisation",
            "is not a folder"
        };
        for (int i = 0; i < cases.length; i++) {
            Path out = dir.resolve("bad" + i + ".json");
            String[] args = base(model, images, cases[i]).toArray(new String[0]);
            CliRun.Outcome o = CliRun.run(concat(args, "--output", out.toString()));
            CliRun.assertOneErrorLine(o, expect[i]);
            assertFalse(Files.exists(out), "nothing written on error");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
