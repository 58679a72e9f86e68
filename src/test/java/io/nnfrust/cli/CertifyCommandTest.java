package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnfrust bound} on the real network and on a null network, then {@code nnfrust certify}, against the
 * experiment's own bounds ({@code experiment frustration --bounds}): two code paths to the same intervals. The null
 * network that {@code bound --null N1 --null-seed S} draws is the experiment's network of that seed (same SDP value
 * to the last bit, same lower end up to the confidence's rounding), and certify's orderings are the comparisons of
 * the files' ends.
 */
class CertifyCommandTest {
    @Test
    void boundAndCertifyAgreeWithTheExperimentsBounds(@TempDir Path tmp) throws Exception {
        Path model = BoundCommandTest.smallCnn(tmp, 3);
        Path exp = tmp.resolve("e.json");
        CliRun.Outcome e = CliRun.run(CliRun.args(
                "experiment",
                "frustration",
                model,
                "--solver",
                "layered",
                "--replicas",
                "2",
                "--nulls",
                "N1",
                "--null-count",
                "1",
                "--bounds",
                "1",
                "--seed",
                "1",
                "--threads",
                "2",
                "--quiet",
                "--output",
                exp));
        assertEquals(0, e.code(), e.err());
        ObjectMapper m = new ObjectMapper();
        JsonNode networks = m.readTree(exp.toFile()).path("bounds").path("networks");
        assertEquals(2, networks.size(), networks.toString());
        JsonNode eR = networks.get(0), eN1 = networks.get(1);
        assertEquals("R", eR.path("group").asText());
        assertEquals("N1", eN1.path("group").asText());

        Path r = tmp.resolve("r.json"), n1 = tmp.resolve("n1.json");
        String[] common = {"--solver", "layered", "--restarts", "2", "--roundings", "2", "--seed", "1", "--quiet"};
        assertEquals(0, run("bound", model, r, common).code());
        CliRun.Outcome b1 = run(
                "bound",
                model,
                n1,
                concat(
                        common,
                        "--null",
                        "N1",
                        "--null-seed",
                        eN1.path("nullSeed").asText()));
        assertEquals(0, b1.code(), b1.err());
        JsonNode jr = m.readTree(r.toFile()), jn = m.readTree(n1.toFile());
        assertEquals(eR.path("epsilonSdp").asDouble(), jr.path("epsilonSdp").asDouble(), 0.0);
        assertEquals(eN1.path("epsilonSdp").asDouble(), jn.path("epsilonSdp").asDouble(), 0.0);
        assertEquals(eR.path("epsilonLower").asDouble(), jr.path("epsilonLower").asDouble(), 1e-9);
        assertEquals(
                eN1.path("epsilonLower").asDouble(), jn.path("epsilonLower").asDouble(), 1e-9);
        assertEquals("N1", jn.path("null").asText());

        Path c = tmp.resolve("c.json");
        CliRun.Outcome co = CliRun.run(CliRun.args("certify", r, n1, "--output", c));
        assertEquals(0, co.code(), co.err());
        boolean certified =
                jr.path("epsilonUpper").asDouble() < jn.path("epsilonLower").asDouble();
        assertTrue(co.out().contains("R < N1 " + (certified ? "CERTIFIED" : "not certified")), co.out());
        JsonNode cj = m.readTree(c.toFile());
        assertEquals(1, cj.path("orderings").size());
        JsonNode o = cj.path("orderings").get(0);
        assertEquals(certified, o.path("certified").asBoolean());
        assertEquals(jr.path("epsilonUpper").asDouble(), o.path("maxUpperA").asDouble(), 0.0);
        assertEquals(jn.path("epsilonLower").asDouble(), o.path("minLowerB").asDouble(), 0.0);

        // one model only, each network once, bound outputs only
        Path other = BoundCommandTest.smallCnn(tmp, 4), ro = tmp.resolve("other.json");
        assertEquals(0, run("bound", other, ro, common).code());
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args("certify", r, ro)), "bounds another model or import");
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args("certify", r, n1, r)), "bounds the same network as");
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args("certify", r, exp)), "is not a result of 'nnfrust bound'");
        Files.writeString(tmp.resolve("x.json"), "{ not json");
        CliRun.assertOneErrorLine(CliRun.run(CliRun.args("certify", r, tmp.resolve("x.json"))), "cannot read");
    }

    private static CliRun.Outcome run(String command, Path model, Path out, String... rest) {
        Object[] a = new Object[rest.length + 4];
        a[0] = command;
        a[1] = model;
        a[2] = "--output";
        a[3] = out;
        System.arraycopy(rest, 0, a, 4, rest.length);
        return CliRun.run(CliRun.args(a));
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = new String[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
