package io.nnfrust.graph;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * Explicit compressed-sparse-row form of A (row i = edges into node i), for small graphs, tests and export.
 * Parallel edges (the same pair used twice) are kept as separate entries, so the entry count equals the edge
 * count of the matrix-free graph.
 */
public final class CsrMatrix {
    public final int n;
    public final int[] rowStart;
    public final int[] column;
    public final double[] value;

    private CsrMatrix(int n, int[] rowStart, int[] column, double[] value) {
        this.n = n;
        this.rowStart = rowStart;
        this.column = column;
        this.value = value;
    }

    /** Materialises A; refuses graphs with more than {@code Integer.MAX_VALUE - 8} edges. */
    public static CsrMatrix of(SignedGraph graph) {
        long edges = graph.edgeCount();
        if (edges > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("graph has " + edges + " edges, too many for an explicit matrix");
        }
        int n = graph.nodeCount();
        int[] start = new int[n + 1];
        graph.forEachEdge((src, dst, w) -> start[dst + 1]++);
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = start.clone();
        int[] col = new int[(int) edges];
        double[] val = new double[(int) edges];
        // in-edges of a node come in a fixed order per block, so filling row by row is deterministic
        graph.forEachEdge((src, dst, w) -> {
            int k = fill[dst]++;
            col[k] = src;
            val[k] = w;
        });
        return new CsrMatrix(n, start, col, val);
    }

    public int entryCount() {
        return rowStart[n];
    }

    /** y += A x. */
    public void multiply(double[] x, double[] y) {
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                s += value[k] * x[column[k]];
            }
            y[i] += s;
        }
    }

    /** y += A^T x. */
    public void multiplyTranspose(double[] x, double[] y) {
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                y[column[k]] += value[k] * xi;
            }
        }
    }

    /**
     * Matrix Market coordinate form: {@code %%MatrixMarket matrix coordinate real general}, one line
     * {@code i j A_ij} per edge with 1-based row i = target and column j = source.
     */
    public void writeMatrixMarket(Writer out) throws IOException {
        BufferedWriter w = out instanceof BufferedWriter bw ? bw : new BufferedWriter(out);
        w.write("%%MatrixMarket matrix coordinate real general\n");
        w.write("% nnfrust signed graph: entry (i, j) is the weight of edge j -> i\n");
        w.write(n + " " + n + " " + entryCount() + "\n");
        for (int i = 0; i < n; i++) {
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++) {
                w.write((i + 1) + " " + (column[k] + 1) + " " + String.format(Locale.ROOT, "%.9g", value[k]) + "\n");
            }
        }
        w.flush();
    }
}
