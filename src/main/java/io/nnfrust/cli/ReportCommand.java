package io.nnfrust.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code nnfrust report DIR}: the HTML page, PNG/SVG figures and Markdown summary of a reproduce folder. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Draw the report of a 'nnfrust reproduce' folder from its JSON files alone: DIR/report/index.html "
                + "(self-contained), DIR/report/figures/*.png and *.svg, DIR/report/summary.md. See docs/reproduce.md."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The --out folder of 'nnfrust reproduce' (one subfolder per model).")
    Path dir;

    @Override
    public Integer call() {
        var w = io.nnfrust.report.Report.write(dir, System.err::println);
        System.out.println("report: " + w);
        return 0;
    }
}
