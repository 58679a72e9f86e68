package io.nnfrust.experiment;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.model.Network;
import io.nnfrust.monotonicity.Variant;

/**
 * One network with one input/output order, as the near-monotonicity engine runs it. A null {@code sx} or {@code sy}
 * is drawn per image: i.i.d. ±1 signs from the image's order seed, first the n₀ input signs, then the n_h output
 * signs (so the random parts of random-order, random-input and random-output are the same draws).
 *
 * @param epsilon    ε of the spins the order comes from (NaN for a random order)
 * @param provenance where the order comes from (the "order" of a result)
 */
public record OrderedNetwork(
        Variant variant, ModelProto model, Network network, byte[] sx, byte[] sy, double epsilon, String provenance) {
    /** The variant's label. */
    public String name() {
        return variant.label();
    }
}
