package io.nnfrust.onnx;

import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.WindowGeometry;
import io.nnfrust.model.StateProbe;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;

/**
 * Pooling (paper SI D.1): every (window, tap inside the input) is an edge of the fixed weight 0.01/p.
 * {@code MaxPool}, {@code AveragePool}, their global forms, and {@code ReduceMean}/{@code ReduceSum} over both
 * spatial axes (PyTorch's {@code x.mean([2, 3])}), which is a global pooling window.
 */
final class Pooling {
    private Pooling() {}

    static void register(OperatorRegistry r) {
        r.register("MaxPool", (n, c) -> pool(n, c, true));
        r.register("AveragePool", (n, c) -> pool(n, c, false));
        r.register("GlobalAveragePool", (n, c) -> global(n, c, false, true));
        r.register("GlobalMaxPool", (n, c) -> global(n, c, true, true));
        // axes: attribute up to opset 17 (ReduceMean) / 12 (ReduceSum), input from 18 / 13; both read by reduce()
        r.register("ReduceMean", Pooling::reduce);
        r.register("ReduceSum", Pooling::reduce);
    }

    /** Window geometry from kernel, strides, dilations, pads/auto_pad and a pending Pad; validated. */
    static WindowGeometry window(ImportContext.Op n, Value x, int[] kernel, boolean ceil) {
        int[] strides = Attrs.ints(n.proto(), "strides", new int[] {1, 1});
        int[] dil = Attrs.ints(n.proto(), "dilations", new int[] {1, 1});
        if (strides.length != 2 || dil.length != 2) {
            throw new NnfrustException(n.where() + ": strides/dilations must have 2 values");
        }
        for (int d = 0; d < 2; d++) {
            if (kernel[d] <= 0 || strides[d] <= 0 || dil[d] <= 0) {
                throw new NnfrustException(n.where() + ": kernel " + Attrs.brief(kernel) + ", strides "
                        + Attrs.brief(strides) + " and dilations " + Attrs.brief(dil)
                        + " must be positive");
            }
        }
        String autoPad = Attrs.s(n.proto(), "auto_pad", "NOTSET");
        int[] pads = Attrs.ints(n.proto(), "pads", new int[] {0, 0, 0, 0});
        if (pads.length != 4) {
            throw new NnfrustException(n.where() + ": pads must have 4 values for a 2-D window");
        }
        int[] r = pads.clone();
        switch (autoPad) {
            case "NOTSET" -> {}
            case "VALID" -> r = new int[4];
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int d = 0; d < 2; d++) {
                    int in = x.shape[2 + d];
                    int out = (in + strides[d] - 1) / strides[d];
                    int total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - in);
                    int small = total / 2, large = total - small;
                    r[d] = autoPad.equals("SAME_UPPER") ? small : large;
                    r[d + 2] = autoPad.equals("SAME_UPPER") ? large : small;
                }
            }
            default -> throw new NnfrustException(n.where() + ": unknown auto_pad '" + autoPad + "'");
        }
        if (x.pads != null) {
            for (int i = 0; i < 4; i++) {
                r[i] += x.pads[i];
            }
        }
        for (int p : r) {
            if (p < 0) {
                throw new NnfrustException(n.where() + ": negative padding is not supported");
            }
        }
        int hin = x.shape[2], win = x.shape[3];
        int oh = WindowGeometry.outputSize(hin, kernel[0], strides[0], dil[0], r[0], r[2], ceil);
        int ow = WindowGeometry.outputSize(win, kernel[1], strides[1], dil[1], r[1], r[3], ceil);
        if (oh <= 0 || ow <= 0) {
            throw new NnfrustException(n.where() + ": output would be empty (input " + hin + "x" + win
                    + " too small; a larger --input-size?)");
        }
        return new WindowGeometry(
                hin, win, oh, ow, kernel[0], kernel[1], strides[0], strides[1], dil[0], dil[1], r[0], r[1]);
    }

    private static Value pool(ImportContext.Op n, ImportContext c, boolean max) {
        Value x = c.activation(n, 0);
        if (x.shape.length != 4) {
            throw new NnfrustException(
                    n.where() + ": expects an image tensor [N,C,H,W], got " + ImportContext.shapeText(x.shape));
        }
        int[] kernel = Attrs.ints(n.proto(), "kernel_shape", null);
        if (kernel == null || kernel.length != 2) {
            throw new NnfrustException(n.where() + ": needs a 2-D kernel_shape");
        }
        boolean ceil = Attrs.i(n.proto(), "ceil_mode", 0) != 0;
        WindowGeometry g = window(n, x, kernel, ceil);
        return block(n, c, x, g, max, new int[] {1, x.shape[1], g.outHeight, g.outWidth});
    }

    private static Value global(ImportContext.Op n, ImportContext c, boolean max, boolean keep) {
        Value x = c.activation(n, 0);
        if (x.shape.length != 4) {
            throw new NnfrustException(
                    n.where() + ": expects an image tensor [N,C,H,W], got " + ImportContext.shapeText(x.shape));
        }
        int h = x.shape[2], w = x.shape[3];
        WindowGeometry g = new WindowGeometry(h, w, 1, 1, h, w, 1, 1, 1, 1, 0, 0);
        return block(n, c, x, g, max, keep ? new int[] {1, x.shape[1], 1, 1} : new int[] {1, x.shape[1]});
    }

    private static Value reduce(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        int[] axes = n.hasInput(1)
                ? Arrays.stream(c.constInts(n, 1, "axes"))
                        .mapToInt(Math::toIntExact)
                        .toArray()
                : Attrs.ints(n.proto(), "axes", null);
        boolean keep = Attrs.i(n.proto(), "keepdims", 1) != 0;
        int rank = x.shape.length;
        int[] norm = axes == null
                ? null
                : Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
        if (rank != 4 || norm == null || !Arrays.equals(norm, new int[] {2, 3})) {
            throw new NnfrustException(
                    n.where() + ": a reduction over axes " + (axes == null ? "(all)" : Attrs.brief(axes)) + " of "
                            + ImportContext.shapeText(x.shape) + " is not a global pooling "
                            + "(only both spatial axes of [N,C,H,W], x.mean([2, 3]), are); this is how exporters write "
                            + "LayerNorm/InstanceNorm (x - mean(x)) / std(x), a normalisation by statistics of the input, "
                            + "outside the paper's model; " + Arithmetic.WAY_OUT);
        }
        return global(n, c, false, keep);
    }

    private static Value block(
            ImportContext.Op n, ImportContext c, Value x, WindowGeometry window, boolean max, int[] shape) {
        ImportContext.ImagePlanes planes = c.imagePlanes(x, n); // a crop is read in place: its window joins g
        WindowGeometry g = planes.window(window);
        PlaneLayout in = planes.layout();
        int ch = x.shape[1];
        String op = n.proto().getOpType();
        NodeSet set = c.newSet(n.label(), op, ch, g.outHeight, g.outWidth);
        PoolingBlock b = new PoolingBlock(
                n.label(), in, set.offset(), g, c.options.poolWeight().weight(g.kernelHeight, g.kernelWidth), max);
        c.addBlockRow(b, set, op, 0);
        if (max) {
            Value src = x;
            while (src.pads != null) { // Pad folded into the pooling: the unpadded tensor holds the nodes
                src = src.parent;
            }
            c.probes.add(new StateProbe(
                    StateProbe.Kind.POOL_INPUT, src.tensor, c.blocks.size() - 1, src.offset, src.map, (int)
                            src.elements()));
        }
        Value v = c.setValue(n.output(), shape, set, op);
        v.weightProduced = false;
        return v;
    }
}
