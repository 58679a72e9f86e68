package io.nnfrust.reproduce;

import io.nnfrust.experiment.GraphSummary;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The graph stage: the graph summary of one model (Table 1 of the paper, {@link GraphSummary}) written to
 * {@code output}; the command line is {@code nnfrust info MODEL ... --output FILE}.
 *
 * @param model         zoo:NAME or an .onnx file
 * @param importOptions how the model becomes a signed graph
 * @param output        the JSON file
 */
public record GraphInfoJob(String model, ImportOptions importOptions, Path output) implements Stage.Step {
    public GraphInfoJob {
        if (model == null || importOptions == null || output == null) {
            throw new NnfrustException("model, importOptions and output of a graph job must not be null");
        }
    }

    @Override
    public List<String> args() {
        List<String> a = new ArrayList<>(List.of("info", model));
        a.addAll(ImportArgs.of(importOptions));
        a.addAll(List.of("--output", output.toString()));
        return a;
    }

    @Override
    public boolean onceOnly() {
        return false;
    }

    /** Imports the model and writes its summary. */
    public void run() {
        GraphSummary.of(model, importOptions).write(output);
    }
}
