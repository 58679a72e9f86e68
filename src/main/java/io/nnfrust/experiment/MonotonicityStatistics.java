package io.nnfrust.experiment;

import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.VariantResult;
import io.nnfrust.monotonicity.LambdaMonotonicity;
import io.nnfrust.monotonicity.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pooled near-monotonicity statistics of one variant over all images and perturbations: λ of eq. 10 (paper,
 * Results: "Quantifying near-monotonicity"), the tail F(λ) = P(|Ω − 0.5| > λ) of Fig. 7, the histogram of Ω of
 * Fig. 3, the per-image consistency of Fig. 8 and the share of perturbed images that keep their class.
 */
public final class MonotonicityStatistics {
    /** λ grid resolution: F is reported at λ = g/200, g = 0..100. */
    public static final int GRID_STEPS = 200;

    private MonotonicityStatistics() {}

    /**
     * Pooled statistics of one variant.
     *
     * @param lambdaTiesExcluded λ of Ω recomputed over the logits that moved, (aligned − ties)/(n_h − ties);
     *                       perturbations that moved no logit are left out
     * @param omegaHistogram counts of Ω in 50 bins of width 0.02 over [0, 1] (the last bin includes 1)
     * @param fig8Histogram  counts of images by their fraction of perturbations with Ω > 0.5, 10 bins over [0, 1]
     * @param keptByAmplitude share of images whose perturbation p keeps the class predicted for x₁
     */
    public record Summary(
            Variant variant,
            int samples,
            LambdaMonotonicity.Result lambda,
            LambdaMonotonicity.Result lambdaTiesExcluded,
            double[] tail,
            double meanOmega,
            double shareAbove,
            double shareBelow,
            double meanTieFraction,
            long[] omegaHistogram,
            long[] fig8Histogram,
            int imagesAllAbove,
            int imagesAllBelow,
            double[] keptByAmplitude,
            double keptOverall) {}

    /** The statistics of {@code variant} over {@code images}, each with {@code perturbations} perturbations. */
    public static Summary summarize(Variant variant, List<ImageResult> images, int perturbations) {
        List<VariantResult> rs = new ArrayList<>();
        for (ImageResult im : images) {
            VariantResult v = im.variants().get(variant);
            if (v != null) {
                rs.add(v);
            }
        }
        int outputs = rs.isEmpty() ? 1 : rs.get(0).outputs();
        int total = 0;
        for (VariantResult v : rs) {
            if (v.outputs() != outputs) {
                throw new IllegalStateException("variant " + variant + " has results with different output counts");
            }
            total += v.aligned().length;
        }
        int[] all = new int[total];
        double[] moved = new double[total];
        int nMoved = 0;
        long[] hist = new long[50];
        long[] fig8 = new long[10];
        double sumOmega = 0, sumTies = 0;
        int above = 0, below = 0, allAbove = 0, allBelow = 0, keptAll = 0;
        double[] kept = new double[perturbations];
        int[] keptN = new int[perturbations];
        int t = 0;
        for (VariantResult v : rs) {
            int up = 0;
            for (int p = 0; p < v.aligned().length; p++) {
                int a = v.aligned()[p];
                all[t++] = a;
                int ti = v.ties()[p];
                if (ti < outputs) {
                    moved[nMoved++] = (a - ti) / (double) (outputs - ti);
                }
                double w = a / (double) outputs;
                sumOmega += w;
                sumTies += v.ties()[p] / (double) outputs;
                hist[(int) Math.min(49, 50L * a / outputs)]++; // exact: bin of a/n in integers
                if (2L * a > outputs) {
                    above++;
                    up++;
                } else if (2L * a < outputs) {
                    below++;
                }
                if (p < perturbations) {
                    keptN[p]++;
                    if (v.kept()[p]) {
                        kept[p]++;
                        keptAll++;
                    }
                }
            }
            fig8[(int) Math.min(9, 10L * up / v.aligned().length)]++;
            if (up == v.aligned().length) {
                allAbove++;
            }
            if (up == 0) {
                allBelow++;
            }
        }
        for (int p = 0; p < perturbations; p++) {
            kept[p] = keptN[p] == 0 ? Double.NaN : kept[p] / keptN[p];
        }
        double n = Math.max(1, total);
        return new Summary(
                variant,
                total,
                LambdaMonotonicity.ofCounts(all, outputs),
                LambdaMonotonicity.of(Arrays.copyOf(moved, nMoved)),
                LambdaMonotonicity.tailOfCounts(all, outputs, GRID_STEPS),
                sumOmega / n,
                above / n,
                below / n,
                sumTies / n,
                hist,
                fig8,
                allAbove,
                allBelow,
                kept,
                keptAll / n);
    }
}
