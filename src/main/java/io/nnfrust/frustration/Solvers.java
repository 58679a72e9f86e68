package io.nnfrust.frustration;

import java.util.Arrays;
import java.util.List;

/** The solvers selectable with {@code --solver}, by name ({@link SolverKind}). */
public final class Solvers {
    private Solvers() {}

    public static final List<String> NAMES =
            Arrays.stream(SolverKind.values()).map(SolverKind::label).toList();

    public static FrustrationSolver byName(String name) {
        return SolverKind.parse(name, "--solver").create();
    }
}
