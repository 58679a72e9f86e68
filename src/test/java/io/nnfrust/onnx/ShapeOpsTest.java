package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The shape algebra of the importer against brute force written from numpy's and ONNX's definitions: broadcasting
 * (shapes and the element each output reads), Transpose, Squeeze/Unsqueeze with negative axes, and Slice with
 * negative indices, clamping and negative steps (Python's slice semantics, which ONNX Slice follows).
 */
class ShapeOpsTest {
    static int[] randomShape(SplittableRandom r, int maxRank) {
        int[] s = new int[1 + r.nextInt(maxRank)];
        for (int i = 0; i < s.length; i++) {
            s[i] = 1 + r.nextInt(3);
        }
        return s;
    }

    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = flat % shape[k];
            flat /= shape[k];
        }
        return idx;
    }

    static int flatten(int[] idx, int[] shape) {
        int f = 0;
        for (int k = 0; k < shape.length; k++) {
            f = f * shape[k] + idx[k];
        }
        return f;
    }

    static int size(int[] s) {
        int n = 1;
        for (int d : s) {
            n *= d;
        }
        return n;
    }

    @Test
    void broadcastingFollowsNumpy() {
        SplittableRandom r = new SplittableRandom(1);
        int compatible = 0;
        for (int t = 0; t < 400; t++) {
            int[] a = randomShape(r, 4), b = randomShape(r, 4);
            int rank = Math.max(a.length, b.length);
            int[] want = new int[rank];
            boolean ok = true;
            for (int i = 0; i < rank; i++) {
                int da = i >= rank - a.length ? a[i - (rank - a.length)] : 1;
                int db = i >= rank - b.length ? b[i - (rank - b.length)] : 1;
                ok &= da == db || da == 1 || db == 1;
                want[i] = Math.max(da, db);
            }
            if (!ok) {
                assertThrows(NnfrustException.class, () -> ShapeOps.broadcast(a, b, "x"));
                continue;
            }
            compatible++;
            assertArrayEquals(want, ShapeOps.broadcast(a, b, "x"));
            int[] map = ShapeOps.broadcastIndex(a, want);
            assertEquals(size(want), map.length);
            for (int o = 0; o < map.length; o++) {
                int[] idx = unflatten(o, want);
                int[] src = new int[a.length];
                for (int k = 0; k < a.length; k++) {
                    int d = idx[k + rank - a.length];
                    src[k] = a[k] == 1 ? 0 : d;
                }
                assertEquals(flatten(src, a), map[o]);
            }
        }
        assertTrue(compatible > 100);
    }

    @Test
    void transposeSqueezeAndUnsqueezeAgreeWithTheirDefinitions() {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 200; t++) {
            int[] dims = randomShape(r, 5);
            int rank = dims.length;
            int[] perm = new int[rank];
            for (int i = 0; i < rank; i++) {
                perm[i] = i;
            }
            for (int i = rank - 1; i > 0; i--) {
                int j = r.nextInt(i + 1), x = perm[i];
                perm[i] = perm[j];
                perm[j] = x;
            }
            int[] out = ShapeOps.permute(dims, perm);
            int[] map = ShapeOps.transposeIndex(dims, perm);
            for (int o = 0; o < map.length; o++) {
                int[] oi = unflatten(o, out), ii = new int[rank];
                for (int k = 0; k < rank; k++) {
                    ii[perm[k]] = oi[k];
                }
                assertEquals(flatten(ii, dims), map[o]);
            }
            int[] reversed = ShapeOps.perm(null, rank, "x");
            for (int i = 0; i < rank; i++) {
                assertEquals(rank - 1 - i, reversed[i]);
            }
            // squeeze every 1 (no axes) and the same by explicit negative axes
            List<Integer> ones = new ArrayList<>(), kept = new ArrayList<>();
            for (int i = 0; i < rank; i++) {
                if (dims[i] == 1) {
                    ones.add(i - rank);
                } else {
                    kept.add(dims[i]);
                }
            }
            int[] want = kept.stream().mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, ShapeOps.squeeze(dims, null, "x"));
            assertArrayEquals(
                    want,
                    ShapeOps.squeeze(
                            dims, ones.stream().mapToInt(Integer::intValue).toArray(), "x"));
            // unsqueeze at a negative and a positive axis
            int[] u = ShapeOps.unsqueeze(dims, new int[] {0, -1}, "x");
            assertEquals(rank + 2, u.length);
            assertEquals(1, u[0]);
            assertEquals(1, u[rank + 1]);
            for (int i = 0; i < rank; i++) {
                assertEquals(dims[i], u[i + 1]);
            }
        }
        assertThrows(NnfrustException.class, () -> ShapeOps.squeeze(new int[] {2, 3}, new int[] {0}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.squeeze(new int[] {1, 3}, new int[] {2}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.squeeze(new int[] {1, 3}, new int[] {-3}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.unsqueeze(new int[] {2}, new int[] {0, 0}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.unsqueeze(new int[] {2}, new int[] {2}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.unsqueeze(new int[] {2}, new int[] {-3}, "x"));
        assertThrows(NnfrustException.class, () -> ShapeOps.unsqueeze(new int[] {2}, null, "x"));
        assertArrayEquals(new long[] {12, 4, 1}, ShapeOps.strides(new int[] {2, 3, 4}));
    }

    /** Python's slice(b, e, s).indices(d): the indices ONNX Slice selects. */
    static List<Integer> pythonSlice(long b, long e, long s, int d) {
        long start, stop;
        if (s > 0) {
            start = b < 0 ? Math.max(0, b + d) : Math.min(b, d);
            stop = e < 0 ? Math.max(0, e + d) : Math.min(e, d);
        } else {
            start = b < 0 ? Math.max(-1, b + d) : Math.min(b, d - 1);
            stop = e < 0 ? Math.max(-1, e + d) : Math.min(e, d - 1);
        }
        List<Integer> idx = new ArrayList<>();
        for (long i = start; s > 0 ? i < stop : i > stop; i += s) {
            idx.add((int) i);
        }
        return idx;
    }

    static ConstTensor longs(long... v) {
        return ConstTensor.ofLongs(TensorProto.DataType.INT64_VALUE, new int[] {v.length}, v);
    }

    @Test
    void sliceFollowsPythonSlicing() {
        SplittableRandom r = new SplittableRandom(3);
        long[] edges = {-9, -4, -2, -1, 0, 1, 2, 3, 5, 9, Long.MAX_VALUE / 2, -Long.MAX_VALUE / 2};
        NodeProto n = NodeProto.newBuilder().setOpType("Slice").setName("s").build();
        for (int t = 0; t < 600; t++) {
            int[] dims = new int[1 + r.nextInt(3)];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = 1 + r.nextInt(5);
            }
            int a = r.nextInt(dims.length);
            long b = edges[r.nextInt(edges.length)], e = edges[r.nextInt(edges.length)];
            long s = new long[] {1, 2, 3, -1, -2}[r.nextInt(5)];
            long axisArg = r.nextBoolean() ? a : a - dims.length;
            ShapeOps.SliceSpec spec = ShapeOps.sliceSpec(n, dims, longs(b), longs(e), longs(axisArg), longs(s), "s");
            List<Integer> sel = pythonSlice(b, e, s, dims[a]);
            int[] want = dims.clone();
            want[a] = sel.size();
            assertArrayEquals(
                    want, spec.outDims(), "dims " + Arrays.toString(dims) + " axis " + a + " " + b + ":" + e + ":" + s);
            int[] map = spec.sourceIndex(dims);
            assertEquals(size(want), map.length);
            for (int o = 0; o < map.length; o++) {
                int[] idx = unflatten(o, want);
                idx[a] = sel.get(idx[a]);
                assertEquals(flatten(idx, dims), map[o]);
            }
        }
        // attributes (opset 1-9) give the same as inputs; malformed specs are one-line errors
        NodeProto attrs = NodeProto.newBuilder()
                .setOpType("Slice")
                .setName("a")
                .addAttribute(OnnxMl.AttributeProto.newBuilder()
                        .setName("starts")
                        .setType(OnnxMl.AttributeProto.AttributeType.INTS)
                        .addInts(1))
                .addAttribute(OnnxMl.AttributeProto.newBuilder()
                        .setName("ends")
                        .setType(OnnxMl.AttributeProto.AttributeType.INTS)
                        .addInts(-1))
                .build();
        assertArrayEquals(
                new int[] {3, 2},
                ShapeOps.sliceSpec(attrs, new int[] {5, 2}, null, null, null, null, "a")
                        .outDims());
        int[] d = {4, 4};
        assertThrows(
                NnfrustException.class, () -> ShapeOps.sliceSpec(n, d, longs(0), longs(2), longs(0), longs(0), "s"));
        assertThrows(
                NnfrustException.class,
                () -> ShapeOps.sliceSpec(n, d, longs(0, 0), longs(2, 2), longs(1, 1), null, "s"));
        assertThrows(NnfrustException.class, () -> ShapeOps.sliceSpec(n, d, longs(0), longs(2, 3), null, null, "s"));
        assertThrows(
                NnfrustException.class, () -> ShapeOps.sliceSpec(n, d, longs(0), longs(2), longs(0, 1), null, "s"));
        assertThrows(NnfrustException.class, () -> ShapeOps.sliceSpec(n, d, longs(0), longs(2), longs(2), null, "s"));
    }
}
