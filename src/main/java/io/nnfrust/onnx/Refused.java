package io.nnfrust.onnx;

/**
 * Operators outside the paper's model (SI D: weight layers, pooling, monotone node-wise activations, residual
 * sums), each with the reason shown to the user. Anything neither converted nor listed here is "unsupported".
 */
final class Refused {
    private Refused() {}

    static void register(OperatorRegistry r) {
        r.refuse(
                "HardSwish",
                "HardSwish x·relu6(x+3)/6 is a multiplicative gate and is not monotone (it decreases "
                        + "for x < -1.5)");
        r.refuse("Gelu", "GELU x·Φ(x) is a multiplicative gate and is not monotone");
        r.refuse("Mish", "Mish x·tanh(softplus(x)) is a multiplicative gate and is not monotone");
        r.refuse(
                "LayerNormalization",
                "LayerNorm divides by statistics of the whole layer computed from the input, "
                        + "not a node-wise function");
        r.refuse(
                "InstanceNormalization",
                "InstanceNorm divides by statistics of each channel computed from the "
                        + "input, not a node-wise function");
        r.refuse(
                "GroupNormalization",
                "GroupNorm divides by statistics computed from the input, not a node-wise " + "function");
        r.refuse("Attention", "attention multiplies activations with each other");
        r.refuse("Einsum", "Einsum may multiply activations with each other");
        r.refuse("LSTM", "recurrent layers are outside the paper's feed-forward model");
        r.refuse("GRU", "recurrent layers are outside the paper's feed-forward model");
        r.refuse("RNN", "recurrent layers are outside the paper's feed-forward model");
        r.refuse("ConvTranspose", "transposed convolutions are not implemented");
        r.refuse("Resize", "resizing/upsampling is not implemented");
        r.refuse("Upsample", "upsampling is not implemented");
        r.refuse("Abs", "Abs is not monotone");
        r.refuse("Neg", "Neg is decreasing, not a monotone non-decreasing activation");
        r.refuse("ReduceMax", "only ReduceMean/ReduceSum over the spatial axes (global pooling) are supported");
    }
}
