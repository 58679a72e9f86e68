package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nnfrust.testing.GoldenFiles;
import io.nnfrust.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outputs of a fixed set of commands on small inputs (the real SqueezeNet at 48×48 and 64×64, three photos)
 * equal the golden copies committed under {@code src/test/resources/golden/outputs}, apart from timing and
 * run-provenance fields ({@link GoldenFiles}). The copies were written by the version before the library redesign
 * (issue 23), so the redesign is checked to change no result: {@code info --json}, {@code frustration} with its
 * spins, {@code experiment frustration} with N1, N2 and N3, the same run in two shards merged, {@code experiment
 * active} and {@code experiment monotonicity}. {@code reproduce --preset quick} and its report are checked the same
 * way in {@link ReproduceCommandTest}.
 */
class GoldenOutputTest {
    @Test
    void everyOutputEqualsItsGoldenCopy(@TempDir Path out) throws Exception {
        String m = SharedData.require("models/squeezenet1.1-caffe.onnx").toString();
        String images = SharedData.require("data/imagenet-sample").toString();
        Object[] exp = {
            "experiment",
            "frustration",
            m,
            "--input-size",
            "48",
            "48",
            "--replicas",
            "3",
            "--nulls",
            "N1,N2,N3",
            "--null-count",
            "2",
            "--solver",
            "layered",
            "--seed",
            "1",
            "--threads",
            "2",
            "--quiet"
        };

        CliRun.Outcome info = CliRun.run("info", m, "--input-size", "64", "64", "--json");
        assertEquals(0, info.code(), info.err());
        Files.writeString(out.resolve("info.json"), info.out());
        ok(
                "frustration",
                m,
                "--input-size",
                "64",
                "64",
                "--solver",
                "layered",
                "--restarts",
                "2",
                "--seed",
                "1",
                "--threads",
                "2",
                "--output",
                out.resolve("frustration.json"),
                "--spins",
                out.resolve("frustration.spins"),
                "--quiet");
        ok(CliRun.concat(exp, "--output", out.resolve("experiment.json"), "--csv", out.resolve("experiment.csv")));
        for (int s = 1; s <= 2; s++) {
            ok(CliRun.concat(exp, "--shard", s + "/2", "--checkpoint", out.resolve("shard" + s + ".jsonl")));
        }
        ok(
                "merge",
                out.resolve("shard1.jsonl"),
                out.resolve("shard2.jsonl"),
                "--output",
                out.resolve("merged.json"),
                "--csv",
                out.resolve("merged.csv"));
        ok(
                "experiment",
                "active",
                m,
                "--input-size",
                "64",
                "64",
                "--images",
                images,
                "--preprocess",
                "caffe",
                "--limit",
                "3",
                "--restarts",
                "1",
                "--solver",
                "layered",
                "--seed",
                "1",
                "--threads",
                "2",
                "--output",
                out.resolve("active.json"),
                "--quiet");
        ok(
                "experiment",
                "monotonicity",
                m,
                "--input-size",
                "64",
                "64",
                "--images",
                images,
                "--preprocess",
                "caffe",
                "--limit",
                "2",
                "--perturbations",
                "4",
                "--solver",
                "layered",
                "--seed",
                "1",
                "--threads",
                "2",
                "--output",
                out.resolve("monotonicity.json"),
                "--quiet");

        GoldenFiles g = new GoldenFiles("outputs", out);
        for (String f : new String[] {
            "info.json",
            "frustration.json",
            "frustration.spins",
            "experiment.json",
            "experiment.csv",
            "merged.json",
            "merged.csv",
            "active.json",
            "monotonicity.json"
        }) {
            g.add(f);
        }
        g.check();
    }

    private static void ok(Object... args) {
        CliRun.Outcome o = CliRun.run(CliRun.args(args));
        assertEquals(0, o.code(), o.err());
    }
}
