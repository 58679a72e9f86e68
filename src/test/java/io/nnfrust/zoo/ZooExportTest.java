package io.nnfrust.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nnfrust.cli.Main;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every zoo architecture exports to an ONNX model that ONNX Runtime loads and runs. */
class ZooExportTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "squeezenet1.1",
                "alexnet-caffe",
                "alexnet-torch",
                "googlenet-caffe",
                "googlenet-torch",
                "resnet18",
                "shufflenet"
            })
    void onnxRuntimeRunsExportedModel(String name) throws Exception {
        Zoo.Spec spec = Zoo.parse("zoo:" + name);
        ModelProto proto = Zoo.build(spec, 0, 0);
        int size = Zoo.entry(name).inputSize();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] x = new float[3 * size * size];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        try (OrtSession s = env.createSession(proto.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, size, size});
                OrtSession.Result res =
                        s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] y = new float[fb.remaining()];
            fb.get(y);
            assertEquals(1000, y.length);
            double sum = 0;
            for (float v : y) {
                assertTrue(Float.isFinite(v));
                sum += v;
            }
            if (name.endsWith("caffe") || name.startsWith("squeeze")) {
                assertEquals(1.0, sum, 1e-3, "Caffe-style models end in Softmax");
            }
        }
    }

    @Test
    void exportCommandWritesAFileThatImportsToTheSameGraph(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sq.onnx");
        int code = Main.commandLine().execute("zoo", "export", "squeezenet1.1?seed=3", file.toString());
        assertEquals(0, code);
        assertTrue(Files.size(file) > 4_000_000);
        Network fromFile = ModelLoader.load(file.toString(), ImportOptions.DEFAULT);
        Network fromZoo = ModelLoader.load("zoo:squeezenet1.1?seed=3", ImportOptions.DEFAULT);
        assertEquals(fromZoo.graph().edgeCount(), fromFile.graph().edgeCount());
        assertEquals(fromZoo.graph().absWeightSum(), fromFile.graph().absWeightSum(), 0.0);
        assertEquals(64, fromFile.sha256().length());
    }
}
