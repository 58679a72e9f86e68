package io.nnfrust.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.report.Figure;
import io.nnfrust.report.MonotonicityPlots;
import io.nnfrust.testing.SmallOnnx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

/**
 * The report of a small reproduce run (no ../shared needed): every figure in HTML, PNG and SVG; byte-identical when
 * redrawn; nothing external; the figure defects of the first plots fixed (Fig. 3 one panel and y scale per variant,
 * Fig. 8 legend outside the plot, decimals with a leading zero).
 */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    void reportOfASmallRunHasEveryFigureAndRedrawsIdentically() throws Exception {
        Path model = dir.resolve("net.onnx");
        Files.write(model, SmallOnnx.network(8).toByteArray());
        Path images = SmallOnnx.images(dir.resolve("imgs"), 4, 2);
        Path out = dir.resolve("run");
        CliRun.Outcome o = CliRun.run(
                "reproduce",
                model.toString(),
                "--preset",
                "quick",
                "--images",
                images.toString(),
                "--preprocess",
                "raw",
                "--resize",
                "8",
                "--active-images",
                "3",
                "--monotonicity-images",
                "4",
                "--perturbations",
                "5",
                "--threads",
                "1",
                "--out",
                out.toString(),
                "--quiet");
        assertEquals(0, o.code(), o.err());
        Path figures = out.resolve("report").resolve("figures");
        List<Path> png;
        try (var s = Files.list(figures)) {
            png = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(ReproduceCommandTest.FIGURES, png.size(), png.toString());
        String html = Files.readString(out.resolve("report").resolve("index.html"));
        ReproduceCommandTest.assertNoExternalReference(html);
        byte[] first = Files.readAllBytes(png.get(0));
        byte[] svg = Files.readAllBytes(Path.of(png.get(0).toString().replace(".png", ".svg")));
        assertEquals(0, CliRun.run("report", out.toString()).code());
        assertArrayEquals(first, Files.readAllBytes(png.get(0)));
        assertArrayEquals(svg, Files.readAllBytes(Path.of(png.get(0).toString().replace(".png", ".svg"))));
        assertArrayEquals(
                html.getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(out.resolve("report").resolve("index.html")));

        var mono = new ObjectMapper()
                .readTree(out.resolve("net").resolve("monotonicity.json").toFile());
        List<Figure> f = MonotonicityPlots.figures("", "net", mono, 5);
        Figure fig3 = f.get(0);
        assertEquals(3, fig3.panels().size(), "one panel per variant: real, random-order, N3");
        assertNotEquals(fig3.panels().get(0), fig3.panels().get(1));
        for (var p : fig3.panels()) {
            assertEquals(null, ((XYChart) p).getStyler().getYAxisMax(), "each panel scales its own y axis");
        }
        XYChart fig8 = (XYChart) f.get(3).panels().get(0);
        assertEquals(Styler.LegendPosition.OutsideS, fig8.getStyler().getLegendPosition(), "legend off the points");
        assertEquals(
                "0.05",
                new DecimalFormat(
                                fig8.getStyler().getYAxisDecimalPattern(),
                                DecimalFormatSymbols.getInstance(Locale.ROOT))
                        .format(0.05));
        assertTrue(
                f.stream()
                        .allMatch(x -> x.footer().stream().anyMatch(l -> l.startsWith("command: nnfrust experiment"))),
                "every figure names the command that made its data");
    }
}
