package io.nnfrust.onnx;

import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Views: operators that only re-index existing nodes and make none. {@code Flatten}, {@code Reshape},
 * {@code Squeeze}, {@code Unsqueeze} keep the element order; {@code Transpose} permutes it; {@code Concat} is
 * the ordered union of its inputs' nodes; {@code Slice} and {@code Split} select nodes (a channel slice is whole
 * planes, free like Concat; a spatial crop is a view too, which a window operator reads in place as a window of
 * the whole planes, see {@link ImportContext#imagePlanes}); {@code Pad} with zeros is remembered and folded into
 * the padding of the convolution or pooling that reads it.
 */
final class Views {
    private Views() {}

    static void register(OperatorRegistry r) {
        r.register("Flatten", Views::flatten);
        r.register("Reshape", Views::reshape);
        r.register("Squeeze", (n, c) -> squeeze(n, c, false));
        r.register("Unsqueeze", (n, c) -> squeeze(n, c, true));
        r.register("Transpose", Views::transpose);
        r.register("Concat", Views::concat);
        r.register("Slice", 1, Views::slice); // starts/ends/axes as attributes
        r.register("Slice", 10, Views::slice); // as inputs (and steps); sliceSpec reads both forms
        r.register("Split", 1, Views::split); // 'split' attribute
        r.register("Split", 13, Views::split); // 'split' input; opset 18 adds num_outputs
        r.register("Pad", Views::pad);
    }

    private static Value flatten(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        int rank = x.shape.length;
        int axis = (int) Attrs.i(n.proto(), "axis", 1);
        if (axis < 0) {
            axis += rank;
        }
        if (axis < 0 || axis > rank) {
            throw new NnfrustException(n.where() + ": axis out of range for " + ImportContext.shapeText(x.shape));
        }
        int[] shape = {(int) ImportContext.product(x.shape, 0, axis), (int) ImportContext.product(x.shape, axis, rank)};
        return x.alias(n.output(), shape, "Flatten");
    }

    private static Value reshape(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        long[] target = n.hasInput(1) ? c.constInts(n, 1, "the target shape") : Attrs.longs(n.proto(), "shape");
        int[] shape = ConstantFolder.reshapeDims(x.shape, target, Attrs.i(n.proto(), "allowzero", 0) != 0, n.where());
        return x.alias(n.output(), shape, "Reshape");
    }

    private static Value squeeze(ImportContext.Op n, ImportContext c, boolean unsqueeze) {
        Value x = c.activation(n, 0);
        int[] axes = n.hasInput(1)
                ? Arrays.stream(c.constInts(n, 1, "axes"))
                        .mapToInt(Math::toIntExact)
                        .toArray()
                : Attrs.ints(n.proto(), "axes", null);
        int[] shape =
                unsqueeze ? ShapeOps.unsqueeze(x.shape, axes, n.where()) : ShapeOps.squeeze(x.shape, axes, n.where());
        return x.alias(n.output(), shape, n.proto().getOpType());
    }

    /** A view selecting input elements {@code index} (flat C-order) in a new shape. */
    static Value select(Value x, String tensor, int[] shape, int[] index, String op) {
        int[] map = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            map[i] = x.node(index[i]);
        }
        Value v = new Value(tensor, shape, -1, map);
        v.producer = op;
        v.parent = x;
        return v;
    }

    private static Value transpose(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        int[] perm = ShapeOps.perm(Attrs.ints(n.proto(), "perm", null), x.shape.length, n.where());
        return select(
                x, n.output(), ShapeOps.permute(x.shape, perm), ShapeOps.transposeIndex(x.shape, perm), "Transpose");
    }

    private static Value concat(ImportContext.Op n, ImportContext c) {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < n.proto().getInputCount(); i++) {
            in.add(c.activation(n, i));
        }
        int rank = in.get(0).shape.length;
        int axis = ConstantFolder.axis((int) Attrs.i(n.proto(), "axis", 1), rank, n.where());
        int[] shape = in.get(0).shape.clone();
        shape[axis] = 0;
        for (Value v : in) {
            for (int d = 0; d < rank; d++) {
                if (v.shape.length != rank || d != axis && v.shape[d] != shape[d]) {
                    throw new NnfrustException(n.where() + ": inputs " + ImportContext.shapeText(in.get(0).shape)
                            + " and " + ImportContext.shapeText(v.shape) + " cannot be concatenated on axis " + axis);
                }
            }
            shape[axis] += v.shape[axis];
        }
        if (in.size() == 1) {
            return in.get(0).alias(n.output(), shape, "Concat");
        }
        long outer = ImportContext.product(shape, 0, axis), inner = ImportContext.product(shape, axis + 1, rank);
        int[] map = new int[(int) ImportContext.product(shape, 0, rank)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (Value v : in) {
                int chunk = (int) (v.shape[axis] * inner);
                int start = (int) (o * chunk);
                for (int j = 0; j < chunk; j++) {
                    map[pos++] = v.node(start + j);
                }
            }
        }
        Value v = new Value(n.output(), shape, -1, map);
        v.producer = "Concat";
        return v;
    }

    private static Value slice(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        ConstTensor[] in = new ConstTensor[5];
        String[] what = {"", "starts", "ends", "axes", "steps"};
        for (int i = 1; i < 5; i++) {
            in[i] = n.hasInput(i) ? c.requireConstant(n, i, what[i]) : null;
        }
        ShapeOps.SliceSpec s = ShapeOps.sliceSpec(n.proto(), x.shape, in[1], in[2], in[3], in[4], n.where());
        for (int d : s.outDims()) {
            if (d == 0) {
                throw new NnfrustException(
                        n.where() + ": the slice of " + ImportContext.shapeText(x.shape) + " is empty");
            }
        }
        return select(x, n.output(), s.outDims(), s.sourceIndex(x.shape), "Slice");
    }

    private static Value split(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        int rank = x.shape.length;
        int axis = ConstantFolder.axis((int) Attrs.i(n.proto(), "axis", 0), rank, n.where());
        int outs = n.proto().getOutputCount();
        long[] sizes = n.hasInput(1) ? c.constInts(n, 1, "split") : Attrs.longs(n.proto(), "split");
        int dim = x.shape[axis];
        if (sizes == null) {
            long parts = Attrs.i(n.proto(), "num_outputs", outs);
            if (parts <= 0) {
                throw new NnfrustException(n.where() + ": no outputs");
            }
            long each = (dim + parts - 1) / parts; // ONNX: the last chunk may be smaller
            sizes = new long[(int) parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, dim - i * each));
            }
        }
        if (sizes.length != outs
                || Arrays.stream(sizes).sum() != dim
                || Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new NnfrustException(n.where() + ": split sizes " + Attrs.brief(sizes) + " do not divide axis " + axis
                    + " of " + ImportContext.shapeText(x.shape) + " into " + outs + " non-empty outputs");
        }
        Value first = null;
        int start = 0;
        for (int k = 0; k < outs; k++) {
            int[] st = new int[rank], step = new int[rank];
            Arrays.fill(step, 1);
            st[axis] = start;
            int[] dims = x.shape.clone();
            dims[axis] = (int) sizes[k];
            int[] index = new ShapeOps.SliceSpec(st, step, dims).sourceIndex(x.shape);
            Value v = select(x, n.proto().getOutput(k), dims, index, "Split");
            if (k == 0) {
                first = v;
            } else if (!n.proto().getOutput(k).isEmpty()) {
                c.values.put(n.proto().getOutput(k), v);
            }
            start += (int) sizes[k];
        }
        return first;
    }

    private static Value pad(ImportContext.Op n, ImportContext c) {
        Value x = c.activation(n, 0);
        String mode = Attrs.s(n.proto(), "mode", "constant");
        if (!mode.equals("constant")) {
            throw new NnfrustException(
                    n.where() + ": only constant (zero) padding is supported, got mode '" + mode + "'");
        }
        long[] pads = n.hasInput(1) ? c.constInts(n, 1, "pads") : Attrs.longs(n.proto(), "pads");
        if (pads == null) {
            throw new NnfrustException(n.where() + ": no pads given");
        }
        float value = Attrs.f(n.proto(), "value", 0f);
        if (n.hasInput(2)) {
            float[] cv = c.weight(n, 2, "the constant value");
            value = cv.length == 0 ? 0f : cv[0];
        }
        if (value != 0f) {
            throw new NnfrustException(n.where() + ": only zero padding is supported (constant value " + value + ")");
        }
        if (n.hasInput(3)) {
            throw new NnfrustException(n.where() + ": Pad with an axes input is not supported; pad all four axes");
        }
        int rank = x.shape.length;
        if (rank != 4 || pads.length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw new NnfrustException(n.where() + ": only spatial padding of an [N,C,H,W] tensor is supported, pads "
                    + Attrs.brief(pads));
        }
        for (long p : pads) {
            if (p < 0 || p > 1 << 20) {
                throw new NnfrustException(n.where() + ": pad " + p + " is not supported (negative or huge)");
            }
        }
        Value v = x.alias(n.output(), x.shape, "Pad");
        int[] p = {(int) pads[2], (int) pads[3], (int) pads[6], (int) pads[7]};
        if (x.pads != null) {
            for (int i = 0; i < 4; i++) {
                p[i] += x.pads[i];
            }
        }
        v.pads = p;
        v.set = null;
        return v;
    }
}
