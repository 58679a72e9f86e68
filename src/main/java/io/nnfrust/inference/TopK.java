package io.nnfrust.inference;

/** Indices of the largest values of a slice, largest first (ties: lower index first). */
public final class TopK {
    private TopK() {}

    public static int[] indices(float[] v, int offset, int length, int k) {
        k = Math.min(k, length);
        int[] top = new int[k];
        int n = 0;
        for (int i = 0; i < length; i++) {
            float x = v[offset + i];
            if (n == k && !(x > v[offset + top[k - 1]])) {
                continue;
            }
            int p = n < k ? n++ : k - 1;
            while (p > 0 && x > v[offset + top[p - 1]]) {
                top[p] = top[p - 1];
                p--;
            }
            top[p] = i;
        }
        return top;
    }

    /** Index of the largest value (lowest index on ties). */
    public static int argmax(float[] v, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (v[offset + i] > v[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
