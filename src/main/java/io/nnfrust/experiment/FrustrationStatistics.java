package io.nnfrust.experiment;

import io.nnfrust.stats.WelchTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The statistics of the frustration experiment (paper, Results, Fig. 2): per group (R and each null kind) the
 * number of solves, the lowest, mean and sample standard deviation of ε, and Welch's t-tests of the paper's
 * comparisons R vs N1, N1 vs N2, R vs N2 and R vs N3 among the groups present with at least two solves each.
 */
public final class FrustrationStatistics {
    private FrustrationStatistics() {}

    /** The paper's comparisons, in the order the outputs list them. */
    static final String[][] PAIRS = {{"R", "N1"}, {"N1", "N2"}, {"R", "N2"}, {"R", "N3"}};

    /** Summary of one group. */
    public record GroupStats(String group, int n, double min, double mean, double sd) {}

    /** One Welch comparison of group {@code a} against group {@code b}. */
    public record Comparison(String a, String b, WelchTest test) {}

    /** ε of the outcomes by group, groups in order of first appearance. */
    public static Map<String, double[]> byGroup(List<FrustrationExperiment.Outcome> outcomes) {
        Map<String, List<Double>> g = new LinkedHashMap<>();
        for (FrustrationExperiment.Outcome o : outcomes) {
            g.computeIfAbsent(o.task().group(), k -> new ArrayList<>()).add(o.epsilon());
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        g.forEach(
                (k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    /** The summary of one group's ε (sd 0 for fewer than two). */
    public static GroupStats stats(String group, double[] e) {
        double min = Double.MAX_VALUE;
        for (double v : e) {
            min = Math.min(min, v);
        }
        double mean = WelchTest.mean(e);
        return new GroupStats(group, e.length, min, mean, e.length > 1 ? Math.sqrt(WelchTest.variance(e, mean)) : 0);
    }

    /** The summaries of every group of {@code groups}, in its order. */
    public static List<GroupStats> stats(Map<String, double[]> groups) {
        List<GroupStats> out = new ArrayList<>();
        groups.forEach((k, v) -> out.add(stats(k, v)));
        return out;
    }

    /** The paper's comparisons that the groups present allow, each tested once. */
    public static List<Comparison> comparisons(Map<String, double[]> groups) {
        List<Comparison> out = new ArrayList<>();
        for (String[] p : PAIRS) {
            double[] a = groups.get(p[0]), b = groups.get(p[1]);
            if (a != null && b != null && a.length > 1 && b.length > 1) {
                out.add(new Comparison(p[0], p[1], WelchTest.of(a, b)));
            }
        }
        return out;
    }
}
