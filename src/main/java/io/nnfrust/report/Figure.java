package io.nnfrust.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One figure of a report: one or more chart panels in a grid (each panel with its own axes), and footer lines that
 * name the model, the counts, the seeds and the command that made the data. Rendered to PNG and SVG from the same
 * drawing calls; both are deterministic (no time stamps), so a figure redrawn from the same JSON is byte-identical.
 *
 * @param id      the file stem (e.g. {@code squeezenet1.1-caffe-fig3-omega})
 * @param caption the caption of the HTML and Markdown pages
 * @param panels  the charts, drawn in a grid of {@code columns}
 * @param footer  the lines under the panels
 */
public record Figure(
        String id,
        String caption,
        List<? extends Chart<?, ?>> panels,
        int columns,
        int panelWidth,
        int panelHeight,
        List<String> footer) {
    private static final int LINE = 16;
    private static final Font FOOTER = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    public Figure {
        panels = List.copyOf(panels);
        footer = wrap(footer, Math.max(60, Math.min(columns, panels.size()) * panelWidth / 7));
    }

    int width() {
        return Math.min(columns, panels.size()) * panelWidth;
    }

    int height() {
        int rows = (panels.size() + columns - 1) / columns;
        return rows * panelHeight + footer.size() * LINE + 12;
    }

    private void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        for (int i = 0; i < panels.size(); i++) {
            int x = (i % columns) * panelWidth, y = (i / columns) * panelHeight;
            Graphics2D p = (Graphics2D) g.create();
            p.translate(x, y);
            p.setClip(0, 0, panelWidth, panelHeight);
            panels.get(i).paint(p, panelWidth, panelHeight);
            p.dispose();
        }
        g.setColor(new Color(0x33, 0x33, 0x33));
        g.setFont(FOOTER);
        int y0 = ((panels.size() + columns - 1) / columns) * panelHeight + LINE;
        for (int k = 0; k < footer.size(); k++) {
            g.drawString(footer.get(k), 8, y0 + k * LINE);
        }
    }

    /** The PNG bytes. */
    public byte[] png() {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width(), height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        paint(g);
        g.dispose();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** The SVG bytes. */
    public byte[] svg() {
        System.setProperty("java.awt.headless", "true");
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            new SVGProcessor()
                    .getDocument(g.getCommands(), new PageSize(0, 0, width(), height()))
                    .writeTo(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** Breaks long footer lines at spaces so that each fits the figure's width. */
    static List<String> wrap(List<String> lines, int max) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String rest = line;
            while (rest.length() > max) {
                int cut = rest.lastIndexOf(' ', max);
                if (cut <= max / 3) {
                    cut = max;
                }
                out.add(rest.substring(0, cut));
                rest = "    " + rest.substring(cut).trim();
            }
            out.add(rest);
        }
        return List.copyOf(out);
    }
}
