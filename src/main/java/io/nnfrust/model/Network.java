package io.nnfrust.model;

import io.nnfrust.graph.SignedGraph;
import java.util.List;
import java.util.Objects;

/**
 * An imported network: its signed graph plus what later work needs to relate graph nodes to tensors.
 *
 * @param name        model name (file name, canonical zoo spec, or for an N3 null network its parent's name with
 *                    {@code #N3-<init>-<seed>})
 * @param origin      where it came from (file, zoo, N3 null network, in memory) and the SHA-256 of its ONNX bytes
 * @param graph       the signed graph A
 * @param layers      per-layer rows (input first)
 * @param parameters  learnable parameters counted as in Table 1
 * @param inputName   ONNX input tensor name
 * @param inputShape  input shape including batch (batch 1)
 * @param inputNodes  node of each input element (C-order)
 * @param outputName  ONNX output tensor name the output nodes belong to (logits: a trailing Softmax is skipped)
 * @param outputNodes node of each output element (C-order)
 * @param options     import options used
 * @param probes      the ReLU outputs and max-pooling inputs, for the active subnetwork of an input
 * @param weights     where each convolution and dense block's weights live in the ONNX model
 * @param report      what the import folded, copied or kept (constant folding, BatchNorm convention)
 */
public record Network(
        String name,
        ModelOrigin origin,
        SignedGraph graph,
        List<LayerInfo> layers,
        long parameters,
        String inputName,
        int[] inputShape,
        int[] inputNodes,
        String outputName,
        int[] outputNodes,
        ImportOptions options,
        List<StateProbe> probes,
        List<WeightBinding> weights,
        ImportReport report) {

    public Network {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
    }

    /** The model as the user named it (a file path or a zoo spec): {@link ModelOrigin#source()}. */
    public String source() {
        return origin.source();
    }

    /** SHA-256 of the ONNX bytes the graph was imported from: {@link ModelOrigin#sha256()}. */
    public String sha256() {
        return origin.sha256();
    }
}
