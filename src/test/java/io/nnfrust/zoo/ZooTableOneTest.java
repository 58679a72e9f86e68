package io.nnfrust.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The zoo architectures reproduce the paper's Table 1 at the precision it is printed with (ResNet-18 and ShuffleNet: docs/table1.md). */
class ZooTableOneTest {
    private static double sig3(double v) {
        return new BigDecimal(v).round(new MathContext(3)).doubleValue();
    }

    /** v rounded to the number of decimals of the paper's printed figure {@code printed}. */
    private static String asPrinted(double v, String printed) {
        int decimals = printed.contains(".") ? printed.length() - printed.indexOf('.') - 1 : 0;
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }

    /**
     * The paper's Table 1 as printed (its own precision: nodes x 10^6 to 2 decimals, edges x 10^9 to 2 decimals,
     * parameters x 10^6 to 1 decimal), compared at that precision; then our own figures to three significant
     * digits, which the paper does not give (regression values of this implementation, not a claim about the
     * paper).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name,           paper: nodes, edges, params  | ours, 3 significant digits: nodes, edges, params
        "squeezenet1.1,    3.27, 0.38, 1.2,   3.27, 0.379, 1.24",
        "alexnet-caffe,    0.94, 0.67, 61.0,  0.936, 0.672, 61.0",
        "alexnet-torch,    0.73, 0.66, 61.1,  0.733, 0.659, 61.1",
        "googlenet-caffe,  4.80, 1.52, 7.0,   4.80, 1.52, 7.00",
        "googlenet-torch,  4.80, 1.45, 6.6,   4.80, 1.45, 6.62"
    })
    void matchesTableOne(
            String name,
            String paperNodes,
            String paperEdges,
            String paperParams,
            double nodesM,
            double edgesG,
            double paramsM) {
        Network net = ModelLoader.load("zoo:" + name, ImportOptions.DEFAULT);
        double n = net.graph().nodeCount() / 1e6, e = net.graph().edgeCount() / 1e9, p = net.parameters() / 1e6;
        assertEquals(paperNodes, asPrinted(n, paperNodes), "nodes x 10^6 against the paper");
        assertEquals(paperEdges, asPrinted(e, paperEdges), "edges x 10^9 against the paper");
        assertEquals(paperParams, asPrinted(p, paperParams), "parameters x 10^6 against the paper");
        assertEquals(nodesM, sig3(n), "ours");
        assertEquals(edgesG, sig3(e), "ours");
        assertEquals(paramsM, sig3(p), "ours");
    }

    @Test
    void resnet18AndShuffleNetCountsAreAsDocumented() {
        Network merge = ModelLoader.load("zoo:resnet18", ImportOptions.DEFAULT);
        assertEquals(2_836_456, merge.graph().nodeCount());
        // --batchnorm fold (default): each folded BatchNorm leaves one bias per channel (as an eval-mode export);
        // --batchnorm node counts its scale and shift (torchvision's count, 11,689,512): 4,800 BN channels more
        assertEquals(11_684_712, merge.parameters());
        assertEquals(
                11_689_512,
                ModelLoader.load("zoo:resnet18", ImportOptions.DEFAULT.withBatchNorm(BatchNormConvention.NODE))
                        .parameters());
        Network node = ModelLoader.load("zoo:resnet18", ImportOptions.DEFAULT.withAdd(AddConvention.NODE));
        // each of the 8 residual Adds gets its own node set: 2*(64*56^2 + 128*28^2 + 256*14^2 + 512*7^2) more nodes
        assertEquals(merge.graph().nodeCount() + 752_640, node.graph().nodeCount());
        assertEquals(merge.graph().edgeCount() + 752_640, node.graph().edgeCount());
        Network shuffle = ModelLoader.load("zoo:shufflenet", ImportOptions.DEFAULT);
        assertEquals(1.42, sig3(shuffle.parameters() / 1e6)); // --batchnorm fold: one bias per folded channel
        assertEquals(
                1.43,
                sig3(ModelLoader.load("zoo:shufflenet", ImportOptions.DEFAULT.withBatchNorm(BatchNormConvention.NODE))
                                .parameters()
                        / 1e6)); // scale and shift counted
        Network g8 = ModelLoader.load("zoo:shufflenet?groups=8&width=1.0", ImportOptions.DEFAULT);
        assertNotEquals(shuffle.graph().edgeCount(), g8.graph().edgeCount());
    }

    @Test
    void seedsAndInitsAreReproducible() {
        Network a = ModelLoader.load("zoo:squeezenet1.1?seed=5", ImportOptions.DEFAULT.withInputSize(64, 64));
        Network b = ModelLoader.load("zoo:squeezenet1.1?seed=5", ImportOptions.DEFAULT.withInputSize(64, 64));
        Network c = ModelLoader.load("zoo:squeezenet1.1?seed=6", ImportOptions.DEFAULT.withInputSize(64, 64));
        Network x =
                ModelLoader.load("zoo:squeezenet1.1?seed=5&init=xavier", ImportOptions.DEFAULT.withInputSize(64, 64));
        assertEquals(a.graph().absWeightSum(), b.graph().absWeightSum(), 0.0);
        assertNotEquals(a.graph().absWeightSum(), c.graph().absWeightSum());
        assertNotEquals(a.graph().absWeightSum(), x.graph().absWeightSum());
        assertEquals(a.graph().edgeCount(), x.graph().edgeCount());
    }
}
