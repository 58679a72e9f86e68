package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.frustration.SpinFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frustration command end to end: edge lists, Matrix Market, networks, outputs and bad input. */
class FrustrationCommandTest {
    @TempDir
    Path dir;

    private static CliRun.Outcome run(String... args) {
        return CliRun.run(args);
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static void assertOneLine(CliRun.Outcome o, String... fragments) {
        assertEquals(2, o.code(), o.err());
        String[] lines = o.err().strip().split("\n");
        assertEquals(1, lines.length, "expected one line, got: " + o.err());
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), "'" + f + "' missing from: " + lines[0]);
        }
    }

    @Test
    void triangleEdgeListHasKnownFrustration() throws Exception {
        // a negative triangle: one edge must stay frustrated; the lightest (weight 1 of 1+2+3) -> epsilon = 1/6
        Path p = write("tri.tsv", "# a frustrated triangle\nsource\ttarget\tweight\na\tb\t-2\nb\tc\t-3\nc\ta\t-1\n");
        for (String solver : new String[] {"exact", "algorithm1", "layered", "anneal"}) {
            CliRun.Outcome o = run(
                    "frustration",
                    p.toString(),
                    "--solver",
                    solver,
                    "--restarts",
                    "4",
                    "--json",
                    "--quiet",
                    "--initial-flips",
                    "3");
            assertEquals(0, o.code(), o.err());
            JsonNode j = new ObjectMapper().readTree(o.out());
            if (solver.equals("exact")) {
                assertEquals(1.0 / 6, j.get("epsilonBest").asDouble(), 1e-12);
            } else {
                assertTrue(j.get("epsilonBest").asDouble() >= 1.0 / 6 - 1e-12);
            }
            assertTrue(j.get("localMinimum").asBoolean());
            assertEquals(3, j.get("graph").get("nodes").asInt());
            assertEquals(
                    64, j.get("provenance").get("model").get("sha256").asText().length());
        }
        Path mtx = write("tri.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 3\n2 1 -2\n3 2 -3\n1 3 -1\n");
        CliRun.Outcome o = run("frustration", mtx.toString(), "--solver", "exact", "--json", "--quiet");
        assertEquals(
                1.0 / 6, new ObjectMapper().readTree(o.out()).get("epsilonBest").asDouble(), 1e-12);
    }

    @Test
    void networkRunWritesSpinsJsonAndTrace() throws Exception {
        Path spins = dir.resolve("s.spins"), json = dir.resolve("r.json"), trace = dir.resolve("t.csv");
        CliRun.Outcome o = run(
                "frustration",
                "zoo:squeezenet1.1",
                "--input-size",
                "32",
                "32",
                "--solver",
                "layered",
                "--restarts",
                "3",
                "--seed",
                "9",
                "--spins",
                spins.toString(),
                "--output",
                json.toString(),
                "--trace",
                trace.toString(),
                "--map",
                "--initial-flips",
                "1000");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("[3/3]"), "progress on stderr: " + o.err());
        JsonNode j = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(3, j.get("epsilons").size());
        assertEquals("layered", j.get("solver").asText());
        assertEquals(9, j.get("provenance").get("seed").asLong());
        double best = j.get("epsilonBest").asDouble();
        assertTrue(best > 0.2 && best < 0.5, "epsilon " + best);
        SpinFile f = SpinFile.read(spins);
        assertEquals(3 * 32 * 32, f.inputSpins().length);
        assertEquals(1000, f.outputSpins().length);
        assertEquals(best, f.epsilon());
        double mapped = 0;
        for (JsonNode e : j.get("frustrationMap")) {
            mapped += e.get("frustratedWeight").asDouble();
        }
        assertEquals(best * j.get("graph").get("absWeightSum").asDouble(), mapped, 1e-6 * mapped);
        assertTrue(Files.readAllLines(trace).size() > 3);
    }

    @Test
    void badEdgeListsGiveOneLineWithTheLine() throws Exception {
        assertOneLine(run("frustration", write("a.tsv", "a b 1\nb c x\n").toString()), "a.tsv:2", "not a number");
        assertOneLine(run("frustration", write("b.tsv", "a b 1\nb c\n").toString()), "b.tsv:2", "column");
        assertOneLine(run("frustration", write("c.tsv", "a b 1\nb c NaN\n").toString()), "c.tsv:2", "not finite");
        assertOneLine(run("frustration", write("d.tsv", "a b 1\nb c Infinity\n").toString()), "d.tsv:2", "finite");
        assertOneLine(run("frustration", write("e.tsv", "a b 1\nb b 2\n").toString()), "e.tsv:2", "self-loop");
        assertOneLine(run("frustration", write("f.tsv", "# nothing\n\n").toString()), "no edges");
        assertOneLine(run("frustration", write("g.tsv", "a b 0\n").toString()), "zero");
        assertOneLine(
                run(
                        "frustration",
                        write("h.mtx", "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 1\n")
                                .toString()),
                "promises 2");
        assertOneLine(
                run(
                        "frustration",
                        write("i.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 2\n")
                                .toString()),
                "pattern");
        assertOneLine(run("frustration", dir.resolve("missing.tsv").toString()), "not found");
    }

    @Test
    void impossibleOptions() throws Exception {
        Path p = write("ok.tsv", "a b 1\nb c -1\n");
        assertOneLine(run("frustration", p.toString(), "--restarts", "0"), "--restarts");
        assertOneLine(run("frustration", p.toString(), "--threads", "0"), "--threads");
        assertOneLine(run("frustration", p.toString(), "--solver", "magic"), "magic", "algorithm1");
        assertOneLine(run("frustration", p.toString(), "--initial-flips", "-5"), "--initial-flips");
        assertOneLine(run("frustration", p.toString(), "--t-start", "0.01", "--t-end", "0.1"), "temperature");
        assertOneLine(run("frustration", p.toString(), "--format", "xml"), "xml");
        assertOneLine(run("frustration", "zoo:resnet18", "--solver", "exact"), "exact", "nodes");
        assertOneLine(run("frustration", p.toString(), "--restarts", "abc"), "abc");
    }
}
