package io.nnfrust.model;

/**
 * How a model becomes a signed graph.
 *
 * @param inputHeight override of the input height (0: use the model's static shape)
 * @param inputWidth  override of the input width (0: use the model's static shape)
 * @param add         residual Add convention
 * @param poolWeight  pooling edge weight rule
 */
public record ImportOptions(int inputHeight, int inputWidth, AddConvention add, PoolWeightRule poolWeight) {
    public static final ImportOptions DEFAULT = new ImportOptions(0, 0, AddConvention.MERGE, PoolWeightRule.GEOMETRIC);

    public ImportOptions {
        if (inputHeight < 0 || inputWidth < 0 || (inputHeight == 0) != (inputWidth == 0)) {
            throw new io.nnfrust.util.NnfrustException("--input-size needs two positive numbers H W");
        }
    }

    public boolean overridesInput() {
        return inputHeight > 0;
    }

    public ImportOptions withInputSize(int h, int w) {
        return new ImportOptions(h, w, add, poolWeight);
    }

    public ImportOptions withAdd(AddConvention a) {
        return new ImportOptions(inputHeight, inputWidth, a, poolWeight);
    }
}
