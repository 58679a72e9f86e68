package io.nnfrust.cli;

import io.nnfrust.reproduce.ExperimentJob;
import io.nnfrust.reproduce.ExperimentRunner;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.List;

/**
 * The experiment steps of {@code nnfrust reproduce}, run as their command line in this process; they print their
 * summaries. The one remaining use of {@link Main#runInProcess}.
 */
// issue 23: switched to the typed studies at integration
final class InProcessExperimentRunner implements ExperimentRunner {
    private final boolean quiet;

    /** With {@code quiet} the experiments print no progress. */
    InProcessExperimentRunner(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void run(ExperimentJob job, boolean noNewWork) {
        // issue 23: switched to the typed studies at integration
        List<String> args = new ArrayList<>(job.args());
        if (noNewWork) {
            args.add("--no-new-work");
        }
        if (quiet) {
            args.add("--quiet");
        }
        int rc = Main.runInProcess(args, false);
        if (rc != 0) {
            throw new NnfrustException("exit " + rc);
        }
    }
}
