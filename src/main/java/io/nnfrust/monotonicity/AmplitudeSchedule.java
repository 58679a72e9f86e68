package io.nnfrust.monotonicity;

import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/**
 * The amplitudes a of the P perturbations of every image: perturbation p (0-based) has δ = a_p·u, spread from
 * {@code min} to {@code max} geometrically ({@code log}: a_p = min·(max/min)^(p/(P−1))) or evenly
 * ({@code linear}). Every image uses the same P amplitudes, so the share of perturbed images keeping their class
 * can be reported per amplitude.
 */
public record AmplitudeSchedule(double min, double max, int count, boolean logarithmic) {
    public AmplitudeSchedule {
        if (count < 1) {
            throw new NnfrustException("perturbations must be >= 1, got " + count);
        }
        if (!(min > 0) || !(max >= min) || Double.isInfinite(max)) {
            throw new NnfrustException("amplitudes need 0 < min <= max, got " + min + ":" + max);
        }
    }

    /** Parses {@code MIN:MAX} (or a single value A for MIN = MAX = A). */
    public static AmplitudeSchedule parse(String range, int count, String spacing) {
        boolean log = switch (spacing.toLowerCase(Locale.ROOT)) {
            case "log" -> true;
            case "linear" -> false;
            default -> throw new NnfrustException("--spacing must be log or linear, got '" + spacing + "'");
        };
        String[] parts = range.split(":", -1);
        try {
            double lo = Double.parseDouble(parts[0].trim());
            double hi = parts.length == 1 ? lo : Double.parseDouble(parts[1].trim());
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            return new AmplitudeSchedule(lo, hi, count, log);
        } catch (NumberFormatException e) {
            throw new NnfrustException("--amplitude must be MIN:MAX (two positive numbers), got '" + range + "'");
        }
    }

    public double amplitude(int p) {
        if (count == 1) {
            return min;
        }
        double t = p / (double) (count - 1);
        return logarithmic ? min * Math.pow(max / min, t) : min + (max - min) * t;
    }

    public double[] amplitudes() {
        double[] a = new double[count];
        for (int p = 0; p < count; p++) {
            a[p] = amplitude(p);
        }
        return a;
    }

    public String label() {
        return String.format(Locale.ROOT, "%s:%s %s", min, max, logarithmic ? "log" : "linear");
    }
}
