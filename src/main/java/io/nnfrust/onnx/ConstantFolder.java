package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Evaluates constant-only nodes at import time: every node whose inputs are all initializers, {@code Constant}
 * outputs, earlier folded results or the (static) shape of an activation. Exporters write such subgraphs for
 * shape arithmetic ({@code Shape → Gather → Div → Slice} of {@code x.chunk}), for weights shared through
 * {@code Identity} (PyTorch deduplicates equal initializers), for casts of fp16 weights, and so on.
 *
 * <p>One fold rule per operator, in a registry keyed by operator type ({@link #RULES}); a rule reads every
 * opset's form (attributes of older opsets, inputs of newer ones). Integer results are exact ({@code long});
 * FLOAT results are rounded to float as ONNX Runtime computes them. Cost: O(elements) per node. Why our own
 * evaluator and not ONNX Runtime's graph optimizer: the optimizer also fuses Conv+BatchNorm and rewrites
 * nodes into its own contrib operators (so the graph would depend on the ORT version), and it needs the
 * whole model in native memory; this evaluator changes nothing but constant-only nodes (docs/conventions.md).
 */
final class ConstantFolder {
    /** Computes the outputs of one node from its constant inputs (null for an absent optional input). */
    @FunctionalInterface
    interface Rule {
        ConstTensor[] fold(NodeProto n, ConstTensor[] in, String where);
    }

    static final Map<String, Rule> RULES = new TreeMap<>();

    private ConstantFolder() {}

    static boolean canFold(String op) {
        return RULES.containsKey(op);
    }

    static ConstTensor[] fold(NodeProto n, ConstTensor[] in, String where) {
        Rule r = RULES.get(n.getOpType());
        if (r == null) {
            throw new NnfrustException(where + ": cannot evaluate this operator on constant inputs");
        }
        if (!n.getOpType().equals("Constant") && (in.length == 0 || in[0] == null)) {
            throw new NnfrustException(where + ": missing input 0");
        }
        try {
            return r.fold(n, in, where);
        } catch (ArithmeticException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new NnfrustException(where + ": cannot fold constant inputs (" + e.getMessage() + ")");
        }
    }

    private static ConstTensor[] one(ConstTensor t) {
        return new ConstTensor[] {t};
    }

    private static ConstTensor need(ConstTensor[] in, int i, String where) {
        if (i >= in.length || in[i] == null) {
            throw new NnfrustException(where + ": missing input " + i);
        }
        return in[i];
    }

    static {
        RULES.put("Constant", (n, in, w) -> one(constant(n, w)));
        RULES.put("Identity", (n, in, w) -> one(need(in, 0, w)));
        RULES.put("Cast", (n, in, w) -> one(cast(need(in, 0, w), (int) Attrs.i(n, "to", DataType.FLOAT_VALUE), w)));
        RULES.put("CastLike", (n, in, w) -> one(cast(need(in, 0, w), need(in, 1, w).type, w)));
        RULES.put("Shape", (n, in, w) -> one(shape(n, need(in, 0, w).dims)));
        RULES.put(
                "Size",
                (n, in, w) -> one(ConstTensor.ofLongs(DataType.INT64_VALUE, new int[0], new long[] {
                    need(in, 0, w).size()
                })));
        RULES.put(
                "Reshape",
                (n, in, w) -> one(need(in, 0, w)
                        .withDims(reshapeDims(
                                need(in, 0, w).dims,
                                in.length > 1 && in[1] != null ? in[1].longs() : Attrs.longs(n, "shape"),
                                Attrs.i(n, "allowzero", 0) != 0,
                                w))));
        RULES.put("Flatten", (n, in, w) -> {
            int[] d = need(in, 0, w).dims;
            int axis = axis((int) Attrs.i(n, "axis", 1), d.length + 1, w);
            return one(in[0].withDims(
                    new int[] {(int) ImportContext.product(d, 0, axis), (int) ImportContext.product(d, axis, d.length)
                    }));
        });
        RULES.put(
                "Squeeze", (n, in, w) -> one(need(in, 0, w).withDims(ShapeOps.squeeze(in[0].dims, axes(n, in, 1), w))));
        RULES.put(
                "Unsqueeze",
                (n, in, w) -> one(need(in, 0, w).withDims(ShapeOps.unsqueeze(in[0].dims, axes(n, in, 1), w))));
        RULES.put("Transpose", (n, in, w) -> {
            ConstTensor x = need(in, 0, w);
            int[] perm = ShapeOps.perm(Attrs.ints(n, "perm", null), x.dims.length, w);
            return one(x.select(ShapeOps.permute(x.dims, perm), ShapeOps.transposeIndex(x.dims, perm)));
        });
        RULES.put("Concat", ConstantFolder::concat);
        RULES.put("Gather", (n, in, w) -> one(gather(need(in, 0, w), need(in, 1, w), (int) Attrs.i(n, "axis", 0), w)));
        RULES.put("Slice", (n, in, w) -> {
            ConstTensor x = need(in, 0, w);
            ShapeOps.SliceSpec s = ShapeOps.sliceSpec(
                    n,
                    x.dims,
                    in.length > 1 ? in[1] : null,
                    in.length > 2 ? in[2] : null,
                    in.length > 3 ? in[3] : null,
                    in.length > 4 ? in[4] : null,
                    w);
            return one(x.select(s.outDims(), s.sourceIndex(x.dims)));
        });
        RULES.put("Expand", (n, in, w) -> {
            ConstTensor x = need(in, 0, w);
            int[] out = ShapeOps.broadcast(x.dims, toDims(need(in, 1, w).longs(), w), w);
            return one(x.select(out, ShapeOps.broadcastIndex(x.dims, out)));
        });
        RULES.put("ConstantOfShape", (n, in, w) -> {
            int[] dims = toDims(need(in, 0, w).longs(), w);
            AttributeProto a = Attrs.get(n, "value");
            ConstTensor v = a == null
                    ? ConstTensor.ofReals(DataType.FLOAT_VALUE, new int[0], new double[] {0})
                    : ConstTensor.of(a.getT());
            return one(v.select(dims, new int[(int) ImportContext.product(dims, 0, dims.length)]));
        });
        RULES.put("Range", (n, in, w) -> one(range(need(in, 0, w), need(in, 1, w), need(in, 2, w), w)));
        RULES.put("Add", binary(Double::sum, Long::sum));
        RULES.put("Sub", binary((a, b) -> a - b, (a, b) -> a - b));
        RULES.put("Mul", binary((a, b) -> a * b, (a, b) -> a * b));
        RULES.put("Div", binary((a, b) -> a / b, (a, b) -> a / b));
        RULES.put("Mod", binary((a, b) -> a % b, Math::floorMod));
        RULES.put("Pow", binary(Math::pow, (a, b) -> (long) Math.pow(a, b)));
        RULES.put("Max", binary(Math::max, Math::max));
        RULES.put("Min", binary(Math::min, Math::min));
        RULES.put("Equal", compare((a, b) -> a == b ? 1 : 0));
        RULES.put("Less", compare((a, b) -> a < b ? 1 : 0));
        RULES.put("Greater", compare((a, b) -> a > b ? 1 : 0));
        RULES.put("LessOrEqual", compare((a, b) -> a <= b ? 1 : 0));
        RULES.put("GreaterOrEqual", compare((a, b) -> a >= b ? 1 : 0));
        RULES.put("And", logical((a, b) -> a != 0 && b != 0 ? 1 : 0));
        RULES.put("Or", logical((a, b) -> a != 0 || b != 0 ? 1 : 0));
        RULES.put("Not", unary(a -> a == 0 ? 1 : 0, a -> a == 0 ? 1 : 0));
        RULES.put("Neg", unary(a -> -a, a -> -a));
        RULES.put("Abs", unary(Math::abs, Math::abs));
        RULES.put("Sqrt", unary(Math::sqrt, null));
        RULES.put("Reciprocal", unary(a -> 1 / a, null));
        RULES.put("Exp", unary(Math::exp, null));
        RULES.put("Log", unary(Math::log, null));
        RULES.put("Floor", unary(Math::floor, a -> a));
        RULES.put("Ceil", unary(Math::ceil, a -> a));
        RULES.put("Relu", unary(a -> Math.max(a, 0), a -> Math.max(a, 0)));
        RULES.put("Where", ConstantFolder::where);
    }

    /** Operators the folder evaluates (docs/conventions.md). */
    static Set<String> operators() {
        return RULES.keySet();
    }

    // ---------------------------------------------------------------- rules

    private static ConstTensor constant(NodeProto n, String where) {
        AttributeProto a;
        if ((a = Attrs.get(n, "value")) != null) {
            return ConstTensor.of(a.getT());
        } else if ((a = Attrs.get(n, "value_ints")) != null) {
            return ConstTensor.ofLongs(
                    DataType.INT64_VALUE,
                    new int[] {a.getIntsCount()},
                    a.getIntsList().stream().mapToLong(Long::longValue).toArray());
        } else if ((a = Attrs.get(n, "value_int")) != null) {
            return ConstTensor.ofLongs(DataType.INT64_VALUE, new int[0], new long[] {a.getI()});
        } else if ((a = Attrs.get(n, "value_float")) != null) {
            return ConstTensor.ofReals(DataType.FLOAT_VALUE, new int[0], new double[] {a.getF()});
        } else if ((a = Attrs.get(n, "value_floats")) != null) {
            return ConstTensor.ofReals(
                    DataType.FLOAT_VALUE,
                    new int[] {a.getFloatsCount()},
                    a.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray());
        }
        throw new NnfrustException(where + ": unsupported Constant (sparse or string value)");
    }

    private static ConstTensor cast(ConstTensor x, int to, String where) {
        if (to == x.type) {
            return x;
        }
        if (ConstTensor.isInteger(to)) {
            long[] v = x.integer() ? x.longs().clone() : x.longs();
            if (to == DataType.BOOL_VALUE) {
                double[] r = x.reals();
                for (int i = 0; i < v.length; i++) {
                    v[i] = r[i] != 0 ? 1 : 0;
                }
            }
            return ConstTensor.ofLongs(to, x.dims, v);
        }
        if (ConstTensor.isReal(to)) {
            return ConstTensor.ofReals(to, x.dims, x.reals().clone());
        }
        throw new NnfrustException(where + ": cast to " + OnnxTensors.typeName(to) + " is not supported");
    }

    /** Shape or Size of a tensor of dims {@code s} (an activation: only its static shape is known). */
    static ConstTensor shapeOrSize(NodeProto n, int[] s) {
        return n.getOpType().equals("Size")
                ? ConstTensor.ofLongs(
                        DataType.INT64_VALUE, new int[0], new long[] {ImportContext.product(s, 0, s.length)})
                : shape(n, s);
    }

    private static ConstTensor shape(NodeProto n, int[] s) {
        int rank = s.length;
        int start = (int) Attrs.i(n, "start", 0), end = (int) Attrs.i(n, "end", rank);
        start = Math.max(0, Math.min(rank, start < 0 ? start + rank : start));
        end = Math.max(0, Math.min(rank, end < 0 ? end + rank : end));
        long[] r = new long[Math.max(0, end - start)];
        for (int i = 0; i < r.length; i++) {
            r[i] = s[start + i];
        }
        return ConstTensor.ofLongs(DataType.INT64_VALUE, new int[] {r.length}, r);
    }

    static int[] reshapeDims(int[] in, long[] target, boolean allowZero, String where) {
        if (target == null) {
            throw new NnfrustException(where + ": no target shape");
        }
        int[] shape = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new NnfrustException(where + ": shape value 0 at position " + i + " has no input dimension");
                }
                t = in[i];
            }
            if (t == -1) {
                if (infer >= 0) {
                    throw new NnfrustException(where + ": more than one -1 in target shape " + Attrs.brief(target));
                }
                infer = i;
                continue;
            }
            if (t < 0 || t > Integer.MAX_VALUE) {
                throw new NnfrustException(where + ": invalid target dimension " + t);
            }
            shape[i] = (int) t;
            known *= t;
        }
        long total = ImportContext.product(in, 0, in.length);
        if (infer >= 0) {
            if (known == 0 || total % known != 0) {
                throw new NnfrustException(
                        where + ": cannot reshape " + ImportContext.shapeText(in) + " to " + Attrs.brief(target));
            }
            shape[infer] = (int) (total / known);
        } else if (known != total) {
            throw new NnfrustException(where + ": cannot reshape " + ImportContext.shapeText(in) + " (" + total
                    + " elements) to " + Attrs.brief(target));
        }
        return shape;
    }

    static int axis(int a, int rank, String where) {
        int ax = a < 0 ? a + rank : a;
        if (ax < 0 || ax >= rank) {
            throw new NnfrustException(where + ": axis " + a + " out of range for rank " + rank);
        }
        return ax;
    }

    /** Axes from input {@code i} (newer opsets) or the {@code axes} attribute (older opsets); null if neither. */
    static int[] axes(NodeProto n, ConstTensor[] in, int i) {
        if (in.length > i && in[i] != null) {
            return Arrays.stream(in[i].longs()).mapToInt(Math::toIntExact).toArray();
        }
        return Attrs.ints(n, "axes", null);
    }

    static int[] toDims(long[] v, String where) {
        int[] d = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] > Integer.MAX_VALUE) {
                throw new NnfrustException(where + ": invalid dimension " + v[i]);
            }
            d[i] = (int) v[i];
        }
        return d;
    }

    private static ConstTensor[] concat(NodeProto n, ConstTensor[] in, String where) {
        ConstTensor first = need(in, 0, where);
        int rank = first.dims.length;
        int axis = axis((int) Attrs.i(n, "axis", 0), Math.max(rank, 1), where);
        int[] out = first.dims.clone();
        out[axis] = 0;
        boolean integer = first.integer();
        for (int k = 0; k < in.length; k++) {
            ConstTensor t = need(in, k, where);
            if (t.dims.length != rank) {
                throw new NnfrustException(where + ": inputs of different ranks");
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && t.dims[d] != first.dims[d]) {
                    throw new NnfrustException(where + ": inputs " + ImportContext.shapeText(first.dims) + " and "
                            + ImportContext.shapeText(t.dims) + " cannot be concatenated on axis " + axis);
                }
            }
            out[axis] += t.dims[axis];
        }
        long outer = ImportContext.product(out, 0, axis), inner = ImportContext.product(out, axis + 1, rank);
        int total = (int) ImportContext.product(out, 0, rank);
        long[] li = integer ? new long[total] : null;
        double[] di = integer ? null : new double[total];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (ConstTensor t : in) {
                int chunk = (int) (t.dims[axis] * inner), start = (int) (o * chunk);
                if (integer) {
                    System.arraycopy(t.longs(), start, li, pos, chunk);
                } else {
                    System.arraycopy(t.reals(), start, di, pos, chunk);
                }
                pos += chunk;
            }
        }
        return one(integer ? ConstTensor.ofLongs(first.type, out, li) : ConstTensor.ofReals(first.type, out, di));
    }

    private static ConstTensor gather(ConstTensor data, ConstTensor indices, int axisAttr, String where) {
        int rank = data.dims.length;
        int axis = axis(axisAttr, rank, where);
        long[] idx = indices.longs();
        int[] out = new int[rank - 1 + indices.dims.length];
        int k = 0;
        for (int d = 0; d < axis; d++) {
            out[k++] = data.dims[d];
        }
        for (int d : indices.dims) {
            out[k++] = d;
        }
        for (int d = axis + 1; d < rank; d++) {
            out[k++] = data.dims[d];
        }
        long outer = ImportContext.product(data.dims, 0, axis),
                inner = ImportContext.product(data.dims, axis + 1, rank);
        int n = data.dims[axis];
        int[] src = new int[(int) (outer * idx.length * inner)];
        int pos = 0;
        for (long o = 0; o < outer; o++) {
            for (long i : idx) {
                long j = i < 0 ? i + n : i;
                if (j < 0 || j >= n) {
                    throw new NnfrustException(where + ": index " + i + " out of range for dimension " + n);
                }
                for (long in = 0; in < inner; in++) {
                    src[pos++] = (int) ((o * n + j) * inner + in);
                }
            }
        }
        return data.select(out, src);
    }

    private static ConstTensor range(ConstTensor start, ConstTensor limit, ConstTensor delta, String where) {
        if (start.integer()) {
            long s = start.longs()[0], l = limit.longs()[0], d = delta.longs()[0];
            if (d == 0) {
                throw new NnfrustException(where + ": Range with delta 0");
            }
            int count = (int) Math.max(0, Math.ceilDiv(l - s, d));
            long[] v = new long[count];
            for (int i = 0; i < count; i++) {
                v[i] = s + i * d;
            }
            return ConstTensor.ofLongs(start.type, new int[] {count}, v);
        }
        double s = start.reals()[0], l = limit.reals()[0], d = delta.reals()[0];
        if (d == 0) {
            throw new NnfrustException(where + ": Range with delta 0");
        }
        int count = (int) Math.max(0, Math.ceil((l - s) / d));
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = s + i * d;
        }
        return ConstTensor.ofReals(start.type, new int[] {count}, v);
    }

    private static Rule binary(DoubleBinaryOperator real, LongBinaryOperator integer) {
        return (n, in, w) -> {
            ConstTensor a = need(in, 0, w), b = need(in, 1, w);
            int[] out = ShapeOps.broadcast(a.dims, b.dims, w);
            int[] ia = ShapeOps.broadcastIndex(a.dims, out), ib = ShapeOps.broadcastIndex(b.dims, out);
            if (a.integer() && b.integer()) {
                long[] x = a.longs(), y = b.longs(), r = new long[ia.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = integer.applyAsLong(x[ia[i]], y[ib[i]]);
                }
                return one(ConstTensor.ofLongs(a.type, out, r));
            }
            double[] x = a.reals(), y = b.reals(), r = new double[ia.length];
            boolean f32 = a.type == DataType.FLOAT_VALUE;
            for (int i = 0; i < r.length; i++) {
                r[i] = f32
                        ? real.applyAsDouble((float) x[ia[i]], (float) y[ib[i]])
                        : real.applyAsDouble(x[ia[i]], y[ib[i]]);
            }
            return one(ConstTensor.ofReals(a.integer() ? b.type : a.type, out, r));
        };
    }

    private static Rule compare(DoubleBinaryOperator op) {
        return (n, in, w) -> {
            ConstTensor a = need(in, 0, w), b = need(in, 1, w);
            int[] out = ShapeOps.broadcast(a.dims, b.dims, w);
            int[] ia = ShapeOps.broadcastIndex(a.dims, out), ib = ShapeOps.broadcastIndex(b.dims, out);
            long[] r = new long[ia.length];
            if (a.integer() && b.integer()) {
                long[] x = a.longs(), y = b.longs();
                for (int i = 0; i < r.length; i++) {
                    r[i] = (long) op.applyAsDouble(Long.compare(x[ia[i]], y[ib[i]]), 0);
                }
            } else {
                double[] x = a.reals(), y = b.reals();
                for (int i = 0; i < r.length; i++) {
                    r[i] = (long) op.applyAsDouble(x[ia[i]], y[ib[i]]);
                }
            }
            return one(ConstTensor.ofLongs(DataType.BOOL_VALUE, out, r));
        };
    }

    private static Rule logical(LongBinaryOperator op) {
        return (n, in, w) -> {
            ConstTensor a = need(in, 0, w), b = need(in, 1, w);
            int[] out = ShapeOps.broadcast(a.dims, b.dims, w);
            int[] ia = ShapeOps.broadcastIndex(a.dims, out), ib = ShapeOps.broadcastIndex(b.dims, out);
            long[] x = a.longs(), y = b.longs(), r = new long[ia.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = op.applyAsLong(x[ia[i]], y[ib[i]]);
            }
            return one(ConstTensor.ofLongs(DataType.BOOL_VALUE, out, r));
        };
    }

    private static Rule unary(DoubleUnaryOperator real, LongUnaryOperator integer) {
        return (n, in, w) -> {
            ConstTensor a = need(in, 0, w);
            if (a.integer()) {
                if (integer == null) {
                    throw new NnfrustException(w + ": not defined on integer tensors");
                }
                long[] x = a.longs(), r = new long[x.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = integer.applyAsLong(x[i]);
                }
                return one(ConstTensor.ofLongs(a.type, a.dims, r));
            }
            double[] x = a.reals(), r = new double[x.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = real.applyAsDouble(x[i]);
            }
            return one(ConstTensor.ofReals(a.type, a.dims, r));
        };
    }

    private static ConstTensor[] where(NodeProto n, ConstTensor[] in, String w) {
        ConstTensor c = need(in, 0, w), x = need(in, 1, w), y = need(in, 2, w);
        int[] out = ShapeOps.broadcast(ShapeOps.broadcast(c.dims, x.dims, w), y.dims, w);
        int[] ic = ShapeOps.broadcastIndex(c.dims, out),
                ix = ShapeOps.broadcastIndex(x.dims, out),
                iy = ShapeOps.broadcastIndex(y.dims, out);
        long[] cv = c.longs();
        if (x.integer()) {
            long[] a = x.longs(), b = y.longs(), r = new long[ic.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = cv[ic[i]] != 0 ? a[ix[i]] : b[iy[i]];
            }
            return one(ConstTensor.ofLongs(x.type, out, r));
        }
        double[] a = x.reals(), b = y.reals(), r = new double[ic.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = cv[ic[i]] != 0 ? a[ix[i]] : b[iy[i]];
        }
        return one(ConstTensor.ofReals(x.type, out, r));
    }
}
