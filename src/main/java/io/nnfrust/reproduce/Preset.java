package io.nnfrust.reproduce;

import io.nnfrust.frustration.Solvers;
import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/**
 * The counts of one run of the paper's protocol ({@code nnfrust reproduce --preset}). {@code paper} uses the paper's
 * counts (Methods and Results: 80 restarts of Algorithm 1 with 10^6 initial flips, 80 null networks of each kind
 * solved twice, N3 drawn from He or Xavier, about 500 images for the active subnetworks, 1000 images with 100
 * perturbations each for near-monotonicity); {@code quick} the smallest counts that still give every statistic
 * (two values per group for Welch's test) and every figure. Every count can be overridden on the command line.
 *
 * @param algorithm1Restarts restarts of Algorithm 1 on the real network (its best spins give S_x, S_y)
 * @param bestRestarts       restarts of the best solver ({@link #bestSolver}) on the real network
 * @param bestSolver         the solver nnfrust finds lowest ε with (docs/frustration.md: layered annealing)
 * @param solver             the solver of the null-model and active-subnetwork experiments
 * @param replicas           restarts on the real network inside the null-model experiment (group R)
 * @param nullCount          null networks of kinds N1 and N2
 * @param n3He               N3 networks drawn with He initialisation
 * @param n3Xavier           N3 networks drawn with Xavier initialisation (pooled with He as the paper's N3)
 * @param activeImages       images of the active-subnetwork experiment
 * @param activeRestarts     solver restarts per active subnetwork
 * @param monotonicityImages images of the near-monotonicity experiment
 * @param perturbations      perturbations per image
 * @param nullRestarts       restarts on the N3 network of the monotonicity experiment for its own spins
 */
public record Preset(
        String name,
        int algorithm1Restarts,
        int bestRestarts,
        String bestSolver,
        String solver,
        int replicas,
        int nullCount,
        int n3He,
        int n3Xavier,
        int activeImages,
        int activeRestarts,
        int monotonicityImages,
        int perturbations,
        int nullRestarts) {
    public Preset {
        if (algorithm1Restarts < 1
                || bestRestarts < 1
                || replicas < 2
                || nullCount < 0
                || n3He < 0
                || n3Xavier < 0
                || activeImages < 0
                || activeRestarts < 1
                || monotonicityImages < 0
                || perturbations < 1
                || nullRestarts < 1) {
            throw new NnfrustException("preset " + name + ": restarts must be >= 1, --replicas >= 2 (Welch's test needs"
                    + " two values), counts >= 0, --perturbations >= 1");
        }
        Solvers.byName(bestSolver);
        Solvers.byName(solver);
    }

    /** The paper's counts. */
    public static final Preset PAPER =
            new Preset("paper", 80, 80, "anneal", "algorithm1", 80, 80, 40, 40, 500, 1, 1000, 100, 80);

    /** Minutes on the shared SqueezeNet at 224x224 (2 cores); seconds at a reduced --input-size. */
    public static final Preset QUICK = new Preset("quick", 2, 2, "anneal", "layered", 4, 3, 2, 2, 8, 1, 16, 20, 2);

    public static Preset named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "paper" -> PAPER;
            case "quick" -> QUICK;
            default -> throw new NnfrustException("unknown --preset '" + name + "' (use quick or paper)");
        };
    }

    private String modified() {
        return name.endsWith(" (modified)") ? name : name + " (modified)";
    }

    public Preset withAlgorithm1Restarts(int v) {
        return new Preset(
                modified(),
                v,
                bestRestarts,
                bestSolver,
                solver,
                replicas,
                nullCount,
                n3He,
                n3Xavier,
                activeImages,
                activeRestarts,
                monotonicityImages,
                perturbations,
                nullRestarts);
    }

    public Preset withBestRestarts(int v) {
        return new Preset(
                modified(),
                algorithm1Restarts,
                v,
                bestSolver,
                solver,
                replicas,
                nullCount,
                n3He,
                n3Xavier,
                activeImages,
                activeRestarts,
                monotonicityImages,
                perturbations,
                nullRestarts);
    }

    public Preset withSolver(String v) {
        return new Preset(
                modified(),
                algorithm1Restarts,
                bestRestarts,
                bestSolver,
                v,
                replicas,
                nullCount,
                n3He,
                n3Xavier,
                activeImages,
                activeRestarts,
                monotonicityImages,
                perturbations,
                nullRestarts);
    }

    public Preset withNulls(int replicasR, int count, int he, int xavier) {
        return new Preset(
                modified(),
                algorithm1Restarts,
                bestRestarts,
                bestSolver,
                solver,
                replicasR,
                count,
                he,
                xavier,
                activeImages,
                activeRestarts,
                monotonicityImages,
                perturbations,
                nullRestarts);
    }

    public Preset withImages(int active, int monotonicity, int perturbationsPerImage) {
        return new Preset(
                modified(),
                algorithm1Restarts,
                bestRestarts,
                bestSolver,
                solver,
                replicas,
                nullCount,
                n3He,
                n3Xavier,
                active,
                activeRestarts,
                monotonicity,
                perturbationsPerImage,
                nullRestarts);
    }

    public Preset withNullRestarts(int v) {
        return new Preset(
                modified(),
                algorithm1Restarts,
                bestRestarts,
                bestSolver,
                solver,
                replicas,
                nullCount,
                n3He,
                n3Xavier,
                activeImages,
                activeRestarts,
                monotonicityImages,
                perturbations,
                v);
    }
}
