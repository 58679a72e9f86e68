package io.nnfrust.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.experiment.MonotonicityCodec;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Figures of {@code experiment monotonicity}, drawn from its JSON output alone: the Ω histograms with the
 * 0.5 ± λ bars (Fig. 3; one panel per variant, each on its own y scale), Ω against ‖δ‖ for the first images (Fig. 4;
 * one panel per variant), F(λ) against the 2λ line (Fig. 7), the per-image fraction of perturbations with Ω > 0.5
 * (Fig. 8; legend outside the plot) and the share of images keeping their class against ‖δ‖.
 */
public final class MonotonicityPlots {
    private static final int W = 560, H = 420;

    private MonotonicityPlots() {}

    /** The five figures of one monotonicity JSON; {@code id} prefixes their file names. */
    public static List<Figure> figures(String id, String model, JsonNode j, int imagesInFig4) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = j.path(MonotonicityCodec.VARIANTS).fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        List<String> footer = footer(model, j, names);
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(
                id + "fig3-omega-histogram",
                model + ": histograms of the output alignment Ω with the interval "
                        + "0.5 ± λ (paper Fig. 3); each variant on its own y scale",
                omegaHistograms(model, j, names),
                Math.min(3, names.size()),
                W,
                H,
                footer));
        f.add(new Figure(
                id + "fig4-omega-vs-delta",
                model + ": Ω of each perturbation against ‖δ‖₂ for the first "
                        + Math.min(
                                imagesInFig4, j.path(MonotonicityCodec.RESULTS).size()) + " images (paper Fig. 4)",
                omegaVsDelta(model, j, names, imagesInFig4),
                Math.min(3, names.size()),
                W,
                H,
                footer));
        f.add(new Figure(
                id + "fig7-lambda",
                model + ": F(λ) = P(|Ω − 0.5| > λ) against the line 2λ; λ of eq. 10 " + "(paper Fig. 7)",
                List.of(lambdaTail(model, j, names)),
                1,
                760,
                520,
                footer));
        f.add(new Figure(
                id + "fig8-consistency",
                model + ": per image, the fraction of its perturbations with Ω > 0.5 " + "(paper Fig. 8)",
                List.of(consistency(model, j, names)),
                1,
                760,
                520,
                footer));
        f.add(new Figure(
                id + "class-kept",
                model + ": share of perturbed images that keep the class of the "
                        + "unperturbed image, against the mean ‖δ‖₂ (input units after preprocessing)",
                List.of(kept(model, j, names)),
                1,
                760,
                520,
                footer));
        return f;
    }

    /**
     * Writes the five figures of a monotonicity JSON as PNG into {@code dir} through {@code set} (they appear with the
     * rest of the run's files at its commit) and returns their paths (the {@code --plots} option).
     */
    public static List<Path> write(OutputSet set, Path dir, String model, JsonNode j, int imagesInFig4) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NnfrustException("cannot create plot folder " + dir + ": " + e.getMessage());
        }
        List<Path> out = new ArrayList<>();
        for (Figure f : figures("", model, j, imagesInFig4)) {
            Path p = dir.resolve(f.id() + ".png");
            byte[] png = f.png();
            set.stage(p, os -> os.write(png));
            out.add(p);
        }
        return out;
    }

    /**
     * Where outputs before the flat {@link MonotonicityCodec#SPACING} kept the spacing: {@code config.schedule.spacing}
     * (no codec writes it any more; read so that such files still give their footer).
     */
    private static final String OLD_SCHEDULE = "schedule";

    static List<String> footer(String model, JsonNode j, List<String> names) {
        JsonNode amps = j.path(MonotonicityCodec.AMPLITUDES);
        JsonNode cfg = j.path(MonotonicityCodec.PROVENANCE).path(MonotonicityCodec.CONFIG);
        List<String> f = new ArrayList<>();
        f.add(String.format(
                Locale.ROOT,
                "%s: %d images x %d perturbations, amplitude a in [%s, %s] (%s spacing), seed %s;" + " variants %s",
                model,
                j.path(MonotonicityCodec.IMAGES).asInt(),
                j.path(MonotonicityCodec.PERTURBATIONS).asInt(),
                fmt(amps.path(0).asDouble()),
                fmt(amps.path(amps.size() - 1).asDouble()),
                cfg.path(OLD_SCHEDULE)
                        .path(MonotonicityCodec.SPACING)
                        .asText(cfg.path(MonotonicityCodec.SPACING).asText("log")),
                ReportData.seed(j),
                String.join(", ", names)));
        for (String v : names) {
            f.add(v + ": "
                    + j.path(MonotonicityCodec.VARIANTS)
                            .path(v)
                            .path(MonotonicityCodec.ORDER)
                            .asText());
        }
        f.add("command: " + ReportData.command(j));
        return f;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static List<XYChart> omegaHistograms(String model, JsonNode j, List<String> names) {
        List<XYChart> panels = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            JsonNode v = j.path(MonotonicityCodec.VARIANTS).path(names.get(k));
            double lam = v.path(MonotonicityCodec.LAMBDA).asDouble();
            XYChart c = Charts.xy(
                    String.format(Locale.ROOT, "%s: %s (λ = %.3f)", model, names.get(k), lam),
                    "Ω",
                    "fraction of perturbations",
                    W,
                    H);
            c.getStyler().setLegendVisible(false);
            c.getStyler().setXAxisMin(0.0);
            c.getStyler().setXAxisMax(1.0);
            JsonNode h = v.path(MonotonicityCodec.OMEGA_HISTOGRAM);
            double total = Math.max(1, v.path(MonotonicityCodec.SAMPLES).asDouble());
            double[] frac = new double[h.size()];
            double top = 0;
            for (int b = 0; b < frac.length; b++) {
                frac[b] = h.path(b).asDouble() / total;
                top = Math.max(top, frac[b]);
            }
            double[][] s = Charts.steps(0, 1.0 / Math.max(1, frac.length), frac);
            Charts.line(c.addSeries(names.get(k), s[0], s[1]), k);
            for (double at : new double[] {0.5 - lam, 0.5 + lam}) {
                XYSeries bar = c.addSeries(
                        names.get(k) + (at < 0.5 ? " 0.5-λ" : " 0.5+λ"), new double[] {at, at}, new double[] {0, top});
                Charts.dashed(bar, Color.BLACK);
            }
            panels.add(c);
        }
        return panels;
    }

    static List<XYChart> omegaVsDelta(String model, JsonNode j, List<String> names, int count) {
        List<XYChart> panels = new ArrayList<>();
        JsonNode results = j.path(MonotonicityCodec.RESULTS);
        double lo = Double.MAX_VALUE, hi = 0;
        for (int i = 0; i < Math.min(count, results.size()); i++) {
            for (JsonNode d : results.path(i).path(MonotonicityCodec.DELTA_NORM)) {
                lo = Math.min(lo, d.asDouble());
                hi = Math.max(hi, d.asDouble());
            }
        }
        for (String name : names) {
            XYChart c = Charts.xy(model + ": " + name, "‖δ‖₂", "Ω", W, H);
            c.getStyler().setXAxisLogarithmic(true);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
            c.getStyler().setLegendVisible(false);
            for (int i = 0; i < Math.min(count, results.size()); i++) {
                JsonNode r = results.path(i);
                JsonNode om = r.path(MonotonicityCodec.VARIANTS).path(name).path(MonotonicityCodec.OMEGA);
                if (om.isMissingNode()) {
                    continue;
                }
                double[] x = new double[om.size()], y = new double[om.size()];
                for (int p = 0; p < x.length; p++) {
                    x[p] = r.path(MonotonicityCodec.DELTA_NORM).path(p).asDouble();
                    y[p] = om.path(p).asDouble();
                }
                XYSeries s = c.addSeries(
                        name + " " + i + " " + r.path(MonotonicityCodec.FILE).asText(), x, y);
                Charts.points(s, i);
                s.setMarkerColor(Charts.COLORS[i % Charts.COLORS.length]);
            }
            if (hi > 0) {
                Charts.dashed(c.addSeries("0.5", new double[] {lo, hi}, new double[] {0.5, 0.5}), Color.GRAY);
            }
            panels.add(c);
        }
        return panels;
    }

    static XYChart lambdaTail(String model, JsonNode j, List<String> names) {
        XYChart c = Charts.xy(model + ": λ-monotonicity", "λ", "P(|Ω − 0.5| > λ)", 760, 520);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS); // inside, it covers the 2λ line
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        int k = 0;
        for (String name : names) {
            JsonNode v = j.path(MonotonicityCodec.VARIANTS).path(name);
            JsonNode f = v.path(MonotonicityCodec.TAIL).path(MonotonicityCodec.TAIL_F);
            double step = v.path(MonotonicityCodec.TAIL)
                    .path(MonotonicityCodec.LAMBDA_STEP)
                    .asDouble(0.001);
            double[] x = new double[f.size()], y = new double[f.size()];
            for (int g = 0; g < x.length; g++) {
                x[g] = g * step;
                y[g] = f.path(g).asDouble();
            }
            Charts.line(
                    c.addSeries(
                            String.format(
                                    Locale.ROOT,
                                    "%s (λ = %.3f)",
                                    name,
                                    v.path(MonotonicityCodec.LAMBDA).asDouble()),
                            x,
                            y),
                    k++);
        }
        XYSeries line = c.addSeries("2λ", new double[] {0, 0.5}, new double[] {0, 1});
        Charts.dashed(line, Color.BLACK);
        return c;
    }

    static XYChart consistency(String model, JsonNode j, List<String> names) {
        XYChart c = Charts.xy(
                model + ": consistency per image",
                "fraction of the image's perturbations with Ω > 0.5",
                "fraction of images",
                760,
                520);
        // outside the plot: inside, the legend hides the points at the ends, where the real network has most
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        int k = 0;
        for (String name : names) {
            JsonNode v = j.path(MonotonicityCodec.VARIANTS).path(name).path(MonotonicityCodec.FIG8);
            JsonNode h = v.path(MonotonicityCodec.HISTOGRAM);
            double n = 0;
            for (JsonNode x : h) {
                n += x.asDouble();
            }
            double[] x = new double[h.size()], y = new double[h.size()];
            for (int b = 0; b < x.length; b++) {
                x[b] = (b + 0.5) / x.length;
                y[b] = n == 0 ? 0 : h.path(b).asDouble() / n;
            }
            Charts.points(
                    c.addSeries(
                            String.format(
                                    Locale.ROOT,
                                    "%s (all > 0.5: %d, none: %d)",
                                    name,
                                    v.path(MonotonicityCodec.IMAGES_ALL_ABOVE).asInt(),
                                    v.path(MonotonicityCodec.IMAGES_ALL_BELOW).asInt()),
                            x,
                            y),
                    k++);
        }
        return c;
    }

    static XYChart kept(String model, JsonNode j, List<String> names) {
        XYChart c = Charts.xy(model + ": class kept under perturbation", "mean ‖δ‖₂", "share of images", 760, 520);
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        double[] d = values(j.path(MonotonicityCodec.MEAN_DELTA_NORM));
        int k = 0;
        for (String name : names) {
            Charts.points(
                    c.addSeries(
                            name,
                            d,
                            values(j.path(MonotonicityCodec.VARIANTS)
                                    .path(name)
                                    .path(MonotonicityCodec.KEPT_BY_AMPLITUDE))),
                    k++);
        }
        return c;
    }

    static double[] values(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.path(i).asDouble();
        }
        return v;
    }

    /** Share kept at a given amplitude a, interpolated linearly in log a between the two nearest amplitudes. */
    public static double keptAtAmplitude(JsonNode j, String variant, double a) {
        double[] amps = values(j.path(MonotonicityCodec.AMPLITUDES));
        double[] kept =
                values(j.path(MonotonicityCodec.VARIANTS).path(variant).path(MonotonicityCodec.KEPT_BY_AMPLITUDE));
        return interpolateLog(amps, kept, a);
    }

    /** Mean ‖δ‖₂ at amplitude a (log-linear interpolation). */
    public static double deltaNormAtAmplitude(JsonNode j, double a) {
        return interpolateLog(
                values(j.path(MonotonicityCodec.AMPLITUDES)), values(j.path(MonotonicityCodec.MEAN_DELTA_NORM)), a);
    }

    static double interpolateLog(double[] x, double[] y, double at) {
        if (x.length == 0 || at < x[0] || at > x[x.length - 1]) {
            return Double.NaN;
        }
        for (int i = 0; i + 1 < x.length; i++) {
            if (at >= x[i] && at <= x[i + 1]) {
                double t =
                        x[i + 1] == x[i] ? 0 : (Math.log(at) - Math.log(x[i])) / (Math.log(x[i + 1]) - Math.log(x[i]));
                return y[i] + t * (y[i + 1] - y[i]);
            }
        }
        return y[x.length - 1];
    }

    static Map<String, JsonNode> variants(JsonNode j) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        j.path(MonotonicityCodec.VARIANTS).fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
