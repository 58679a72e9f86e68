package io.nnfrust.nullmodel;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.WeightInit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Null model N3: fresh weights for every convolutional and dense layer, drawn as before training from He normal
 * or Xavier uniform by the layer's fan-in and fan-out (kernel [out, in/groups, kh, kw]: fanIn = in/groups·kh·kw,
 * fanOut = out·kh·kw; dense: fanIn = inputs, fanOut = outputs). Layer k draws from the k-th long of
 * {@code SplittableRandom(seed)}. O(parameters).
 */
public final class ReinitializedWeights implements NullModel {
    private final WeightInit init;

    public ReinitializedWeights(WeightInit init) {
        this.init = init;
    }

    @Override
    public String name() {
        return "N3-" + init.label();
    }

    @Override
    public SignedGraph apply(SignedGraph graph, long seed) {
        SplittableRandom master = new SplittableRandom(seed);
        List<EdgeBlock> out = new ArrayList<>();
        for (EdgeBlock b : graph.blocks()) {
            SplittableRandom r = new SplittableRandom(master.nextLong());
            if (b instanceof ConvolutionBlock c) {
                WindowGeometry g = c.geometry();
                int rf = g.kernelHeight * g.kernelWidth;
                float[] w = new float[c.kernel().length];
                init.fill(w, c.input().channels / c.groups() * rf, c.outChannels() * rf, r);
                out.add(c.withKernel(w));
            } else if (b instanceof DenseBlock d) {
                float[] w = new float[d.matrix().length];
                init.fill(w, d.inFeatures(), d.outFeatures(), r);
                out.add(d.withMatrix(w));
            } else {
                out.add(b);
            }
        }
        return new SignedGraph(graph.nodeSets(), out);
    }
}
