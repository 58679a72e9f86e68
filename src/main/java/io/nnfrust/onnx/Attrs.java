package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;

/** Typed access to the attributes of an ONNX node; a malformed attribute is one {@link NnfrustException} line. */
final class Attrs {
    private Attrs() {}

    static AttributeProto get(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }

    static long i(NodeProto n, String name, long dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getI();
    }

    static float f(NodeProto n, String name, float dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getF();
    }

    static String s(NodeProto n, String name, String dflt) {
        AttributeProto a = get(n, name);
        return a == null ? dflt : a.getS().toStringUtf8();
    }

    static int[] ints(NodeProto n, String name, int[] dflt) {
        AttributeProto a = get(n, name);
        if (a == null) {
            return dflt;
        }
        int[] r = new int[a.getIntsCount()];
        for (int k = 0; k < r.length; k++) {
            long v = a.getInts(k);
            if (v != (int) v) {
                throw new NnfrustException("attribute '" + name + "' of " + n.getOpType() + " node '" + n.getName()
                        + "' has value " + v + " out of range");
            }
            r[k] = (int) v;
        }
        return r;
    }

    static long[] longs(NodeProto n, String name) {
        AttributeProto a = get(n, name);
        return a == null
                ? null
                : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** An int list for an error message: at most 8 values, then how many there are. */
    static String brief(int[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = v[i];
        }
        return brief(l);
    }

    /** A long list for an error message: at most 8 values, then how many there are. */
    static String brief(long[] v) {
        if (v.length <= 8) {
            return Arrays.toString(v);
        }
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 8; i++) {
            b.append(v[i]).append(", ");
        }
        return b.append("... (").append(v.length).append(" values)]").toString();
    }
}
