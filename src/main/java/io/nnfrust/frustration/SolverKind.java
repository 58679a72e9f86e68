package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The frustration solvers, by the name a user gives ({@code --solver}) and written in results. */
public enum SolverKind {
    /** The paper's Algorithm 1 (SI section B): flip the most negative node. */
    ALGORITHM1("algorithm1"),
    /** Algorithm 1 flipping the first negative node found. */
    ALGORITHM1_FIRST("algorithm1-first"),
    /** Layer-by-layer descent ({@link LayeredDescent}). */
    LAYERED("layered"),
    /** Layered annealing followed by descent ({@link LayeredAnnealing}). */
    ANNEAL("anneal"),
    /** Rounding of the SDP relaxation followed by descent ({@link SdpRounding}). */
    SDP("sdp"),
    /** Exhaustive enumeration (at most 28 nodes). */
    EXACT("exact");

    private final String label;

    SolverKind(String label) {
        this.label = label;
    }

    /** The name used on the command line and in result files. */
    public String label() {
        return label;
    }

    /** A new solver of this kind. */
    public FrustrationSolver create() {
        return switch (this) {
            case ALGORITHM1 -> new Algorithm1(Algorithm1.Pick.MOST_NEGATIVE);
            case ALGORITHM1_FIRST -> new Algorithm1(Algorithm1.Pick.FIRST);
            case LAYERED -> new LayeredDescent();
            case ANNEAL -> new LayeredAnnealing();
            case SDP -> new SdpRounding();
            case EXACT -> new ExactEnumeration();
        };
    }

    /** The kind labelled {@code text}; an unknown name is an error naming {@code option} and the choices. */
    public static SolverKind parse(String text, String option) {
        for (SolverKind k : values()) {
            if (k.label.equals(text) || k.name().equalsIgnoreCase(text)) {
                return k;
            }
        }
        throw new NnfrustException("unknown " + option + " '" + text + "'; use one of " + labels());
    }

    /** All labels, comma-separated. */
    public static String labels() {
        return Arrays.stream(values()).map(SolverKind::label).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
