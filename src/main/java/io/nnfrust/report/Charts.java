package io.nnfrust.report;

import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The house style of nnfrust's figures (XChart): white, readable fonts, decimals with a leading zero. */
final class Charts {
    /** Real network first (azure, as the paper), then the nulls (violet, green), then others. */
    static final Color[] COLORS = {
        new Color(0x1f, 0x9b, 0xd7),
        new Color(0x8e, 0x44, 0xad),
        new Color(0x27, 0xae, 0x60),
        new Color(0xe6, 0x7e, 0x22),
        new Color(0xc0, 0x39, 0x2b),
        new Color(0x55, 0x55, 0x55),
        new Color(0xd4, 0xac, 0x0d)
    };

    private Charts() {}

    static XYChart xy(String title, String x, String y, int w, int h) {
        XYChart c = new XYChartBuilder()
                .width(w)
                .height(h)
                .title(title)
                .xAxisTitle(x)
                .yAxisTitle(y)
                .build();
        style(c.getStyler());
        return c;
    }

    static CategoryChart category(String title, String x, String y, int w, int h) {
        CategoryChart c = new CategoryChartBuilder()
                .width(w)
                .height(h)
                .title(title)
                .xAxisTitle(x)
                .yAxisTitle(y)
                .build();
        style(c.getStyler());
        return c;
    }

    static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesVisible(true);
        s.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        s.setLegendBorderColor(new Color(0xcc, 0xcc, 0xcc));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setChartTitleBoxVisible(false);
        s.setMarkerSize(5);
        // "0.05", not ".05"
        s.setXAxisDecimalPattern("0.####");
        s.setYAxisDecimalPattern("0.####");
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
    }

    static void line(XYSeries s, int k) {
        s.setLineColor(COLORS[k % COLORS.length]);
        s.setMarkerColor(COLORS[k % COLORS.length]);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.SOLID);
    }

    static void points(XYSeries s, int k) {
        line(s, k);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    static void dashed(XYSeries s, Color c) {
        s.setLineColor(c);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
    }

    /** A step outline of a histogram: bin b spans [lo + b w, lo + (b+1) w] at height v[b]. */
    static double[][] steps(double lo, double width, double[] v) {
        double[] x = new double[2 * v.length + 2], y = new double[x.length];
        x[0] = lo;
        for (int b = 0; b < v.length; b++) {
            x[2 * b + 1] = lo + b * width;
            x[2 * b + 2] = lo + (b + 1) * width;
            y[2 * b + 1] = y[2 * b + 2] = v[b];
        }
        x[x.length - 1] = lo + v.length * width;
        return new double[][] {x, y};
    }

    /** Fractions of {@code values} in {@code bins} equal bins of [lo, hi] (the last bin closed). */
    static double[] histogram(double[] values, double lo, double hi, int bins) {
        double[] h = new double[bins];
        for (double v : values) {
            int b = hi > lo ? (int) Math.floor((v - lo) / (hi - lo) * bins) : 0;
            h[Math.max(0, Math.min(bins - 1, b))]++;
        }
        for (int b = 0; b < bins; b++) {
            h[b] /= Math.max(1, values.length);
        }
        return h;
    }
}
