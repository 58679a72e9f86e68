package io.nnfrust.onnx;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.StateProbe;
import io.nnfrust.util.NnfrustException;

/**
 * Node-wise operators: the paper's σ (SI D.2), monotone non-decreasing functions applied to each node. They
 * make no nodes and no edges; the output tensor is the input's nodes. A function that is not monotone for the
 * given attributes (a negative slope, a negative scale) is refused. {@code BatchNormalization} is node-wise or
 * folded into the layer before it ({@link BatchNormConvention}).
 */
final class NodeWise {
    private NodeWise() {}

    static void register(OperatorRegistry r) {
        for (String op : new String[] {
            "Relu", "Clip", "LRN", "Dropout", "Softmax", "Identity", "Sigmoid", "Tanh", "Softplus", "Softsign", "Erf"
        }) {
            r.register(op, NodeWise::plain);
        }
        r.register("LeakyRelu", (n, c) -> nonNegative(n, c, "alpha", 0.01f, "slope for x < 0"));
        r.register("Elu", (n, c) -> nonNegative(n, c, "alpha", 1f, "alpha"));
        r.register("Celu", (n, c) -> nonNegative(n, c, "alpha", 1f, "alpha"));
        r.register("HardSigmoid", (n, c) -> nonNegative(n, c, "alpha", 0.2f, "slope alpha"));
        r.register("Selu", NodeWise::selu);
        r.register("PRelu", NodeWise::prelu);
        r.register("BatchNormalization", NodeWise::batchNorm);
    }

    static Value plain(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        String op = n.proto().getOpType();
        Value v = x.alias(n.output(), x.shape, op);
        if (v.pads == null && (op.equals("Relu") || op.equals("Clip") && clipsAtZero(n, c))) {
            c.probes.add(new StateProbe(StateProbe.Kind.RELU, v.tensor, -1, v.offset, v.map, (int) v.elements()));
        }
        return v;
    }

    private static Value nonNegative(ImportContext.Op n, ImportContext c, String attr, float dflt, String what) {
        float a = Attrs.f(n.proto(), attr, dflt);
        if (!(a >= 0)) {
            throw new NnfrustException(n.where() + ": " + what + " " + a + " < 0 makes "
                    + n.proto().getOpType()
                    + " decreasing, not a monotone activation of the paper's model; use a non-negative " + attr);
        }
        return plain(n, c);
    }

    private static Value selu(ImportContext.Op n, ImportContext c) {
        float a = Attrs.f(n.proto(), "alpha", 1.67326f), g = Attrs.f(n.proto(), "gamma", 1.0507f);
        if (!(a >= 0) || !(g > 0)) {
            throw new NnfrustException(n.where() + ": Selu with alpha " + a + " and gamma " + g
                    + " is not monotone non-decreasing; the paper's model needs alpha >= 0 and gamma > 0");
        }
        return plain(n, c);
    }

    private static Value prelu(ImportContext.Op n, ImportContext c) {
        float[] slope = c.weight(n, 1, "the slope");
        for (int i = 0; i < slope.length; i++) {
            if (!(slope[i] >= 0)) {
                throw new NnfrustException(n.where() + ": slope " + slope[i] + " at index " + i + " is negative, so "
                        + "PRelu is not monotone there; the paper's model needs non-negative slopes");
            }
        }
        Value v = plain(n, c);
        c.addParamsToRow(c.activation(n, 0), slope.length);
        return v;
    }

    /** True for a Clip whose lower bound is exactly 0 (ReLU6 and the like): it zeroes nodes as a ReLU does. */
    private static boolean clipsAtZero(ImportContext.Op n, ImportContext c) {
        if (n.hasInput(1)) {
            ConstTensor min = c.constant(n.input(1));
            return min != null && min.size() == 1 && min.reals()[0] == 0.0;
        }
        if (Attrs.get(n.proto(), "min") != null) {
            return Attrs.f(n.proto(), "min", -1f) == 0f;
        }
        return false;
    }

    // ---------------------------------------------------------------- BatchNorm

    static Value batchNorm(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        if (x.shape.length < 2) {
            throw new NnfrustException(n.where() + ": expects [N, C, ...], got " + ImportContext.shapeText(x.shape));
        }
        int ch = x.shape[1];
        float[] gamma = c.weight(n, 1, "the scale"), beta = c.weight(n, 2, "the bias");
        if (gamma.length != ch || beta.length != ch) {
            throw new NnfrustException(n.where() + ": scale and bias must have " + ch + " values (one per channel), "
                    + "got " + gamma.length + " and " + beta.length);
        }
        Value v = x.alias(n.output(), x.shape, "BatchNormalization");
        if (c.options.batchNorm() == BatchNormConvention.FOLD && foldable(x, c)) {
            float[] mean = c.weight(n, 3, "the running mean"), var = c.weight(n, 4, "the running variance");
            if (mean.length != ch || var.length != ch) {
                throw new NnfrustException(n.where() + ": running mean and variance must have " + ch + " values");
            }
            float eps = Attrs.f(n.proto(), "epsilon", 1e-5f);
            float[] f = new float[ch];
            for (int k = 0; k < ch; k++) {
                float d = var[k] + eps;
                if (!(d > 0) || !Float.isFinite(gamma[k])) {
                    throw new NnfrustException(n.where() + ": channel " + k + " has running variance + epsilon = " + d
                            + " and scale " + gamma[k] + "; cannot fold (use --batchnorm node)");
                }
                f[k] = gamma[k] / (float) Math.sqrt(d); // as PyTorch's eval-mode export fuses Conv+BN (float32)
            }
            fold(c, x.block, f);
            v.producer = x.producer; // the folded layer's output, as in an eval-mode export
            v.block = x.block;
            c.batchNormsFolded++;
            long bias = c.biasOfBlock.getOrDefault(x.block, 0L);
            c.addParamsToRow(x, ch - bias); // the fused layer has one bias per output channel
            c.biasOfBlock.put(x.block, (long) ch);
            return v;
        }
        c.batchNormsOnNodes++;
        c.addParamsToRow(x, gamma.length + beta.length);
        return v;
    }

    /** The BatchNorm reads the whole output of one conv/dense layer, and nothing else reads it. */
    private static boolean foldable(Value x, ImportContext c) {
        return x.block >= 0
                && x.wholeSet()
                && c.useCount.getOrDefault(x.tensor, 0) == 1
                && ("Conv".equals(x.producer) || "Gemm".equals(x.producer) || "MatMul".equals(x.producer));
    }

    /** Multiplies the weights of output channel k of block {@code index} by f[k]. */
    private static void fold(ImportContext c, int index, float[] f) {
        EdgeBlock b = c.blocks.get(index);
        float[] w = b instanceof ConvolutionBlock cb ? cb.kernel() : ((DenseBlock) b).matrix();
        int per = w.length / f.length;
        float[] s = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = w[i] * f[i / per];
        }
        c.replaceBlock(index, b instanceof ConvolutionBlock cb ? cb.withKernel(s) : ((DenseBlock) b).withMatrix(s));
        for (int i = 0; i < c.bindings.size(); i++) {
            var wb = c.bindings.get(i);
            if (wb.block() == index) {
                float[] prev = wb.channelScale();
                float[] scale = f.clone();
                if (prev != null) {
                    for (int k = 0; k < scale.length; k++) {
                        scale[k] *= prev[k];
                    }
                }
                c.bindings.set(i, wb.withChannelScale(scale));
            }
        }
    }
}
