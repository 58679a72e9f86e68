package io.nnfrust.stats;

import org.hipparchus.special.Beta;

/**
 * Welch's unequal-variance t-test of two samples: t = (mean_a - mean_b) / sqrt(s_a^2/n_a + s_b^2/n_b), degrees of
 * freedom by Welch-Satterthwaite, two-sided p = I_{df/(df+t^2)}(df/2, 1/2) (regularized incomplete beta, which
 * stays accurate far into the tail, where 2 F(-|t|) underflows).
 *
 * @param t  the statistic
 * @param df degrees of freedom
 * @param p  two-sided p-value
 */
public record WelchTest(double t, double df, double p) {
    public static WelchTest of(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("Welch's t-test needs at least two values per group");
        }
        double ma = mean(a), mb = mean(b);
        double va = variance(a, ma) / a.length, vb = variance(b, mb) / b.length;
        double se2 = va + vb;
        if (se2 == 0) {
            return new WelchTest(
                    ma == mb ? 0 : Math.copySign(Double.POSITIVE_INFINITY, ma - mb), Double.NaN, ma == mb ? 1 : 0);
        }
        double t = (ma - mb) / Math.sqrt(se2);
        double df = se2 * se2 / (va * va / (a.length - 1) + vb * vb / (b.length - 1));
        double p = Beta.regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return new WelchTest(t, df, p);
    }

    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Sample variance (n - 1). */
    public static double variance(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s / (x.length - 1);
    }
}
