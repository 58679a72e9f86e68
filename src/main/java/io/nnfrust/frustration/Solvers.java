package io.nnfrust.frustration;

import io.nnfrust.util.NnfrustException;

import java.util.List;

/** The solvers selectable with {@code --solver}. */
public final class Solvers {
    private Solvers() {
    }

    public static final List<String> NAMES = List.of("algorithm1", "algorithm1-first", "layered", "anneal", "sdp", "exact");

    public static FrustrationSolver byName(String name) {
        return switch (name) {
            case "algorithm1" -> new Algorithm1(Algorithm1.Pick.MOST_NEGATIVE);
            case "algorithm1-first" -> new Algorithm1(Algorithm1.Pick.FIRST);
            case "layered" -> new LayeredDescent();
            case "anneal" -> new LayeredAnnealing();
            case "sdp" -> new SdpRounding();
            case "exact" -> new ExactEnumeration();
            default -> throw new NnfrustException("unknown --solver '" + name + "'; use one of " + String.join(", ",
                    NAMES));
        };
    }
}
