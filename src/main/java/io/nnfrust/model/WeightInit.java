package io.nnfrust.model;

import io.nnfrust.util.NnfrustException;
import java.util.SplittableRandom;

/**
 * Random weight initialisations by fan-in/fan-out (PyTorch convention: for a kernel [out, in/groups, kh, kw],
 * fanIn = in/groups*kh*kw and fanOut = out*kh*kw). Used for the zoo architectures and the N3 null model.
 */
public enum WeightInit {
    /** He (Kaiming) normal: N(0, 2/fanIn). */
    HE_NORMAL("he"),
    /** Xavier (Glorot) uniform: U(-a, a), a = sqrt(6/(fanIn+fanOut)). */
    XAVIER_UNIFORM("xavier");

    private final String label;

    WeightInit(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static WeightInit parse(String s) {
        for (WeightInit w : values()) {
            if (w.label.equalsIgnoreCase(s) || w.name().equalsIgnoreCase(s)) {
                return w;
            }
        }
        throw new NnfrustException("unknown weight initialisation '" + s + "' (use he or xavier)");
    }

    /** Standard deviation of one weight under this initialisation. */
    public double std(int fanIn, int fanOut) {
        return switch (this) {
            case HE_NORMAL -> Math.sqrt(2.0 / fanIn);
            case XAVIER_UNIFORM -> Math.sqrt(6.0 / (fanIn + fanOut)) / Math.sqrt(3.0);
        };
    }

    /** Fills {@code out} with independent draws. */
    public void fill(float[] out, int fanIn, int fanOut, SplittableRandom random) {
        switch (this) {
            case HE_NORMAL -> {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (random.nextGaussian() * std);
                }
            }
            case XAVIER_UNIFORM -> {
                double a = Math.sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) ((2 * random.nextDouble() - 1) * a);
                }
            }
        }
    }
}
