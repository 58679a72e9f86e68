package io.nnfrust.graph;

import java.util.function.IntBinaryOperator;

/**
 * Geometry of a sliding window (convolution or pooling) over one spatial plane: input H x W, output
 * Hout x Wout, kernel kh x kw, strides, dilations, and the top/left padding. Output position (oh, ow) and
 * tap (i, j) read input row {@code oh*strideH + i*dilationH - padTop}; taps that fall outside the input
 * (padding, or beyond the edge for ceil-mode pooling) are not edges.
 */
public final class WindowGeometry {
    public final int inHeight, inWidth, outHeight, outWidth;
    public final int kernelHeight, kernelWidth;
    public final int strideHeight, strideWidth;
    public final int dilationHeight, dilationWidth;
    public final int padTop, padLeft;
    private final int[] rowFirst, rowLast, colFirst, colLast;
    private final long validTaps;

    public WindowGeometry(
            int inHeight,
            int inWidth,
            int outHeight,
            int outWidth,
            int kernelHeight,
            int kernelWidth,
            int strideHeight,
            int strideWidth,
            int dilationHeight,
            int dilationWidth,
            int padTop,
            int padLeft) {
        if (inHeight <= 0
                || inWidth <= 0
                || outHeight <= 0
                || outWidth <= 0
                || kernelHeight <= 0
                || kernelWidth <= 0
                || strideHeight <= 0
                || strideWidth <= 0
                || dilationHeight <= 0
                || dilationWidth <= 0) {
            throw new IllegalArgumentException("bad window geometry: in " + inHeight + "x" + inWidth + " out "
                    + outHeight + "x" + outWidth + " kernel " + kernelHeight + "x" + kernelWidth);
        }
        this.inHeight = inHeight;
        this.inWidth = inWidth;
        this.outHeight = outHeight;
        this.outWidth = outWidth;
        this.kernelHeight = kernelHeight;
        this.kernelWidth = kernelWidth;
        this.strideHeight = strideHeight;
        this.strideWidth = strideWidth;
        this.dilationHeight = dilationHeight;
        this.dilationWidth = dilationWidth;
        this.padTop = padTop;
        this.padLeft = padLeft;
        rowFirst = new int[kernelHeight];
        rowLast = new int[kernelHeight];
        colFirst = new int[kernelWidth];
        colLast = new int[kernelWidth];
        long rows = 0, cols = 0;
        for (int i = 0; i < kernelHeight; i++) {
            int shift = i * dilationHeight - padTop;
            rowFirst[i] = firstValid(shift, strideHeight, inHeight, outHeight);
            rowLast[i] = lastValid(shift, strideHeight, inHeight, outHeight);
            rows += Math.max(0, rowLast[i] - rowFirst[i] + 1);
        }
        for (int j = 0; j < kernelWidth; j++) {
            int shift = j * dilationWidth - padLeft;
            colFirst[j] = firstValid(shift, strideWidth, inWidth, outWidth);
            colLast[j] = lastValid(shift, strideWidth, inWidth, outWidth);
            cols += Math.max(0, colLast[j] - colFirst[j] + 1);
        }
        validTaps = rows * cols;
    }

    /** Smallest o in [0, out) with 0 <= o*stride + shift < in; may exceed lastValid when none. */
    private static int firstValid(int shift, int stride, int in, int out) {
        int o = shift >= 0 ? 0 : Math.floorDiv(-shift + stride - 1, stride);
        return Math.min(o, out);
    }

    private static int lastValid(int shift, int stride, int in, int out) {
        int o = Math.floorDiv(in - 1 - shift, stride);
        return Math.min(o, out - 1);
    }

    /**
     * Tap tables for per-node enumeration, built on first use: for each input row, the pairs (tap row i, output
     * row) with outRow(inRow, i) valid; for each output row, the pairs (i, input row) inside the input; the same
     * for columns. Layout: entries of position p at [p*k, p*k + count[p]).
     */
    public static final class TapTable {
        public final int[] count, tap, position;
        public final int stride;

        TapTable(int positions, int k) {
            count = new int[positions];
            tap = new int[positions * k];
            position = new int[positions * k];
            stride = k;
        }

        void add(int p, int t, int pos) {
            int at = p * stride + count[p]++;
            tap[at] = t;
            position[at] = pos;
        }
    }

    private TapTable inRows, inCols, outRows, outCols;

    /** Pairs (tap, map(p, tap)) for every position p and tap where map gives a value in [0, limit). */
    private static TapTable table(int positions, int taps, IntBinaryOperator map, int limit) {
        TapTable t = new TapTable(positions, taps);
        for (int p = 0; p < positions; p++) {
            for (int k = 0; k < taps; k++) {
                int q = map.applyAsInt(p, k);
                if (q >= 0 && q < limit) {
                    t.add(p, k, q);
                }
            }
        }
        return t;
    }

    /** For each input row: (tap row, output row) pairs. */
    public synchronized TapTable outputRowsOfInputRow() {
        if (outRows == null) {
            outRows = table(inHeight, kernelHeight, this::outRow, outHeight);
        }
        return outRows;
    }

    /** For each input column: (tap column, output column) pairs. */
    public synchronized TapTable outputColsOfInputCol() {
        if (outCols == null) {
            outCols = table(inWidth, kernelWidth, this::outCol, outWidth);
        }
        return outCols;
    }

    /** For each output row: (tap row, input row) pairs inside the input. */
    public synchronized TapTable inputRowsOfOutputRow() {
        if (inRows == null) {
            inRows = table(outHeight, kernelHeight, this::inRow, inHeight);
        }
        return inRows;
    }

    /** For each output column: (tap column, input column) pairs inside the input. */
    public synchronized TapTable inputColsOfOutputCol() {
        if (inCols == null) {
            inCols = table(outWidth, kernelWidth, this::inCol, inWidth);
        }
        return inCols;
    }

    /** First output row whose tap row {@code i} falls inside the input. */
    public int rowFirst(int i) {
        return rowFirst[i];
    }

    public int rowLast(int i) {
        return rowLast[i];
    }

    public int colFirst(int j) {
        return colFirst[j];
    }

    public int colLast(int j) {
        return colLast[j];
    }

    /** Number of (output position, tap) pairs that read a real input element, for one channel pair. */
    public long validTapCount() {
        return validTaps;
    }

    /** Number of output positions at which tap (i, j) is valid. */
    public long validPositions(int i, int j) {
        return (long) Math.max(0, rowLast[i] - rowFirst[i] + 1) * Math.max(0, colLast[j] - colFirst[j] + 1);
    }

    public int inRow(int outRow, int i) {
        return outRow * strideHeight + i * dilationHeight - padTop;
    }

    public int inCol(int outCol, int j) {
        return outCol * strideWidth + j * dilationWidth - padLeft;
    }

    /**
     * Output row reached from input row {@code inRow} through tap row {@code i}, or -1 when the stride does not
     * land on it or it lies outside the output.
     */
    public int outRow(int inRow, int i) {
        int t = inRow + padTop - i * dilationHeight;
        if (t < 0 || t % strideHeight != 0) {
            return -1;
        }
        int o = t / strideHeight;
        return o < outHeight ? o : -1;
    }

    public int outCol(int inCol, int j) {
        int t = inCol + padLeft - j * dilationWidth;
        if (t < 0 || t % strideWidth != 0) {
            return -1;
        }
        int o = t / strideWidth;
        return o < outWidth ? o : -1;
    }

    /**
     * One output-size rule for ONNX Conv and pooling: floor (or ceil) of (in + pads - effective kernel) / stride,
     * plus one; in ceil mode the last window is dropped when it would start inside the end padding (as PyTorch
     * and ONNX Runtime do).
     */
    public static int outputSize(int in, int kernel, int stride, int dilation, int padBegin, int padEnd, boolean ceil) {
        int effective = (kernel - 1) * dilation + 1;
        int span = in + padBegin + padEnd - effective;
        if (span < 0) {
            return 0;
        }
        int out = (ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + padBegin) {
            out--;
        }
        return out;
    }
}
