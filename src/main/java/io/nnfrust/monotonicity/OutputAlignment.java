package io.nnfrust.monotonicity;

/**
 * The output alignment fraction Ω of the paper (Results, "Quantifying near-monotonicity"): for logits y₁ of an
 * input x₁ and y₂ of a perturbed input x₂ ≥_{S_x} x₁, Ω = (1/n_h)·#{i : s_{y,i}(y₂ᵢ − y₁ᵢ) ≥ 0}. The order is
 * the paper's non-strict one, so a logit that does not move (y₂ᵢ = y₁ᵢ, e.g. a class score clamped at zero by a
 * ReLU) counts as aligned whatever its sign; {@link #ties} counts those separately so a report can show them.
 * Small static kernels over primitive arrays with offsets; O(n_h).
 */
public final class OutputAlignment {
    private OutputAlignment() {}

    /** Number of i in [0, n) with s[i]·(y2[off2+i] − y1[off1+i]) ≥ 0. */
    public static int aligned(float[] y1, int off1, float[] y2, int off2, byte[] s, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            float d = y2[off2 + i] - y1[off1 + i];
            if (s[i] >= 0 ? d >= 0f : d <= 0f) {
                c++;
            }
        }
        return c;
    }

    /** Number of i in [0, n) with y2[off2+i] = y1[off1+i] (aligned under either sign). */
    public static int ties(float[] y1, int off1, float[] y2, int off2, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (y2[off2 + i] == y1[off1 + i]) {
                c++;
            }
        }
        return c;
    }
}
