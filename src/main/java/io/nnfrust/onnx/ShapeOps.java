package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.stream.IntStream;

/** Shape arithmetic shared by the constant folder and the views of activations (index maps in C-order). */
final class ShapeOps {
    private ShapeOps() {}

    static int[] unsqueeze(int[] in, int[] axes, String where) {
        if (axes == null) {
            throw new NnfrustException(where + ": Unsqueeze needs axes");
        }
        int rank = in.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (int a : axes) {
            int ax = a < 0 ? a + rank : a;
            if (ax < 0 || ax >= rank || inserted[ax]) {
                throw new NnfrustException(where + ": invalid axis " + a + " for output rank " + rank);
            }
            inserted[ax] = true;
        }
        int[] out = new int[rank];
        for (int i = 0, j = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : in[j++];
        }
        return out;
    }

    static int[] squeeze(int[] in, int[] axes, String where) {
        boolean[] drop = new boolean[in.length];
        if (axes == null) {
            for (int i = 0; i < in.length; i++) {
                drop[i] = in[i] == 1;
            }
        } else {
            for (int a : axes) {
                int ax = a < 0 ? a + in.length : a;
                if (ax < 0 || ax >= in.length || in[ax] != 1) {
                    throw new NnfrustException(
                            where + ": cannot squeeze axis " + a + " of " + ImportContext.shapeText(in));
                }
                drop[ax] = true;
            }
        }
        return IntStream.range(0, in.length)
                .filter(i -> !drop[i])
                .map(i -> in[i])
                .toArray();
    }

    /** A valid permutation of {@code rank} axes: {@code perm} or the reversal when absent. */
    static int[] perm(int[] perm, int rank, String where) {
        if (perm == null) {
            perm = new int[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = rank - 1 - i;
            }
        }
        if (perm.length != rank) {
            throw new NnfrustException(where + ": perm " + Attrs.brief(perm) + " does not match rank " + rank);
        }
        boolean[] seen = new boolean[rank];
        for (int p : perm) {
            if (p < 0 || p >= rank || seen[p]) {
                throw new NnfrustException(
                        where + ": perm " + Attrs.brief(perm) + " is not a permutation of 0.." + (rank - 1));
            }
            seen[p] = true;
        }
        return perm;
    }

    static int[] permute(int[] dims, int[] perm) {
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = dims[perm[i]];
        }
        return out;
    }

    /** For each output element of Transpose(perm), the flat index of the input element it is. */
    static int[] transposeIndex(int[] dims, int[] perm) {
        int rank = dims.length;
        int[] outShape = permute(dims, perm);
        long[] inStride = strides(dims);
        int total = (int) ImportContext.product(dims, 0, rank);
        int[] map = new int[total];
        int[] idx = new int[rank];
        for (int o = 0; o < total; o++) {
            long inFlat = 0;
            for (int k = 0; k < rank; k++) {
                inFlat += idx[k] * inStride[perm[k]];
            }
            map[o] = (int) inFlat;
            increment(idx, outShape);
        }
        return map;
    }

    static long[] strides(int[] dims) {
        long[] s = new long[dims.length];
        long p = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = p;
            p *= dims[i];
        }
        return s;
    }

    static void increment(int[] idx, int[] shape) {
        for (int k = shape.length - 1; k >= 0; k--) {
            if (++idx[k] < shape[k]) {
                return;
            }
            idx[k] = 0;
        }
    }

    /** Multidirectional (numpy) broadcast of two shapes. */
    static int[] broadcast(int[] a, int[] b, String where) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new NnfrustException(where + ": shapes " + ImportContext.shapeText(a) + " and "
                        + ImportContext.shapeText(b) + " cannot be broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** For each element of the broadcast shape {@code out}, the flat index of the element of {@code dims} it reads. */
    static int[] broadcastIndex(int[] dims, int[] out) {
        int rank = out.length, off = rank - dims.length;
        long[] s = strides(dims);
        int total = (int) ImportContext.product(out, 0, rank);
        int[] map = new int[total];
        int[] idx = new int[rank];
        for (int o = 0; o < total; o++) {
            long f = 0;
            for (int k = off; k < rank; k++) {
                if (dims[k - off] != 1) {
                    f += idx[k] * s[k - off];
                }
            }
            map[o] = (int) f;
            increment(idx, out);
        }
        return map;
    }

    /** One Slice: per axis of the input, the first index, the step and the count. */
    record SliceSpec(int[] start, int[] step, int[] outDims) {
        int[] sourceIndex(int[] dims) {
            long[] s = strides(dims);
            int total = (int) ImportContext.product(outDims, 0, outDims.length);
            int[] map = new int[total];
            int[] idx = new int[dims.length];
            for (int o = 0; o < total; o++) {
                long f = 0;
                for (int k = 0; k < dims.length; k++) {
                    f += (start[k] + (long) idx[k] * step[k]) * s[k];
                }
                map[o] = (int) f;
                increment(idx, outDims);
            }
            return map;
        }
    }

    /**
     * The ONNX Slice of a tensor of shape {@code dims}: starts/ends/axes/steps from inputs (opset ≥ 10) or
     * attributes (opset 1–9); indices clamped as the operator's definition says.
     */
    static SliceSpec sliceSpec(
            NodeProto n,
            int[] dims,
            ConstTensor starts,
            ConstTensor ends,
            ConstTensor axes,
            ConstTensor steps,
            String where) {
        long[] st = starts != null ? starts.longs() : Attrs.longs(n, "starts");
        long[] en = ends != null ? ends.longs() : Attrs.longs(n, "ends");
        long[] ax = axes != null ? axes.longs() : Attrs.longs(n, "axes");
        long[] sp = steps != null ? steps.longs() : null;
        if (st == null || en == null || st.length != en.length) {
            throw new NnfrustException(where + ": starts and ends missing or of different lengths");
        }
        int rank = dims.length;
        if (ax == null) {
            ax = new long[st.length];
            for (int i = 0; i < ax.length; i++) {
                ax[i] = i;
            }
        }
        if (ax.length != st.length || (sp != null && sp.length != st.length)) {
            throw new NnfrustException(where + ": starts, ends, axes and steps have different lengths");
        }
        int[] start = new int[rank], step = new int[rank], out = dims.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < st.length; i++) {
            int a = axis((int) ax[i], rank, where);
            if (seen[a]) {
                throw new NnfrustException(where + ": axis " + ax[i] + " sliced twice");
            }
            seen[a] = true;
            long d = dims[a];
            long s = sp == null ? 1 : sp[i];
            if (s == 0) {
                throw new NnfrustException(where + ": step 0");
            }
            long b = st[i] < 0 ? st[i] + d : st[i], e = en[i] < 0 ? en[i] + d : en[i];
            long count;
            if (s > 0) {
                b = Math.max(0, Math.min(d, b));
                e = Math.max(0, Math.min(d, e));
                count = e > b ? (e - b + s - 1) / s : 0;
            } else {
                b = Math.max(-1, Math.min(d - 1, b));
                e = Math.max(-1, Math.min(d - 1, e));
                count = b > e ? (b - e + (-s) - 1) / (-s) : 0;
            }
            start[a] = (int) Math.max(0, b);
            step[a] = (int) s;
            out[a] = (int) count;
        }
        return new SliceSpec(start, step, out);
    }

    private static int axis(int a, int rank, String where) {
        return ConstantFolder.axis(a, rank, where);
    }
}
