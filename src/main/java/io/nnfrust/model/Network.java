package io.nnfrust.model;

import io.nnfrust.graph.SignedGraph;
import java.util.List;

/**
 * An imported network: its signed graph plus what later work needs to relate graph nodes to tensors.
 *
 * @param name        model name (file name or zoo spec)
 * @param source      where it came from: a file path or a zoo spec
 * @param sha256      SHA-256 of the model file bytes (for zoo models, of the generated ONNX bytes)
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
        String source,
        String sha256,
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
        ImportReport report) {}
