package io.nnfrust.report;

import io.nnfrust.experiment.MonotonicityExperiment;
import io.nnfrust.experiment.MonotonicityExperiment.ImageResult;
import io.nnfrust.experiment.MonotonicityExperiment.Summary;
import io.nnfrust.util.NnfrustException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PNG figures of {@code experiment monotonicity} in the layout of the paper: the Ω histograms with the 0.5 ± λ
 * bars (Fig. 3), Ω against ‖δ‖ for a few images (Fig. 4), F(λ) against the 2λ line (Fig. 7), the per-image
 * fraction of perturbations with Ω > 0.5 (Fig. 8), and the share of images keeping their class per amplitude.
 * Each file is written atomically.
 */
public final class MonotonicityPlots {
    private static final Color[] COLORS = {new Color(0x1f, 0x9b, 0xd7), new Color(0x8e, 0x44, 0xad),
            new Color(0x27, 0xae, 0x60), new Color(0xe6, 0x7e, 0x22), new Color(0xc0, 0x39, 0x2b)};

    private MonotonicityPlots() {
    }

    /** Writes the five figures into {@code dir} (created if needed) and returns their paths. */
    public static List<Path> write(Path dir, String title, List<Summary> summaries, List<ImageResult> images,
                                   double[] meanDeltaNorm, int imagesInFig4) {
        io.nnfrust.util.OutputSet set = new io.nnfrust.util.OutputSet();
        try {
            List<Path> out = write(set, dir, title, summaries, images, meanDeltaNorm, imagesInFig4);
            set.commit();
            return out;
        } finally {
            set.discard();
        }
    }

    /**
     * Stages the five figures into {@code set} (they appear with the rest of the run's files at its commit) and
     * returns their paths.
     */
    public static List<Path> write(io.nnfrust.util.OutputSet set, Path dir, String title, List<Summary> summaries,
                                   List<ImageResult> images, double[] meanDeltaNorm, int imagesInFig4) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NnfrustException("cannot create plot folder " + dir + ": " + e.getMessage());
        }
        List<Path> out = new ArrayList<>();
        out.add(save(set, dir.resolve("fig3-omega-histogram.png"), omegaHistogram(title, summaries)));
        out.add(save(set, dir.resolve("fig4-omega-vs-delta.png"), omegaVsDelta(title, summaries, images, imagesInFig4)));
        out.add(save(set, dir.resolve("fig7-lambda.png"), lambdaTail(title, summaries)));
        out.add(save(set, dir.resolve("fig8-consistency.png"), consistency(title, summaries)));
        out.add(save(set, dir.resolve("class-kept.png"), kept(title, summaries, meanDeltaNorm)));
        return out;
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(true);
        c.getStyler().setMarkerSize(4);
        return c;
    }

    private static void style(XYSeries s, int k, boolean markers) {
        s.setLineColor(COLORS[k % COLORS.length]);
        s.setMarkerColor(COLORS[k % COLORS.length]);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.SOLID);
    }

    static XYChart omegaHistogram(String title, List<Summary> sums) {
        XYChart c = chart(title + " — output alignment (Fig. 3)", "Ω", "fraction of perturbations");
        for (int k = 0; k < sums.size(); k++) {
            Summary s = sums.get(k);
            long[] h = s.omegaHistogram();
            double[] x = new double[2 * h.length + 2], y = new double[x.length];
            double total = Math.max(1, s.samples());
            for (int b = 0; b < h.length; b++) { // a step outline
                x[2 * b + 1] = b / (double) h.length;
                x[2 * b + 2] = (b + 1) / (double) h.length;
                y[2 * b + 1] = y[2 * b + 2] = h[b] / total;
            }
            x[x.length - 1] = 1;
            double top = 0;
            for (double v : y) {
                top = Math.max(top, v);
            }
            XYSeries hs = c.addSeries(String.format("%s (λ = %.3f)", s.variant(), s.lambda().lambda()), x, y);
            style(hs, k, false);
            double lam = s.lambda().lambda();
            for (double at : new double[] {0.5 - lam, 0.5 + lam}) {
                XYSeries bar = c.addSeries(s.variant() + (at < 0.5 ? " 0.5−λ" : " 0.5+λ"), new double[] {at, at},
                        new double[] {0, top});
                style(bar, k, false);
                bar.setLineStyle(SeriesLines.DASH_DASH);
                bar.setShowInLegend(false);
            }
        }
        return c;
    }

    static XYChart omegaVsDelta(String title, List<Summary> sums, List<ImageResult> images, int count) {
        XYChart c = chart(title + " — Ω per perturbation, first images (Fig. 4)", "‖δ‖₂", "Ω");
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (int k = 0; k < sums.size(); k++) {
            String v = sums.get(k).variant();
            for (int i = 0; i < Math.min(count, images.size()); i++) {
                ImageResult im = images.get(i);
                MonotonicityExperiment.VariantResult r = im.variants().get(v);
                if (r == null) {
                    continue;
                }
                double[] om = new double[r.aligned().length];
                for (int p = 0; p < om.length; p++) {
                    om[p] = r.omega(p);
                }
                XYSeries s = c.addSeries(v + " " + im.file(), im.deltaNorm(), om);
                style(s, k, true);
                s.setShowInLegend(i == 0);
                if (i == 0) {
                    s.setLabel(v);
                }
            }
        }
        return c;
    }

    static XYChart lambdaTail(String title, List<Summary> sums) {
        XYChart c = chart(title + " — λ-monotonicity (Fig. 7)", "λ", "P(|Ω − 0.5| > λ)");
        for (int k = 0; k < sums.size(); k++) {
            Summary s = sums.get(k);
            double[] f = s.tail();
            double[] x = new double[f.length];
            for (int g = 0; g < f.length; g++) {
                x[g] = g / (double) MonotonicityExperiment.GRID_STEPS;
            }
            style(c.addSeries(String.format("%s (λ = %.3f)", s.variant(), s.lambda().lambda()), x, f), k, false);
        }
        XYSeries line = c.addSeries("2λ", new double[] {0, 0.5}, new double[] {0, 1});
        line.setLineColor(Color.BLACK);
        line.setLineStyle(SeriesLines.DASH_DASH);
        line.setMarker(SeriesMarkers.NONE);
        return c;
    }

    static XYChart consistency(String title, List<Summary> sums) {
        XYChart c = chart(title + " — per image: fraction of perturbations with Ω > 0.5 (Fig. 8)",
                "fraction of the image's perturbations with Ω > 0.5", "fraction of images");
        for (int k = 0; k < sums.size(); k++) {
            Summary s = sums.get(k);
            long[] h = s.fig8Histogram();
            long n = 0;
            for (long v : h) {
                n += v;
            }
            double[] x = new double[h.length], y = new double[h.length];
            for (int b = 0; b < h.length; b++) {
                x[b] = (b + 0.5) / h.length;
                y[b] = n == 0 ? 0 : h[b] / (double) n;
            }
            style(c.addSeries(String.format("%s (all: %d, none: %d)", s.variant(), s.imagesAllAbove(),
                    s.imagesAllBelow()), x, y), k, true);
        }
        return c;
    }

    static XYChart kept(String title, List<Summary> sums, double[] meanDeltaNorm) {
        XYChart c = chart(title + " — perturbed images keeping their class", "mean ‖δ‖₂", "share of images");
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSW);
        for (int k = 0; k < sums.size(); k++) {
            Summary s = sums.get(k);
            style(c.addSeries(s.variant(), meanDeltaNorm, s.keptByAmplitude()), k, true);
        }
        return c;
    }

    private static Path save(io.nnfrust.util.OutputSet set, Path file, XYChart chart) {
        set.stage(file, os -> BitmapEncoder.saveBitmap(chart, os, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }
}
