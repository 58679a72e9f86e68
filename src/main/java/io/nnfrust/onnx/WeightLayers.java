package io.nnfrust.onnx;

import io.nnfrust.graph.ConvolutionBlock;
import io.nnfrust.graph.DenseBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.WeightBinding;
import io.nnfrust.util.NnfrustException;

/**
 * Weight layers, the edges of A (paper eq. 5, SI D.1): {@code Conv} (generalised Toeplitz block) and
 * {@code Gemm}/{@code MatMul} (dense block). Each makes one node set for its output.
 */
final class WeightLayers {
    private WeightLayers() {}

    static void register(OperatorRegistry r) {
        r.register("Conv", WeightLayers::conv);
        r.register("Gemm", WeightLayers::gemm);
        r.register("MatMul", WeightLayers::matMul);
    }

    /**
     * Conv is defined for floating-point tensors only (ONNX operator schema: float16, float, double, bfloat16); an
     * integer kernel is not a valid model (ONNX Runtime refuses to load it) and is refused here rather than read
     * as numbers.
     */
    static void requireFloat(ImportContext.Op n, ConstTensor t, String name, String what) {
        if (!ConstTensor.isReal(t.type)) {
            throw new NnfrustException(
                    n.where() + ": the " + what + " '" + name + "' is " + OnnxTensors.typeName(t.type)
                            + ", but Conv takes floating-point tensors only (float, float16, double, bfloat16): not a valid "
                            + "ONNX model; export it with float weights (quantised models are not supported)");
        }
    }

    static Value conv(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        ConstTensor kt = c.requireConstant(n, 1, "the kernel");
        requireFloat(n, kt, n.input(1), "kernel");
        if (n.hasInput(2)) {
            requireFloat(n, c.requireConstant(n, 2, "the bias"), n.input(2), "bias");
        }
        int[] wd = kt.dims;
        if (wd.length != 4) {
            throw new NnfrustException(
                    n.where() + ": only 2-D convolutions are supported (kernel rank " + wd.length + ")");
        }
        for (int d : wd) {
            if (d <= 0) {
                throw new NnfrustException(
                        n.where() + ": kernel " + ImportContext.shapeText(wd) + " has an empty dimension");
            }
        }
        if (x.shape.length != 4) {
            throw new NnfrustException(
                    n.where() + ": expects an image tensor [N,C,H,W], got " + ImportContext.shapeText(x.shape));
        }
        long group = Attrs.i(n.proto(), "group", 1);
        if (group < 1 || group > Integer.MAX_VALUE) {
            throw new NnfrustException(n.where() + ": group " + group + " must be a positive number of channel groups");
        }
        int groups = (int) group;
        int cin = x.shape[1], hin = x.shape[2], win = x.shape[3];
        int cout = wd[0];
        if (groups <= 0 || cin != (long) wd[1] * groups || cout % groups != 0) {
            throw new NnfrustException(n.where() + ": input has " + cin + " channels but kernel "
                    + ImportContext.shapeText(wd) + " with group=" + groups + " expects " + ((long) wd[1] * groups));
        }
        int[] kernel = Attrs.ints(n.proto(), "kernel_shape", new int[] {wd[2], wd[3]});
        if (kernel.length != 2 || kernel[0] != wd[2] || kernel[1] != wd[3]) {
            throw new NnfrustException(n.where() + ": kernel_shape " + Attrs.brief(kernel) + " does not match kernel "
                    + ImportContext.shapeText(wd));
        }
        WindowGeometry window = Pooling.window(n, x, kernel, false);
        ImportContext.ImagePlanes planes = c.imagePlanes(x, n); // a crop is read in place: its window joins g
        WindowGeometry g = planes.window(window);
        PlaneLayout in = planes.layout();
        float[] k = ImportContext.finite(n, n.input(1), "the kernel", kt.floats());
        long bias = n.hasInput(2) ? c.weight(n, 2, "the bias").length : 0;
        NodeSet set = c.newSet(n.label(), "Conv", cout, g.outHeight, g.outWidth);
        ConvolutionBlock b = new ConvolutionBlock(n.label(), in, set.offset(), cout, groups, g, k);
        int index = c.blocks.size();
        c.bindings.add(new WeightBinding(
                index, c.sourceTensor(n.input(1)), false, 1f, bias > 0 ? c.sourceTensor(n.input(2)) : null));
        c.biasOfBlock.put(index, bias);
        c.addBlockRow(b, set, "Conv", k.length + bias);
        Value v = c.setValue(n.output(), new int[] {1, cout, g.outHeight, g.outWidth}, set, "Conv");
        v.block = index;
        return v;
    }

    static Value gemm(ImportContext.Op n, ImportContext c) {
        float alpha = Attrs.f(n.proto(), "alpha", 1f);
        float beta = Attrs.f(n.proto(), "beta", 1f);
        if (!Float.isFinite(alpha) || alpha == 0f || !Float.isFinite(beta)) {
            throw new NnfrustException(n.where() + ": alpha " + alpha + " and beta " + beta + " must be finite (alpha"
                    + " non-zero: it scales every weight)");
        }
        boolean transA = Attrs.i(n.proto(), "transA", 0) != 0;
        boolean transB = Attrs.i(n.proto(), "transB", 0) != 0;
        boolean aConst = c.isConstant(n.input(0)), bConst = c.isConstant(n.input(1));
        if (aConst == bConst) {
            throw new NnfrustException(n.where() + ": exactly one of A and B must be a constant weight matrix"
                    + (aConst ? "" : " (a product of two activations, e.g. attention, is outside the paper's model)"));
        }
        long bias = 0;
        if (n.hasInput(2) && beta != 0f) {
            bias = c.weight(n, 2, "the bias C").length;
        }
        if (!bConst) {
            return dense(n, c, 1, 0, transA, true, alpha, bias);
        }
        return dense(n, c, 0, 1, transB, false, alpha, bias);
    }

    static Value matMul(ImportContext.Op n, ImportContext c) {
        boolean aConst = c.isConstant(n.input(0)), bConst = c.isConstant(n.input(1));
        if (aConst == bConst) {
            throw new NnfrustException(n.where() + ": exactly one of the two inputs must be a constant weight matrix"
                    + (aConst ? "" : " (a product of two activations, e.g. attention, is outside the paper's model)"));
        }
        return bConst ? dense(n, c, 0, 1, false, false, 1f, 0) : dense(n, c, 1, 0, false, true, 1f, 0);
    }

    /**
     * A dense layer. {@code weightLeft}: Y = W' X (weight first, W' = trans ? W^T : W, rows are outputs);
     * otherwise Y = X W' (columns of W' are outputs).
     */
    private static Value dense(
            ImportContext.Op n,
            ImportContext c,
            int actIndex,
            int weightIndex,
            boolean trans,
            boolean weightLeft,
            float alpha,
            long bias) {
        Value x = c.activation(n, actIndex);
        ConstTensor wt = c.requireConstant(n, weightIndex, "the weight matrix");
        int[] wd = wt.dims;
        if (wd.length != 2) {
            throw new NnfrustException(n.where() + ": weight '" + n.input(weightIndex) + "' must be a matrix, got "
                    + ImportContext.shapeText(wd));
        }
        int rowsW = trans ? wd[1] : wd[0], colsW = trans ? wd[0] : wd[1];
        int in = weightLeft ? colsW : rowsW;
        int out = weightLeft ? rowsW : colsW;
        if (out <= 0 || in <= 0) {
            throw new NnfrustException(n.where() + ": weight " + ImportContext.shapeText(wd) + " is empty");
        }
        long have = x.elements();
        if (!weightLeft && x.shape.length >= 2 && x.shape[x.shape.length - 1] != in) {
            throw new NnfrustException(n.where() + ": weight " + ImportContext.shapeText(wd) + " expects " + in
                    + " features in the last dimension but the tensor is " + ImportContext.shapeText(x.shape)
                    + " (a different --input-size?)");
        }
        if (have != in) {
            throw new NnfrustException(n.where() + ": weight " + ImportContext.shapeText(wd) + " expects " + in
                    + " inputs but receives " + have + " (tensor " + ImportContext.shapeText(x.shape)
                    + "; a different --input-size?)");
        }
        float[] raw = ImportContext.finite(n, n.input(weightIndex), "the weight matrix", wt.floats());
        boolean rowMajorOutIn = weightLeft != trans;
        float[] m = rowMajorOutIn && alpha == 1f ? raw : new float[out * in];
        for (int o = 0; o < out && m != raw; o++) {
            for (int k = 0; k < in; k++) {
                int r = weightLeft ? o : k, col = weightLeft ? k : o;
                float v = trans ? raw[col * wd[1] + r] : raw[r * wd[1] + col];
                m[o * in + k] = alpha * v;
            }
        }
        if (m != raw) {
            ImportContext.finite(n, n.input(weightIndex), "alpha times the weight matrix", m);
        }
        PlaneLayout layout = c.planes(x, n);
        NodeSet set = c.newSet(n.label(), n.proto().getOpType(), out, 1, 1);
        DenseBlock b = new DenseBlock(n.label(), layout, set.offset(), out, m);
        int index = c.blocks.size();
        c.bindings.add(new WeightBinding(
                index,
                c.sourceTensor(n.input(weightIndex)),
                !rowMajorOutIn,
                alpha,
                bias > 0 ? c.sourceTensor(n.input(2)) : null));
        c.biasOfBlock.put(index, bias);
        c.addBlockRow(b, set, n.proto().getOpType(), raw.length + bias);
        int[] shape = weightLeft ? new int[] {out, 1} : new int[] {1, out};
        Value v = c.setValue(n.output(), shape, set, n.proto().getOpType());
        v.block = index;
        return v;
    }
}
