package io.nnfrust.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/**
 * How a model becomes a signed graph.
 *
 * @param inputHeight override of the input height (0: use the model's static shape)
 * @param inputWidth  override of the input width (0: use the model's static shape)
 * @param add         residual Add convention
 * @param poolWeight  pooling edge weight rule
 * @param batchNorm   BatchNormalization convention (fold into the producing layer, or act on nodes)
 */
public record ImportOptions(
        int inputHeight, int inputWidth, AddConvention add, PoolWeightRule poolWeight, BatchNormConvention batchNorm) {
    public static final ImportOptions DEFAULT =
            new ImportOptions(0, 0, AddConvention.MERGE, PoolWeightRule.GEOMETRIC, BatchNormConvention.FOLD);

    public ImportOptions {
        if (add == null || poolWeight == null || batchNorm == null) {
            throw new IllegalArgumentException("null import option");
        }
        if (inputHeight < 0 || inputWidth < 0 || (inputHeight == 0) != (inputWidth == 0)) {
            throw new NnfrustException("--input-size needs two positive numbers H W");
        }
    }

    /**
     * The options as a JSON object with the command-line spellings ({@code inputHeight}, {@code inputWidth}: 0 =
     * the model's own size; {@code add}, {@code poolWeight}, {@code batchNorm}: lower case). Part of every
     * checkpoint header and provenance block.
     */
    public ObjectNode toJson(ObjectMapper m) {
        var o = m.createObjectNode();
        o.put("inputHeight", inputHeight);
        o.put("inputWidth", inputWidth);
        o.put("add", add.name().toLowerCase(Locale.ROOT));
        o.put("poolWeight", poolWeight.name().toLowerCase(Locale.ROOT));
        o.put("batchNorm", batchNorm.name().toLowerCase(Locale.ROOT));
        return o;
    }

    public boolean overridesInput() {
        return inputHeight > 0;
    }

    public ImportOptions withInputSize(int h, int w) {
        return new ImportOptions(h, w, add, poolWeight, batchNorm);
    }

    public ImportOptions withAdd(AddConvention a) {
        return new ImportOptions(inputHeight, inputWidth, a, poolWeight, batchNorm);
    }

    public ImportOptions withBatchNorm(BatchNormConvention b) {
        return new ImportOptions(inputHeight, inputWidth, add, poolWeight, b);
    }
}
