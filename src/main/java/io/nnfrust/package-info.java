/**
 * nnfrust: the frustration and near-monotonicity of deep neural networks as signed graphs.
 *
 * <p>The reference for the whole library, cited here once in full: J. Wendin, E. G. Larsson and C. Altafini,
 * <i>Computing frustration and near-monotonicity in deep neural networks</i>, 2025 (the text nnfrust implements is
 * kept at {@code ../shared/paper/frustration-near-monotonicity-dnn.md}). Elsewhere the Javadoc cites it as "the paper"
 * with its section (Methods, Results, SI B–D) and equation numbers: e(s) is Eq. (1), ε Eq. (2), the symmetrised form
 * Eq. (3), the signed graph of a CNN SI D, Algorithm 1 SI B.
 *
 * <p>The packages are layers, each importing only those below it (docs/architecture.md, checked by
 * {@code ArchitectureTest}); the Java API as a short program is docs/library.md.
 */
package io.nnfrust;
