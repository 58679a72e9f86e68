package io.nnfrust.cli;

import io.nnfrust.report.Report;
import io.nnfrust.report.TrackFigures;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nnfrust report DIR}: the HTML page, PNG/SVG figures and Markdown summary of a reproduce folder; or
 * {@code nnfrust report --track FILE... --out DIR}: the figure of training-track results against the epoch.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Draw the report of a 'nnfrust reproduce' folder from its JSON files alone: DIR/report/index.html "
                    + "(self-contained), DIR/report/figures/*.png and *.svg, DIR/report/summary.md. See docs/reproduce.md.",
            "With --track: draw 'nnfrust track' results (one line per file, e.g. one per seed) against the epoch "
                    + "into --out DIR: ID.png, ID.svg, ID.md. See docs/training.md."
        })
public final class ReportCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Parameters(
                paramLabel = "DIR",
                description = "The --out folder of 'nnfrust reproduce' (one subfolder per model).")
        Path dir;

        @Option(
                names = "--track",
                arity = "1..*",
                paramLabel = "FILE",
                description = "JSON results of 'nnfrust track' to draw together.")
        List<Path> track;
    }

    @Option(names = "--out", paramLabel = "DIR", description = "With --track: the folder of the figure and summary.")
    Path out;

    @Option(
            names = "--id",
            defaultValue = "track",
            description = "With --track: the file stem (default ${DEFAULT-VALUE}).")
    String id;

    @Option(
            names = "--title",
            defaultValue = "training track",
            description = "With --track: the title (default '${DEFAULT-VALUE}').")
    String title;

    @Override
    public Integer call() {
        if (source.track != null) {
            if (out == null) {
                throw new NnfrustException("--track needs --out DIR: the folder of the figure");
            }
            if (!id.matches("[A-Za-z0-9._-]+")) {
                throw new NnfrustException("--id '" + id + "' must be a plain file stem (letters, digits, . _ -)");
            }
            System.out.println("report: " + TrackFigures.write(out, id, title, source.track));
            return 0;
        }
        if (out != null) {
            throw new NnfrustException("--out is for --track; a reproduce report is written into DIR/report");
        }
        var w = Report.write(source.dir, System.err::println);
        System.out.println("report: " + w);
        return 0;
    }
}
