package io.nnfrust.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.TrainingTrack;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The figure and summary of one or more {@code nnfrust track} results (e.g. the seeds of one training regime):
 * ε_R and the null means, the gaps ε_N − ε_R, top-1 accuracy and λ against the epoch, one line per run. The
 * x axis is epoch + 1 on a log scale, so the initialisation (epoch 0) is at 1. Drawn from the JSON alone;
 * redrawing the same files gives byte-identical PNG and SVG.
 */
public final class TrackFigures {
    private TrackFigures() {}

    /** One run: a label (the file name without .json) and its rows. */
    public record Run(String label, List<TrainingTrack.Row> rows, String command) {}

    /** Reads track JSON documents; a file that is not one is a one-line error. */
    public static List<Run> read(List<Path> files) {
        ObjectMapper m = new ObjectMapper();
        List<Run> runs = new ArrayList<>();
        for (Path f : files) {
            JsonNode doc;
            try {
                doc = m.readTree(f.toFile());
            } catch (IOException e) {
                throw new NnfrustException("cannot read track result " + f + ": " + e.getMessage());
            }
            String name = f.getFileName().toString();
            String label = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
            runs.add(new Run(label, TrainingTrack.Row.read(doc, f.toString()), ReportData.command(doc)));
        }
        return runs;
    }

    private static final String[] KINDS = {"N1", "N2", "N3"};

    /** The four-panel figure: ε, gap, accuracy, λ against epoch + 1. */
    public static Figure figure(String id, String title, List<Run> runs) {
        int w = 560, h = 380;
        XYChart eps = Charts.xy(title + ": ε", "epoch + 1", "ε", w, h);
        XYChart gap = Charts.xy(title + ": gap to the nulls", "epoch + 1", "ε_N − ε_R", w, h);
        XYChart acc = Charts.xy(title + ": test accuracy", "epoch + 1", "top-1", w, h);
        XYChart lam = Charts.xy(title + ": λ", "epoch + 1", "λ", w, h);
        XYChart omega = Charts.xy(title + ": mean Ω", "epoch + 1", "mean Ω", w, h);
        XYChart weight = Charts.xy(title + ": Σ|A|", "epoch + 1", "Σ|A|", w, h);
        for (XYChart c : List.of(eps, gap, acc, lam, omega, weight)) {
            c.getStyler().setXAxisLogarithmic(true);
            c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        }
        for (int r = 0; r < runs.size(); r++) {
            List<TrainingTrack.Row> rows = runs.get(r).rows();
            double[] x = rows.stream().mapToDouble(row -> row.epoch() + 1.0).toArray();
            boolean legend = r == 0;
            add(
                    eps,
                    "R",
                    r,
                    x,
                    rows.stream().mapToDouble(TrainingTrack.Row::epsilonR).toArray(),
                    0,
                    legend);
            for (int k = 0; k < KINDS.length; k++) {
                String kind = KINDS[k];
                if (rows.isEmpty() || !rows.get(0).nulls().containsKey(kind)) {
                    continue;
                }
                add(
                        eps,
                        kind,
                        r,
                        x,
                        rows.stream()
                                .mapToDouble(row -> row.nulls().get(kind)[0])
                                .toArray(),
                        k + 1,
                        legend);
                add(
                        gap,
                        kind + " − R",
                        r,
                        x,
                        rows.stream()
                                .mapToDouble(row -> row.nulls().get(kind)[2])
                                .toArray(),
                        k + 1,
                        legend);
            }
            double[] a = rows.stream().mapToDouble(TrainingTrack.Row::accuracy).toArray();
            if (finite(a)) {
                add(acc, "top-1", r, x, a, 0, legend);
            }
            double[] l = rows.stream().mapToDouble(TrainingTrack.Row::lambda).toArray();
            if (finite(l)) {
                add(lam, "best spins", r, x, l, 0, legend);
                add(
                        lam,
                        "random order",
                        r,
                        x,
                        rows.stream()
                                .mapToDouble(TrainingTrack.Row::lambdaRandomOrder)
                                .toArray(),
                        5,
                        legend);
                add(
                        omega,
                        "best spins",
                        r,
                        x,
                        rows.stream().mapToDouble(TrainingTrack.Row::meanOmega).toArray(),
                        0,
                        legend);
                add(
                        omega,
                        "random order",
                        r,
                        x,
                        rows.stream()
                                .mapToDouble(TrainingTrack.Row::meanOmegaRandomOrder)
                                .toArray(),
                        5,
                        legend);
            }
            add(
                    weight,
                    "Σ|A|",
                    r,
                    x,
                    rows.stream().mapToDouble(TrainingTrack.Row::absWeightSum).toArray(),
                    0,
                    legend);
        }
        List<XYChart> panels = new ArrayList<>();
        for (XYChart c : List.of(eps, gap, acc, lam, omega, weight)) {
            if (!c.getSeriesMap().isEmpty()) {
                panels.add(c);
            }
        }
        if (panels.isEmpty()) {
            throw new NnfrustException("the track results hold no checkpoint to draw");
        }
        List<String> footer = new ArrayList<>();
        footer.add("runs (one line each): "
                + String.join(", ", runs.stream().map(Run::label).toList())
                + "; ε_R: best of the restarts; ε_N: mean over null networks of each network's best of two solves");
        for (Run run : runs) {
            footer.add(run.label() + ": " + run.command());
        }
        return new Figure(
                id,
                title + ": frustration, gap to the null models, accuracy and λ against the epoch",
                panels,
                2,
                w,
                h,
                footer);
    }

    private static boolean finite(double[] v) {
        for (double d : v) {
            if (Double.isFinite(d)) {
                return true;
            }
        }
        return false;
    }

    private static void add(XYChart c, String name, int run, double[] x, double[] y, int color, boolean legend) {
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i])) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) {
            return;
        }
        XYSeries s = c.addSeries(legend ? name : name + " #" + (run + 1), xs, ys);
        Charts.points(s, color);
        s.setShowInLegend(legend);
    }

    /** A Markdown table per run: epoch, accuracy, ε_R, null means and gaps, λ. */
    public static String markdown(String title, List<Run> runs) {
        StringBuilder b = new StringBuilder("# " + title + "\n");
        for (Run run : runs) {
            b.append("\n## ")
                    .append(run.label())
                    .append("\n\n`")
                    .append(run.command())
                    .append("`\n\n");
            List<String> kinds = run.rows().isEmpty()
                    ? List.of()
                    : List.copyOf(run.rows().get(0).nulls().keySet());
            b.append("| epoch | top-1 | ε_R");
            kinds.forEach(k ->
                    b.append(" | ε_").append(k).append(" (sd) | ε_").append(k).append(" − ε_R"));
            b.append(" | λ | λ random order | mean Ω | mean Ω random order | Σ\\|A\\| |\n|---|---|---");
            kinds.forEach(k -> b.append("|---|---"));
            b.append("|---|---|---|---|---|\n");
            for (TrainingTrack.Row r : run.rows()) {
                b.append(String.format(
                        Locale.ROOT, "| %d | %s | %.4f", r.epoch(), num(r.accuracy(), "%.4f"), r.epsilonR()));
                for (String k : kinds) {
                    double[] v = r.nulls().get(k);
                    b.append(String.format(Locale.ROOT, " | %.4f (%s) | %+.4f", v[0], num(v[1], "%.4f"), v[2]));
                }
                b.append(String.format(
                        Locale.ROOT,
                        " | %s | %s | %s | %s | %.0f |%n",
                        num(r.lambda(), "%.3f"),
                        num(r.lambdaRandomOrder(), "%.3f"),
                        num(r.meanOmega(), "%.3f"),
                        num(r.meanOmegaRandomOrder(), "%.3f"),
                        r.absWeightSum()));
            }
        }
        return b.toString();
    }

    private static String num(double v, String fmt) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "–";
    }

    /** Writes {@code DIR/ID.png}, {@code ID.svg} and {@code ID.md}; returns the PNG's path. */
    public static Path write(Path dir, String id, String title, List<Path> files) {
        List<Run> runs = read(files);
        Figure f = figure(id, title, runs);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NnfrustException("cannot create " + dir + ": " + e.getMessage());
        }
        AtomicFiles.write(dir.resolve(id + ".png"), os -> os.write(f.png()));
        AtomicFiles.write(dir.resolve(id + ".svg"), os -> os.write(f.svg()));
        String md = markdown(title, runs) + "\n![" + f.caption() + "](" + id + ".png)\n";
        AtomicFiles.write(dir.resolve(id + ".md"), os -> os.write(md.getBytes(StandardCharsets.UTF_8)));
        return dir.resolve(id + ".png");
    }
}
