package io.nnfrust.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.experiment.ActiveCodec;
import io.nnfrust.experiment.FrustrationCodec;
import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.experiment.MonotonicityCodec;
import io.nnfrust.stats.WelchTest;
import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/** The frustration figures of a report, drawn from the JSON outputs alone (Fig. 2, 5a, 5b and the layer map). */
public final class ReportFigures {
    private ReportFigures() {}

    /** Every figure of one model, in report order. */
    public static List<Figure> model(ReportData d) {
        String id = ReportData.slugOf(d) + "-";
        List<Figure> f = new ArrayList<>();
        Map<String, double[]> groups = d.epsilonGroups();
        if (!groups.isEmpty()) {
            f.add(nulls(id, d, groups));
        }
        if (d.active() != null && d.active().path(ActiveCodec.RESULTS).size() > 0) {
            f.add(active(id, d));
        }
        if (d.algorithm1() != null && d.algorithm1().has(FrustrationRestarts.FRUSTRATION_MAP)) {
            f.add(layerMap(id, d));
        }
        if (d.monotonicity() != null
                && d.monotonicity().path(MonotonicityCodec.RESULTS).size() > 0) {
            f.addAll(MonotonicityPlots.figures(id, d.model(), d.monotonicity(), 5));
        }
        return f;
    }

    /** The figures across all models (Fig. 5a and 5b), when there is something to compare. */
    public static List<Figure> across(List<ReportData> all) {
        List<Figure> f = new ArrayList<>();
        List<ReportData> withNulls =
                all.stream().filter(d -> !d.epsilonGroups().isEmpty()).toList();
        if (!withNulls.isEmpty()) {
            f.add(fig5a(withNulls));
        }
        List<ReportData> withMono =
                all.stream().filter(d -> d.monotonicity() != null).toList();
        if (!withMono.isEmpty()) {
            f.add(fig5b(withMono));
        }
        return f;
    }

    /** The groups of the null-model experiment with N3 pooled added (the paper's N3). */
    public static Map<String, double[]> withPooled(ReportData d) {
        Map<String, double[]> g = new LinkedHashMap<>(d.epsilonGroups());
        if (g.containsKey("N3 (He)") && g.containsKey("N3 (Xavier)")) {
            g.put("N3 (pooled)", d.n3Pooled());
        }
        return g;
    }

    /**
     * The paper's comparisons (R vs N1, N1 vs N2, R vs N2, R vs N3; N1 vs N3 and N2 vs N3 for its "ε_N1 is
     * significantly smaller than ε_N2 and ε_N3"; He vs Xavier for its "He tending to give slightly lower frustration"),
     * with N3 as He, Xavier and pooled: the [a, b] pairs present in the groups.
     */
    public static List<String[]> comparisons(Map<String, double[]> g) {
        List<String[]> out = new ArrayList<>();
        for (String[] p : new String[][] {
            {"R", "N1"},
            {"N1", "N2"},
            {"R", "N2"},
            {"R", "N3 (He)"},
            {"R", "N3 (Xavier)"},
            {"R", "N3 (pooled)"},
            {"N1", "N3 (pooled)"},
            {"N2", "N3 (pooled)"},
            {"N3 (He)", "N3 (Xavier)"}
        }) {
            if (g.containsKey(p[0]) && g.containsKey(p[1]) && g.get(p[0]).length > 1 && g.get(p[1]).length > 1) {
                out.add(p);
            }
        }
        return out;
    }

    static Figure nulls(String id, ReportData d, Map<String, double[]> groups) {
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (double[] v : groups.values()) {
            for (double x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        double pad = Math.max(1e-4, (hi - lo) * 0.03);
        lo -= pad;
        hi += pad;
        int bins = 60;
        XYChart c = Charts.xy(
                d.model() + ": frustration of the real network and its null models",
                "ε",
                "fraction of solves",
                900,
                480);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        int k = 0;
        for (var e : groups.entrySet()) {
            double[] h = Charts.histogram(e.getValue(), lo, hi, bins);
            double[][] s = Charts.steps(lo, (hi - lo) / bins, h);
            Charts.line(
                    c.addSeries(
                            String.format(
                                    Locale.ROOT,
                                    "%s: n %d, mean %.4f",
                                    e.getKey(),
                                    e.getValue().length,
                                    WelchTest.mean(e.getValue())),
                            s[0],
                            s[1]),
                    k++);
        }
        List<String> footer = new ArrayList<>();
        footer.add(String.format(
                Locale.ROOT,
                "%s; solver %s; each null network solved twice (S = I and %s initial "
                        + "flips); seeds: %s (R, N1, N2), %s (N3 He), %s (N3 Xavier)",
                d.model(),
                d.nulls() != null
                        ? d.nulls()
                                .path(FrustrationCodec.PROVENANCE)
                                .path(FrustrationCodec.CONFIG)
                                .path(FrustrationCodec.SOLVER)
                                .asText()
                        : "?",
                d.nulls() != null
                        ? d.nulls()
                                .path(FrustrationCodec.PROVENANCE)
                                .path(FrustrationCodec.CONFIG)
                                .path(FrustrationCodec.INITIAL_FLIPS)
                                .asText()
                        : "?",
                ReportData.seed(d.nulls()),
                ReportData.seed(d.n3He()),
                ReportData.seed(d.n3Xavier())));
        Map<String, double[]> g = withPooled(d);
        StringBuilder w = new StringBuilder("Welch:");
        for (String[] p : comparisons(g)) {
            WelchTest t = WelchTest.of(g.get(p[0]), g.get(p[1]));
            w.append(String.format(Locale.ROOT, " %s vs %s t %.1f df %.1f p %.2g;", p[0], p[1], t.t(), t.df(), t.p()));
        }
        footer.add(w.toString());
        for (JsonNode j : new JsonNode[] {d.nulls(), d.n3He(), d.n3Xavier()}) {
            if (j != null) {
                footer.add("command: " + ReportData.command(j));
            }
        }
        return new Figure(
                id + "fig2-frustration-nulls",
                d.model() + ": ε of the real network (R) against the null "
                        + "models N1 (parameters shuffled within layers), N2 (weights shuffled across layers), N3 (re-drawn, "
                        + "He and Xavier shown separately; paper Fig. 2 and 5a)",
                List.of(c),
                1,
                900,
                480,
                footer);
    }

    static Figure active(String id, ReportData d) {
        JsonNode a = d.active();
        double[] eps = new double[a.path(ActiveCodec.RESULTS).size()];
        for (int i = 0; i < eps.length; i++) {
            eps[i] = a.path(ActiveCodec.RESULTS)
                    .path(i)
                    .path(ActiveCodec.EPSILON)
                    .asDouble();
        }
        double eR = a.path(ActiveCodec.EPSILON_R).asDouble();
        double lo = Math.min(eR, min(eps)), hi = Math.max(eR, max(eps));
        double pad = Math.max(1e-4, (hi - lo) * 0.05);
        lo -= pad;
        hi += pad;
        int bins = 40;
        XYChart c =
                Charts.xy(d.model() + ": frustration of the active subnetworks", "ε", "fraction of images", 900, 480);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[] h = Charts.histogram(eps, lo, hi, bins);
        double[][] s = Charts.steps(lo, (hi - lo) / bins, h);
        Charts.line(
                c.addSeries(
                        String.format(Locale.ROOT, "ε_act: n %d, mean %.4f", eps.length, WelchTest.mean(eps)),
                        s[0],
                        s[1]),
                0);
        double top = max(h);
        Charts.dashed(
                c.addSeries(String.format(Locale.ROOT, "ε_R = %.4f", eR), new double[] {eR, eR}, new double[] {0, top}),
                Color.BLACK);
        List<String> footer = new ArrayList<>();
        JsonNode cfg = a.path(ActiveCodec.PROVENANCE).path(ActiveCodec.CONFIG);
        footer.add(String.format(
                Locale.ROOT,
                "%s: %d images, solver %s x %s restart(s), seed %s; ε_act < ε_R for %.1f %% "
                        + "of images; ε_R from %s",
                d.model(),
                eps.length,
                cfg.path(ActiveCodec.SOLVER).asText(),
                cfg.path(ActiveCodec.RESTARTS).asText(),
                ReportData.seed(a),
                100 * a.path(ActiveCodec.FRACTION_BELOW_EPSILON_R).asDouble(),
                a.path(ActiveCodec.EPSILON_R_SOURCE).asText()));
        footer.add("command: " + ReportData.command(a));
        return new Figure(
                id + "fig2-active",
                d.model() + ": ε_act of each image's active subnetwork A_act(x) "
                        + "(eq. 8) against ε_R of the whole network (paper Fig. 2)",
                List.of(c),
                1,
                900,
                480,
                footer);
    }

    /** Frustrated weight fraction per layer (summed over the layer's source node sets). */
    public static Map<String, double[]> layerFractions(JsonNode frustration) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (JsonNode e : frustration.path(FrustrationRestarts.FRUSTRATION_MAP)) {
            double[] v = m.computeIfAbsent(e.path(FrustrationRestarts.LAYER).asText(), k -> new double[2]);
            v[0] += e.path(FrustrationRestarts.FRUSTRATED_WEIGHT).asDouble();
            v[1] += e.path(FrustrationRestarts.ABS_WEIGHT).asDouble();
        }
        return m;
    }

    static Figure layerMap(String id, ReportData d) {
        Map<String, double[]> a = layerFractions(d.algorithm1());
        Map<String, double[]> b =
                d.best() != null && d.best().has(FrustrationRestarts.FRUSTRATION_MAP) ? layerFractions(d.best()) : null;
        List<String> layers = new ArrayList<>(a.keySet());
        int w = Math.max(900, 22 * layers.size() + 200);
        CategoryChart c = Charts.category(
                d.model() + ": frustrated weight per layer",
                "layer (edge block)",
                "frustrated |A| / |A| of the layer",
                w,
                560);
        c.getStyler().setXAxisLabelRotation(90);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setYAxisMin(0.0);
        List<Double> fa = new ArrayList<>(), fb = new ArrayList<>();
        for (String l : layers) {
            fa.add(a.get(l)[1] == 0 ? 0 : a.get(l)[0] / a.get(l)[1]);
            if (b != null) {
                double[] v = b.getOrDefault(l, new double[2]);
                fb.add(v[1] == 0 ? 0 : v[0] / v[1]);
            }
        }
        CategorySeries sa = c.addSeries(
                String.format(
                        Locale.ROOT,
                        "spins of Algorithm 1 (ε %.4f)",
                        d.algorithm1().path(FrustrationRestarts.EPSILON_BEST).asDouble()),
                layers,
                fa);
        sa.setFillColor(Charts.COLORS[0]);
        if (b != null) {
            CategorySeries sb = c.addSeries(
                    String.format(
                            Locale.ROOT,
                            "spins of %s (ε %.4f)",
                            d.best().path(FrustrationRestarts.SOLVER).asText(),
                            d.best().path(FrustrationRestarts.EPSILON_BEST).asDouble()),
                    layers,
                    fb);
            sb.setFillColor(Charts.COLORS[3]);
        }
        List<String> footer = new ArrayList<>();
        footer.add(String.format(
                Locale.ROOT,
                "%s: best of %d restarts of Algorithm 1 (seed %s)%s; a layer's share of "
                        + "frustrated weight, Σ|A_ij| over edges with S_i A_ij S_j < 0 divided by its Σ|A_ij|",
                d.model(),
                d.algorithm1().path(FrustrationRestarts.RESTARTS).size(),
                ReportData.seed(d.algorithm1()),
                b == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " and of %d restarts of %s",
                                d.best().path(FrustrationRestarts.RESTARTS).size(),
                                d.best().path(FrustrationRestarts.SOLVER).asText())));
        footer.add("command: " + ReportData.command(d.algorithm1()));
        return new Figure(
                id + "layer-map",
                d.model() + ": where the frustration sits: the frustrated share of each "
                        + "layer's weight under the best spins (frustration --map)",
                List.of(c),
                1,
                w,
                560,
                footer);
    }

    static Figure fig5a(List<ReportData> all) {
        List<String> models = all.stream().map(ReportData::model).toList();
        CategoryChart c = Charts.category("Frustration across networks (mean ± sd)", "network", "ε", 900, 500);
        c.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(10);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        int k = 0;
        for (String g : List.of("R", "N1", "N2", "N3 (pooled)", "N3 (He)", "N3 (Xavier)")) {
            List<Double> mean = new ArrayList<>(), sd = new ArrayList<>();
            boolean any = false;
            for (ReportData d : all) {
                double[] v = withPooled(d).get(g);
                if (v != null && v.length > 0) {
                    any = true;
                    double m = WelchTest.mean(v);
                    mean.add(m);
                    sd.add(v.length > 1 ? Math.sqrt(WelchTest.variance(v, m)) : 0.0);
                } else {
                    mean.add(Double.NaN);
                    sd.add(0.0);
                }
            }
            if (any && !(g.startsWith("N3 (") && !g.equals("N3 (pooled)") && withPooledAny(all))) {
                CategorySeries s = c.addSeries(g, models, mean, sd);
                s.setMarkerColor(Charts.COLORS[k % Charts.COLORS.length]);
                s.setLineColor(Charts.COLORS[k % Charts.COLORS.length]);
            }
            k++;
        }
        List<String> footer = new ArrayList<>();
        for (ReportData d : all) {
            StringBuilder b = new StringBuilder(d.model() + ":");
            withPooled(d).forEach((g, v) -> b.append(String.format(Locale.ROOT, " %s n %d;", g, v.length)));
            b.append(" seed ").append(ReportData.seed(d.nulls()));
            footer.add(b.toString());
        }
        return new Figure(
                "all-fig5a-frustration",
                "Frustration of each real network against its null models, mean ± sd "
                        + "over the solves (paper Fig. 5a); N3 pooled over He and Xavier as in the paper",
                List.of(c),
                1,
                900,
                500,
                footer);
    }

    private static boolean withPooledAny(List<ReportData> all) {
        return all.stream().anyMatch(d -> withPooled(d).containsKey("N3 (pooled)"));
    }

    static Figure fig5b(List<ReportData> all) {
        List<String> models = all.stream().map(ReportData::model).toList();
        List<String> variants = new ArrayList<>();
        for (ReportData d : all) {
            d.monotonicity().path(MonotonicityCodec.VARIANTS).fieldNames().forEachRemaining(v -> {
                if (!variants.contains(v)) {
                    variants.add(v);
                }
            });
        }
        CategoryChart c = Charts.category("λ-monotonicity across networks", "network", "λ", 900, 500);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setYAxisMin(0.0);
        int k = 0;
        for (String v : variants) {
            List<Double> lam = new ArrayList<>();
            for (ReportData d : all) {
                JsonNode x = d.monotonicity().path(MonotonicityCodec.VARIANTS).path(v);
                lam.add(
                        x.has(MonotonicityCodec.LAMBDA)
                                ? x.path(MonotonicityCodec.LAMBDA).asDouble()
                                : 0.0);
            }
            c.addSeries(v, models, lam).setFillColor(Charts.COLORS[k++ % Charts.COLORS.length]);
        }
        List<String> footer = new ArrayList<>();
        for (ReportData d : all) {
            footer.add(String.format(
                    Locale.ROOT,
                    "%s: %d images x %d perturbations, seed %s",
                    d.model(),
                    d.monotonicity().path(MonotonicityCodec.IMAGES).asInt(),
                    d.monotonicity().path(MonotonicityCodec.PERTURBATIONS).asInt(),
                    ReportData.seed(d.monotonicity())));
        }
        return new Figure(
                "all-fig5b-lambda",
                "λ of each network with its real weights and best partial order, with a "
                        + "random partial order and with re-initialised weights N3 (paper Fig. 5b)",
                List.of(c),
                1,
                900,
                500,
                footer);
    }

    static double min(double[] v) {
        double m = Double.MAX_VALUE;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    static double max(double[] v) {
        double m = -Double.MAX_VALUE;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
