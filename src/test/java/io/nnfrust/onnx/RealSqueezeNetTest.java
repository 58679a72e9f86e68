package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The real pretrained SqueezeNet of ../shared/models: counts stated in its README, same graph for fp32 and fp16. */
class RealSqueezeNetTest {
    @Test
    void fp32AndFp16GiveTheDocumentedGraph() {
        Path fp32 = SharedData.require("models/squeezenet1.1-caffe.onnx");
        Path fp16 = SharedData.require("models/squeezenet1.1-caffe-fp16.onnx");
        Network a = ModelLoader.load(fp32.toString(), ImportOptions.DEFAULT);
        Network b = ModelLoader.load(fp16.toString(), ImportOptions.DEFAULT);
        for (Network n : new Network[] {a, b}) {
            assertEquals(3_071_056, n.graph().nodeCount());
            assertEquals(340_545_192L, n.graph().edgeCount());
            assertEquals(1_235_496, n.parameters());
            assertEquals("data_0", n.inputName());
            assertEquals(1000, n.outputNodes().length);
            assertEquals(3 * 224 * 224, n.inputNodes().length);
        }
        assertEquals("21f25e3d9254af93e6218a359469fac714a017b3f9035c0f5c4acbf9a3ff7233", b.sha256());
        // fp32 is an exact cast of fp16: identical weights, identical graph
        assertEquals(a.graph().absWeightSum(), b.graph().absWeightSum(), 0.0);
        assertArrayEquals(a.outputNodes(), b.outputNodes());
        assertEquals(a.outputName(), b.outputName());
    }

    @Test
    void inputSizeOverrideRebuildsTheGraph() {
        Path fp32 = SharedData.require("models/squeezenet1.1-caffe.onnx");
        Network small = ModelLoader.load(fp32.toString(), ImportOptions.DEFAULT.withInputSize(112, 112));
        assertEquals(3 * 112 * 112, small.inputNodes().length);
        assertEquals(1000, small.outputNodes().length);
    }
}
