package io.nnfrust.cli;

import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.PoolWeightRule;
import io.nnfrust.util.NnfrustException;
import picocli.CommandLine.Option;

/** Options shared by every command that imports a model. */
public final class ModelOptions {
    @Option(
            names = "--input-size",
            arity = "2",
            paramLabel = "N",
            description = "Input height and width (overrides the model's static shape; required for dynamic shapes).")
    int[] inputSize;

    @Option(
            names = "--add",
            paramLabel = "merge|node",
            defaultValue = "merge",
            description =
                    "Residual Add convention: merge (paper, default) or node (own node set). See docs/conventions.md.")
    String add;

    @Option(
            names = "--pool-weight",
            paramLabel = "geometric|max",
            defaultValue = "geometric",
            description =
                    "Side p of a kh x kw pooling window for its edge weight 0.01/p: geometric = sqrt(kh*kw) (default) or max = max(kh,kw).")
    String poolWeight;

    @Option(
            names = "--batchnorm",
            paramLabel = "fold|node",
            defaultValue = "fold",
            description =
                    "BatchNormalization: fold (default: gamma/sqrt(var+eps) multiplies the weights of the layer it follows, as PyTorch's eval export does) or node (the paper: a positive scale on nodes, weights untouched). See docs/conventions.md.")
    String batchNorm;

    public ImportOptions toImportOptions() {
        int h = 0, w = 0;
        if (inputSize != null) {
            h = inputSize[0];
            w = inputSize[1];
            if (h <= 0 || w <= 0) {
                throw new NnfrustException("--input-size needs two positive numbers, got " + h + " " + w);
            }
        }
        return new ImportOptions(
                h, w, AddConvention.parse(add), PoolWeightRule.parse(poolWeight), BatchNormConvention.parse(batchNorm));
    }
}
