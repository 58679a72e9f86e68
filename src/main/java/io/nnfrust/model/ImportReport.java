package io.nnfrust.model;

/**
 * What the importer did besides building blocks, so that every output can say it.
 *
 * @param opset              the model's default-domain opset
 * @param producer           producer name and version written in the model (e.g. "pytorch 2.1.0")
 * @param foldedNodes        constant-only nodes evaluated at import time (shape arithmetic, Identity of weights)
 * @param batchNormsFolded   BatchNormalizations folded into the weights of the layer they follow
 * @param batchNormsOnNodes  BatchNormalizations acting on nodes (paper's reading, or not foldable)
 * @param copies             activations copied into a node set of their own (weight-1 edges), because a
 *                           convolution or pooling read them in an order that is neither whole channel planes
 *                           nor one rectangular window of them (a crop is read in place and not counted)
 */
public record ImportReport(
        int opset, String producer, int foldedNodes, int batchNormsFolded, int batchNormsOnNodes, int copies) {}
