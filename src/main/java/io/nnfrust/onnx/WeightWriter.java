package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.model.Network;
import io.nnfrust.model.WeightBinding;
import io.nnfrust.util.NnfrustException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the convolution and dense weights of a graph (typically a null model of an imported network, e.g. N3)
 * back into the ONNX model the network came from, so that the null network can be run by ONNX Runtime. Every
 * weight tensor named by the network's {@link WeightBinding}s is replaced by the corresponding block's weights
 * (undoing a dense layer's transposition and Gemm alpha); the element type of each tensor is kept (FLOAT16
 * rounds). A BatchNorm folded into a layer ({@code --batchnorm fold}) stays in the ONNX model, so its factor is
 * divided out of the written weights. Importing the result gives back the graph's weights (exactly for FLOAT
 * models without folded BatchNorms, to float rounding with them).
 *
 * <p>Biases are not part of the graph A (paper, Methods); {@link BiasPolicy} says what happens to them.
 * O(parameters).
 */
public final class WeightWriter {
    /** What to do with the biases of the rewritten layers. */
    public enum BiasPolicy {
        /** Set every rewritten layer's bias to zero (a network before training, MATLAB's default bias init). */
        ZERO,
        /** Keep the model's biases. */
        KEEP;

        public static BiasPolicy parse(String s) {
            for (BiasPolicy p : values()) {
                if (p.name().equalsIgnoreCase(s)) {
                    return p;
                }
            }
            throw new NnfrustException("unknown bias policy '" + s + "' (use zero or keep)");
        }
    }

    private WeightWriter() {}

    /**
     * @param model   the ONNX model {@code network} was imported from
     * @param network the imported network (its weight bindings)
     * @param weights a graph with the blocks of {@code network.graph()}, convolution/dense weights replaced
     */
    public static ModelProto write(ModelProto model, Network network, SignedGraph weights, BiasPolicy biases) {
        List<EdgeBlock> blocks = weights.blocks();
        if (blocks.size() != network.graph().blocks().size()) {
            throw new IllegalArgumentException("graph has " + blocks.size() + " blocks, network "
                    + network.graph().blocks().size());
        }
        Map<String, float[]> values = new HashMap<>();
        Set<String> zeroBias = new HashSet<>();
        for (WeightBinding b : network.weights()) {
            EdgeBlock block = blocks.get(b.block());
            float[] w;
            int out, in;
            if (block instanceof ConvolutionBlock c) {
                w = c.kernel();
                out = 0;
                in = 0;
            } else if (block instanceof DenseBlock d) {
                w = d.matrix();
                out = d.outFeatures();
                in = d.inFeatures();
            } else {
                throw new NnfrustException("block " + block.name() + " (" + block.kind()
                        + ") has no per-parameter weights to write into ONNX (null model N2 is not a convolution)");
            }
            if (b.tensor() == null) {
                throw new NnfrustException("the weights of block " + block.name() + " are computed inside the model "
                        + "(constant folding), not stored in one tensor; they cannot be written back for inference");
            }
            float[] t = new float[w.length];
            float[] scale = b.channelScale();
            int per = scale == null ? 1 : w.length / scale.length;
            if (b.transposed()) {
                for (int o = 0; o < out; o++) {
                    float f = b.alpha() * (scale == null ? 1f : scale[o]);
                    for (int k = 0; k < in; k++) {
                        t[k * out + o] = w[o * in + k] / f;
                    }
                }
            } else {
                for (int i = 0; i < w.length; i++) {
                    t[i] = w[i] / (b.alpha() * (scale == null ? 1f : scale[i / per]));
                }
            }
            if (values.put(b.tensor(), t) != null) {
                throw new NnfrustException("weight tensor '" + b.tensor()
                        + "' is shared by two layers; their null-model weights cannot be written back");
            }
            if (b.bias() != null && biases == BiasPolicy.ZERO) {
                zeroBias.add(b.bias());
            }
        }
        GraphProto g = model.getGraph();
        GraphProto.Builder gb = g.toBuilder();
        Set<String> written = new HashSet<>();
        for (int i = 0; i < gb.getInitializerCount(); i++) {
            TensorProto t = gb.getInitializer(i);
            TensorProto r = replacement(t, t.getName(), values, zeroBias);
            if (r != null) {
                gb.setInitializer(i, r);
                written.add(t.getName());
            }
        }
        for (int i = 0; i < gb.getNodeCount(); i++) {
            NodeProto n = gb.getNode(i);
            if (!n.getOpType().equals("Constant") || n.getOutputCount() != 1) {
                continue;
            }
            String name = n.getOutput(0);
            for (int a = 0; a < n.getAttributeCount(); a++) {
                AttributeProto at = n.getAttribute(a);
                if (at.getName().equals("value") && at.hasT()) {
                    TensorProto r = replacement(at.getT(), name, values, zeroBias);
                    if (r != null) {
                        gb.setNode(
                                i,
                                n.toBuilder()
                                        .setAttribute(
                                                a,
                                                at.toBuilder()
                                                        .setT(r.toBuilder()
                                                                .setName(at.getT()
                                                                        .getName()))));
                        written.add(name);
                    }
                }
            }
        }
        for (String name : values.keySet()) {
            if (!written.contains(name)) {
                throw new NnfrustException("weight tensor '" + name
                        + "' is neither an initializer nor a Constant node; cannot write null-model weights into it");
            }
        }
        return model.toBuilder().setGraph(gb).build();
    }

    private static TensorProto replacement(
            TensorProto t, String name, Map<String, float[]> values, Set<String> zeroBias) {
        float[] v = values.get(name);
        if (v != null) {
            return OnnxTensors.withValues(t, v);
        }
        if (zeroBias.contains(name)) {
            return OnnxTensors.withValues(t, new float[(int) OnnxTensors.elementCount(t)]);
        }
        return null;
    }
}
