package io.nnfrust.monotonicity;

import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The networks and partial orders along which near-monotonicity is measured (paper, Results: "Quantifying
 * near-monotonicity", Fig. 3, 4, 7, 8): the real network with the input/output spins of its best frustration
 * solution, and null models of that order. A random part of an order is a fresh i.i.d. ±1 draw per image. Declared
 * in report order (the order of every result file).
 */
public enum Variant {
    /** The real network along its best spins (S_x, S_y). */
    REAL("real", false, false, false),
    /** The real network along a random partial order: random S_x and S_y. */
    RANDOM_ORDER("random-order", false, true, true),
    /** Random S_x with the real S_y: is the input direction found by the frustration computation special? */
    RANDOM_INPUT("random-input", false, true, false),
    /** The real S_x with a random S_y. */
    RANDOM_OUTPUT("random-output", false, false, true),
    /** Null model N3 (re-initialised weights) along the best spins of its own frustration computation. */
    N3("N3", true, false, false),
    /** The N3 network with random S_x and its own S_y. */
    N3_RANDOM_INPUT("N3-random-input", true, true, false),
    /** The N3 network with its own S_x and a random S_y. */
    N3_RANDOM_OUTPUT("N3-random-output", true, false, true);

    private final String label;
    private final boolean onN3;
    private final boolean randomInput;
    private final boolean randomOutput;

    Variant(String label, boolean onN3, boolean randomInput, boolean randomOutput) {
        this.label = label;
        this.onN3 = onN3;
        this.randomInput = randomInput;
        this.randomOutput = randomOutput;
    }

    /** The name in result files and on the command line. */
    public String label() {
        return label;
    }

    /** Whether the variant runs the N3 network (else the real one). */
    public boolean onN3() {
        return onN3;
    }

    /** Whether S_x is drawn at random per image. */
    public boolean randomInput() {
        return randomInput;
    }

    /** Whether S_y is drawn at random per image. */
    public boolean randomOutput() {
        return randomOutput;
    }

    /** The label as a CSV column suffix ({@code random_order}). */
    public String columnName() {
        return label.replace('-', '_');
    }

    /** The variant labelled {@code text} (any case; {@code random} means random-order). */
    public static Variant parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("random")) {
            return RANDOM_ORDER;
        }
        for (Variant v : values()) {
            if (v.label.equalsIgnoreCase(t) || v.name().equalsIgnoreCase(t)) {
                return v;
            }
        }
        throw new NnfrustException("unknown variant '" + text + "' (use one of " + labels() + ")");
    }

    /** Every label, comma-separated, in report order. */
    public static String labels() {
        return Arrays.stream(values()).map(Variant::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
