package io.nnfrust.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.experiment.ActiveCodec;
import io.nnfrust.experiment.CertifiedOrdering;
import io.nnfrust.experiment.FrustrationCodec;
import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.experiment.GraphSummary;
import io.nnfrust.experiment.MonotonicityCodec;
import io.nnfrust.inference.Accuracy;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.stats.WelchTest;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Provenance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code nnfrust report DIR}: from the JSON outputs in DIR (one folder per model, see {@link ReportData}) a
 * self-contained HTML page (figures embedded as PNG, no external reference), every figure as PNG and SVG, and a
 * Markdown summary, in {@code DIR/report/}. Nothing is recomputed and nothing depends on the time, so the same JSON
 * gives byte-identical files.
 */
public final class Report {
    private Report() {}

    /** What a report consists of (for tests and the command's summary line). */
    public record Written(Path html, Path markdown, List<Path> png, List<Path> svg) {
        @Override
        public String toString() {
            return html + " (" + png.size() + " figures as PNG and SVG in "
                    + png.get(0).getParent() + ", summary " + markdown + ")";
        }
    }

    public static Written write(Path dir, Consumer<String> log) {
        List<ReportData> data = ReportData.load(dir);
        Path out = dir.resolve("report");
        Path figDir = out.resolve("figures");
        OutputSet set = new OutputSet().folder("report folder", out).folder("figures folder", figDir);
        List<Figure> across = ReportFigures.across(data);
        List<List<Figure>> perModel = new ArrayList<>();
        for (ReportData d : data) {
            perModel.add(ReportFigures.model(d));
        }
        List<Path> png = new ArrayList<>(), svg = new ArrayList<>();
        Map<Figure, String> embedded = new IdentityHashMap<>();
        List<Figure> all = new ArrayList<>(across);
        perModel.forEach(all::addAll);
        if (all.isEmpty()) {
            log.accept("report: no figure to draw yet (no experiment output in " + dir + ")");
        }
        for (Figure f : all) {
            byte[] p = f.png(), s = f.svg();
            Path pp = figDir.resolve(f.id() + ".png"), sp = figDir.resolve(f.id() + ".svg");
            set.stage(pp, os -> os.write(p));
            set.stage(sp, os -> os.write(s));
            png.add(pp);
            svg.add(sp);
            embedded.put(f, Base64.getEncoder().encodeToString(p));
        }
        String html = html(data, across, perModel, embedded);
        String md = markdown(data, across, perModel);
        Path htmlFile = out.resolve("index.html"), mdFile = out.resolve("summary.md");
        set.stage(htmlFile, os -> os.write(html.getBytes(StandardCharsets.UTF_8)));
        set.stage(mdFile, os -> os.write(md.getBytes(StandardCharsets.UTF_8)));
        set.commit();
        return new Written(htmlFile, mdFile, png, svg);
    }

    // ---------------------------------------------------------------- tables (shared by HTML and Markdown)

    /** A table: header and rows of cells. */
    record Table(String title, List<String> header, List<List<String>> rows, String note) {}

    static List<Table> tables(List<ReportData> data) {
        List<Table> t = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (ReportData d : data) {
            JsonNode g = d.graph();
            rows.add(List.of(
                    d.model(),
                    g == null
                            ? ""
                            : g.path(Provenance.PROVENANCE)
                                    .path(ModelIdentity.MODEL)
                                    .path(ModelIdentity.INPUT_SHAPE)
                                    .toString()
                                    .replaceAll("[\\[\\]\"]", "")
                                    .replace(',', '×'),
                    g == null ? "" : sci(g.path(GraphSummary.NODES).asDouble(), 6),
                    g == null ? "" : sci(g.path(GraphSummary.EDGES).asDouble(), 9),
                    g == null ? "" : sci(g.path(GraphSummary.PARAMS).asDouble(), 6),
                    g == null ? "" : f(g.path(GraphSummary.EDGES_PER_NODE).asDouble(), 1),
                    g == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "%.4g",
                                    g.path(GraphSummary.ABS_WEIGHT_SUM).asDouble()),
                    eps(d.algorithm1()),
                    eps(d.best())));
        }
        t.add(new Table(
                "Table 1: the networks as signed graphs, and their frustration",
                List.of(
                        "model",
                        "input",
                        "nodes (10⁶)",
                        "edges (10⁹)",
                        "parameters (10⁶)",
                        "edges/node",
                        "Σ|A|",
                        "ε_R Algorithm 1 (best; mean ± sd; restarts)",
                        "ε_R best solver"),
                rows,
                "Nodes, edges and parameters as in the paper's Table 1 (tensor elements, weight uses, learnable "
                        + "parameters; biases are not edges). ε: weight fraction of frustrated edges (eq. 2)."));
        for (ReportData d : data) {
            Map<String, double[]> g = ReportFigures.withPooled(d);
            if (g.isEmpty()) {
                continue;
            }
            List<List<String>> r = new ArrayList<>();
            g.forEach((k, v) -> {
                double m = WelchTest.mean(v);
                r.add(List.of(
                        k,
                        Integer.toString(v.length),
                        f(ReportFigures.min(v), 6),
                        f(m, 6),
                        v.length > 1 ? f(Math.sqrt(WelchTest.variance(v, m)), 6) : ""));
            });
            t.add(new Table(
                    d.model() + ": frustration of R and the null models",
                    List.of("group", "solves", "min", "mean", "sd"),
                    r,
                    "Each null network is solved twice (S = I and from random initial flips); "
                            + "both solves count. N3 (pooled) = He and Xavier together, as the paper's N3."));
            List<List<String>> w = new ArrayList<>();
            for (String[] p : ReportFigures.comparisons(g)) {
                WelchTest x = WelchTest.of(g.get(p[0]), g.get(p[1]));
                w.add(List.of(
                        p[0] + " vs " + p[1],
                        f(WelchTest.mean(g.get(p[0])) - WelchTest.mean(g.get(p[1])), 6),
                        f(x.t(), 2),
                        f(x.df(), 1),
                        String.format(Locale.ROOT, "%.3g", x.p())));
            }
            if (!w.isEmpty()) {
                t.add(new Table(
                        d.model() + ": Welch's t-tests",
                        List.of("comparison", "mean difference", "t", "df", "p (two-sided)"),
                        w,
                        "p below about 1e-300 prints as 0 (beyond double precision)."));
            }
            List<List<String>> bi = new ArrayList<>(), bo = new ArrayList<>();
            for (JsonNode j : new JsonNode[] {d.nulls(), d.n3He(), d.n3Xavier()}) {
                if (j == null || !j.has(FrustrationCodec.BOUNDS)) {
                    continue;
                }
                var cert = CertifiedOrdering.Result.of(j.get(FrustrationCodec.BOUNDS));
                for (var n : cert.networks()) {
                    bi.add(List.of(
                            n.group() + (n.replica() < 0 ? "" : "/" + n.replica()),
                            f(n.lower(), 6),
                            f(n.upper(), 6),
                            f(n.upper() - n.lower(), 6),
                            f(n.epsilonSdp(), 6)));
                }
                for (var o : cert.orderings()) {
                    bo.add(List.of(
                            o.a() + " < " + o.b(),
                            o.certified() ? "certified" : "not certified",
                            f(o.maxUpperA(), 6),
                            f(o.minLowerB(), 6),
                            o.maxSdpA() < o.minSdpB() ? "yes" : "no"));
                }
            }
            if (!bi.isEmpty()) {
                t.add(new Table(
                        d.model() + ": certified intervals of ε",
                        List.of("network", "ε_lb", "ε_ub", "gap", "ε_SDP"),
                        bi,
                        "ε_lb: SDP dual with λ_min bounded by Lanczos (confidence 1 − 10⁻⁶); ε_ub: best "
                                + "of the experiment's solves and of SDP roundings; docs/bounds.md."));
                t.add(new Table(
                        d.model() + ": orderings of the paper, certified?",
                        List.of(
                                "ordering",
                                "status",
                                "max ε_ub of the first",
                                "min ε_lb of the second",
                                "SDP values ordered"),
                        bo,
                        "Certified: every bounded network of the first group has an upper end below every lower end "
                                + "of the second (about the networks bounded, not the whole null distribution)."));
            }
        }
        List<List<String>> act = new ArrayList<>();
        for (ReportData d : data) {
            JsonNode a = d.active();
            if (a == null) {
                continue;
            }
            JsonNode e = a.path(ActiveCodec.EPSILON_ACT);
            act.add(List.of(
                    d.model(),
                    a.path(ActiveCodec.IMAGES).asText(),
                    f(e.path(ActiveCodec.MEAN).asDouble(), 4) + " ± "
                            + f(e.path(ActiveCodec.SD).asDouble(), 4),
                    f(e.path(ActiveCodec.MIN).asDouble(), 4) + " – "
                            + f(e.path(ActiveCodec.MAX).asDouble(), 4),
                    f(a.path(ActiveCodec.EPSILON_R).asDouble(), 4),
                    pct(a.path(ActiveCodec.FRACTION_BELOW_EPSILON_R).asDouble()),
                    a.path(Accuracy.ACCURACY).path(Accuracy.TOP1).asText() + "/"
                            + a.path(ActiveCodec.IMAGES).asText()));
        }
        if (!act.isEmpty()) {
            t.add(new Table(
                    "Active subnetworks",
                    List.of(
                            "model",
                            "images",
                            "ε_act mean ± sd",
                            "ε_act range",
                            "ε_R",
                            "images with ε_act < ε_R",
                            "top-1"),
                    act,
                    "ε_R: best of the best solver's restarts on the whole network."));
        }
        List<List<String>> mono = new ArrayList<>();
        for (ReportData d : data) {
            JsonNode j = d.monotonicity();
            if (j == null) {
                continue;
            }
            for (var e : MonotonicityPlots.variants(j).entrySet()) {
                JsonNode v = e.getValue();
                double k4 = MonotonicityPlots.keptAtAmplitude(j, e.getKey(), 4.0);
                double lam = v.path(MonotonicityCodec.LAMBDA).asDouble();
                long hi = 0, lo = 0, n = 0;
                for (JsonNode r : j.path(MonotonicityCodec.RESULTS)) {
                    for (JsonNode om :
                            r.path(MonotonicityCodec.VARIANTS).path(e.getKey()).path(MonotonicityCodec.OMEGA)) {
                        n++;
                        hi += om.asDouble() > 0.5 + lam ? 1 : 0;
                        lo += om.asDouble() < 0.5 - lam ? 1 : 0;
                    }
                }
                mono.add(List.of(
                        d.model(),
                        e.getKey(),
                        f(lam, 4),
                        f(v.path(MonotonicityCodec.MEAN_OMEGA).asDouble(), 4),
                        pct(v.path(MonotonicityCodec.SHARE_ABOVE_HALF).asDouble()),
                        n == 0 ? "–" : pct(hi / (double) n) + " / " + pct(lo / (double) n),
                        v.path(MonotonicityCodec.FIG8)
                                        .path(MonotonicityCodec.IMAGES_ALL_ABOVE)
                                        .asText() + " / "
                                + v.path(MonotonicityCodec.FIG8)
                                        .path(MonotonicityCodec.IMAGES_ALL_BELOW)
                                        .asText(),
                        pct(v.path(MonotonicityCodec.KEPT_OVERALL).asDouble()),
                        Double.isNaN(k4)
                                ? "–"
                                : pct(k4) + " (‖δ‖₂ " + f(MonotonicityPlots.deltaNormAtAmplitude(j, 4.0), 0) + ")"));
            }
        }
        if (!mono.isEmpty()) {
            t.add(new Table(
                    "Near-monotonicity",
                    List.of(
                            "model",
                            "variant",
                            "λ (eq. 10)",
                            "mean Ω",
                            "Ω > 0.5",
                            "Ω > 0.5 + λ / Ω < 0.5 − λ",
                            "images all > 0.5 / none",
                            "class kept (all a)",
                            "class kept at a = 4"),
                    mono,
                    "a: amplitude of δ = a·u, u ~ U(0,1) per input element, in input units after preprocessing "
                            + "(Caffe: BGR 0–255 minus the mean). The paper's ‖δ‖ = 4 is read here as a = 4 (its norm "
                            + "and input scale are not stated; docs/results.md)."));
        }
        List<List<String>> prov = new ArrayList<>();
        for (ReportData d : data) {
            JsonNode p = null;
            for (JsonNode j : new JsonNode[] {d.graph(), d.algorithm1(), d.nulls(), d.active(), d.monotonicity()}) {
                if (j != null) {
                    p = j.path(Provenance.PROVENANCE);
                    break;
                }
            }
            if (p != null) {
                prov.add(List.of(
                        d.model(),
                        p.path(ModelIdentity.MODEL).path(ModelIdentity.SHA256).asText(),
                        p.path(ModelIdentity.MODEL).path(ModelIdentity.WEIGHTS).asText(),
                        p.path(Provenance.NNFRUST).asText(),
                        p.path(Provenance.GIT_COMMIT).asText()));
            }
        }
        t.add(new Table(
                "Provenance",
                List.of("model", "sha256", "weights", "nnfrust", "git commit"),
                prov,
                "Every JSON in the model folders carries its full provenance (command line, seeds, options, JDK, "
                        + "ONNX Runtime)."));
        return t;
    }

    private static String eps(JsonNode j) {
        if (j == null) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "%.6f; %.6f ± %.6f; %d × %s",
                j.path(FrustrationRestarts.EPSILON_BEST).asDouble(),
                j.path(FrustrationRestarts.EPSILON_MEAN).asDouble(),
                j.path(FrustrationRestarts.EPSILON_SD).asDouble(),
                j.path(FrustrationRestarts.RESTARTS).size(),
                j.path(FrustrationRestarts.SOLVER).asText());
    }

    static String f(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    static String sci(double v, int exp) {
        return String.format(Locale.ROOT, "%.3f", v / Math.pow(10, exp));
    }

    // ---------------------------------------------------------------- HTML

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String html(
            List<ReportData> data, List<Figure> across, List<List<Figure>> perModel, Map<Figure, String> png) {
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>nnfrust report: ")
                .append(esc(
                        String.join(", ", data.stream().map(ReportData::model).toList())))
                .append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:1500px;margin:1em auto;padding:0 1em;color:#222}\n")
                .append(
                        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append(
                        "text-align:right;font-size:14px}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\n")
                .append("figure{margin:1em 0 2em}figure img{max-width:100%;border:1px solid #ddd}")
                .append("figcaption{font-size:14px;margin-top:.3em}.note{font-size:13px;color:#555}\n")
                .append("</style>\n</head>\n<body>\n<h1>nnfrust report</h1>\n<p>Frustration and near-monotonicity of ")
                .append(esc(
                        String.join(", ", data.stream().map(ReportData::model).toList())))
                .append(
                        " (the protocol of <em>Computing frustration and near-monotonicity in deep neural networks</em>). ")
                .append("Every number and figure below is drawn from the JSON files next to this page; ")
                .append("<code>nnfrust report DIR</code> redraws it.</p>\n");
        for (Table t : tables(data)) {
            b.append("<h2>").append(esc(t.title())).append("</h2>\n<table>\n<tr>");
            t.header().forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
            b.append("</tr>\n");
            for (List<String> r : t.rows()) {
                b.append("<tr>");
                r.forEach(c -> b.append("<td>").append(esc(c)).append("</td>"));
                b.append("</tr>\n");
            }
            b.append("</table>\n<p class=\"note\">").append(esc(t.note())).append("</p>\n");
        }
        if (!across.isEmpty()) {
            b.append("<h2>Across networks</h2>\n");
            across.forEach(f -> figure(b, f, png.get(f)));
        }
        for (int i = 0; i < data.size(); i++) {
            if (perModel.get(i).isEmpty()) {
                continue;
            }
            b.append("<h2>").append(esc(data.get(i).model())).append("</h2>\n");
            perModel.get(i).forEach(f -> figure(b, f, png.get(f)));
        }
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    private static void figure(StringBuilder b, Figure f, String png) {
        b.append("<figure id=\"")
                .append(esc(f.id()))
                .append("\">\n<img alt=\"")
                .append(esc(f.caption()))
                .append("\" src=\"data:image/png;base64,")
                .append(png)
                .append("\">\n<figcaption>")
                .append(esc(f.caption()))
                .append(" <span class=\"note\">(figures/")
                .append(esc(f.id()))
                .append(".png, .svg)</span></figcaption>\n</figure>\n");
    }

    // ---------------------------------------------------------------- Markdown

    static String markdown(List<ReportData> data, List<Figure> across, List<List<Figure>> perModel) {
        StringBuilder b = new StringBuilder("# nnfrust report\n\n");
        b.append("Models: ")
                .append(String.join(", ", data.stream().map(ReportData::model).toList()))
                .append(". Drawn from the JSON files of each model folder by `nnfrust report`; figures in `figures/` ")
                .append("(PNG and SVG), the same page with figures embedded in `index.html`.\n\n");
        for (Table t : tables(data)) {
            b.append("## ").append(t.title()).append("\n\n|");
            t.header().forEach(h -> b.append(' ').append(h.replace("|", "\\|")).append(" |"));
            b.append("\n|");
            t.header().forEach(h -> b.append("---|"));
            b.append('\n');
            for (List<String> r : t.rows()) {
                b.append('|');
                r.forEach(c -> b.append(' ').append(c.replace("|", "\\|")).append(" |"));
                b.append('\n');
            }
            b.append('\n').append(t.note()).append("\n\n");
        }
        List<Figure> all = new ArrayList<>(across);
        perModel.forEach(all::addAll);
        if (!all.isEmpty()) {
            b.append("## Figures\n\n");
        }
        for (Figure f : all) {
            b.append("![")
                    .append(f.caption().replace("]", ")"))
                    .append("](figures/")
                    .append(f.id())
                    .append(".png)\n\n")
                    .append(f.caption())
                    .append("\n\n");
            for (String line : f.footer()) {
                b.append("    ").append(line).append('\n');
            }
            b.append('\n');
        }
        return b.toString();
    }
}
