package io.nnfrust.nullmodel;

import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/** The paper's null models (Methods, "Null models"; SI section C). */
public enum NullKind {
    /** N1: the weights of each layer shuffled among that layer's parameters ({@link ShuffledParameters}). */
    N1,
    /** N2: the weights of each layer shuffled among that layer's edges ({@link ShuffledEdges}). */
    N2,
    /** N3: every weight redrawn from an initialisation ({@link ReinitializedWeights}). */
    N3;

    /** The kind named {@code text} (case-insensitive); an unknown name is an error naming {@code option}. */
    public static NullKind parse(String text, String option) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new NnfrustException(option + " '" + text + "' is not a null model: use N1, N2 or N3");
        }
    }
}
