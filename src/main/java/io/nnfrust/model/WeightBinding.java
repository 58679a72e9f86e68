package io.nnfrust.model;

/**
 * Where the weights of one convolution or dense block of the graph live in the ONNX model, so that weights
 * changed on the graph (a null model) can be written back for inference ({@code onnx.WeightWriter}).
 *
 * @param block      index of the block in {@code graph.blocks()}
 * @param tensor     name of the ONNX tensor holding the weights (an initializer or a Constant node's value)
 * @param transposed for a dense block: the tensor stores the matrix [in][out] (block weight (o, k) is tensor
 *                   element k·out + o); otherwise (convolutions, and dense tensors stored [out][in]) the tensor
 *                   elements are the block weights in order
 * @param alpha      the Gemm {@code alpha} folded into the block weights (block weight = alpha · tensor element)
 * @param bias       name of the bias tensor of the layer, or null when it has none
 * @param channelScale per output channel, the factor folded into the block weights (a BatchNorm's
 *                   γ/√(σ²+ε), {@code --batchnorm fold}); null when none. Block weight = alpha · scale · element.
 */
public record WeightBinding(
        int block, String tensor, boolean transposed, float alpha, String bias, float[] channelScale) {
    public WeightBinding(int block, String tensor, boolean transposed, float alpha, String bias) {
        this(block, tensor, transposed, alpha, bias, null);
    }

    public WeightBinding withChannelScale(float[] scale) {
        return new WeightBinding(block, tensor, transposed, alpha, bias, scale);
    }
}
