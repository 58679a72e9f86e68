package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import io.nnfrust.testing.RandomNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line on stderr and exit code 2. */
class BadInputTest {
    @TempDir
    Path dir;

    private static CliRun.Outcome run(String... args) {
        return CliRun.run(args);
    }

    private static void assertOneLine(CliRun.Outcome o, String... fragments) {
        CliRun.assertOneErrorLine(o, fragments);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void missingFile() {
        assertOneLine(run("info", dir.resolve("nope.onnx").toString()), "not found", "nope.onnx");
    }

    @Test
    void truncatedFile() throws Exception {
        byte[] full = RandomNetworks.build(1, false).toByteArray();
        for (int cut : new int[] {full.length / 2, full.length - 7, 10}) {
            Path p = write("cut" + cut + ".onnx", Arrays.copyOf(full, cut));
            CliRun.Outcome o = run("info", p.toString());
            assertOneLine(o, p.getFileName().toString());
        }
    }

    @Test
    void nonOnnxFile() throws Exception {
        Path p = write("notes.onnx", "this is not a neural network\n".repeat(20).getBytes(StandardCharsets.UTF_8));
        assertOneLine(run("info", p.toString()), "notes.onnx", "ONNX");
        Path empty = write("empty.onnx", new byte[0]);
        assertOneLine(run("info", empty.toString()), "empty");
    }

    @Test
    void unsupportedOperator() throws Exception {
        ModelProto m = RandomNetworks.build(2, false);
        var g = m.getGraph().toBuilder();
        NodeProto first = g.getNode(0);
        // insert a Hardmax (not an operator of the paper's model) on the input and feed it to the first node
        NodeProto sig = NodeProto.newBuilder()
                .setOpType("Hardmax")
                .setName("weird_hardmax")
                .addInput(first.getInput(0))
                .addOutput("sig_out")
                .build();
        g.setNode(0, first.toBuilder().setInput(0, "sig_out"));
        g.addNode(0, sig);
        Path p = write("sig.onnx", m.toBuilder().setGraph(g).build().toByteArray());
        assertOneLine(run("info", p.toString()), "Hardmax", "weird_hardmax", "supported:");
    }

    @Test
    void dynamicInputShapeNeedsInputSize() throws Exception {
        ModelProto m = RandomNetworks.build(3, false);
        var g = m.getGraph().toBuilder();
        var in = g.getInput(0).toBuilder();
        var shape = in.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        String h = Long.toString(shape.getDim(2).getDimValue()),
                w = Long.toString(shape.getDim(3).getDimValue());
        shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimParam("height"));
        shape.setDim(3, TensorShapeProto.Dimension.newBuilder().setDimParam("width"));
        g.setInput(0, in);
        Path p = write("dyn.onnx", m.toBuilder().setGraph(g).build().toByteArray());
        assertOneLine(run("info", p.toString()), "dynamic shape", "--input-size");
        CliRun.Outcome ok = run("info", p.toString(), "--input-size", h, w, "--json");
        assertEquals(0, ok.code(), ok.err());
    }

    @Test
    void badOptions() {
        assertOneLine(run("info", "zoo:resnet18", "--add", "sideways"), "sideways");
        assertOneLine(run("info", "zoo:nonet"), "nonet", "available");
        assertOneLine(run("info", "zoo:resnet18", "--input-size", "0", "5"), "--input-size");
        assertOneLine(run("info", "zoo:resnet18?seed=x"), "seed");
        assertOneLine(run("info", "zoo:resnet18", "--pool-weight", "cubic"), "cubic");
        assertOneLine(run("info", "zoo:shufflenet?groups=5"), "groups");
        assertOneLine(run("info"), "MODEL");
    }
}
