package io.nnfrust.graph;

import java.util.function.IntBinaryOperator;

/**
 * Geometry of a sliding window (convolution or pooling) over one spatial plane: input H x W, output
 * Hout x Wout, kernel kh x kw, strides, dilations, and the top/left padding. Output position (oh, ow) and
 * tap (i, j) read input row {@code oh*strideH + i*dilationH - padTop}; taps that fall outside the input
 * (padding, or beyond the edge for ceil-mode pooling) are not edges.
 *
 * <p><b>Input window (a crop read as a view).</b> The input H x W ({@link #inHeight} x {@link #inWidth}) may be a
 * rectangular window of a larger stored plane of {@link #planeHeight} x {@link #planeWidth} nodes, from row
 * {@link #rowOffset} and column {@link #colOffset} (a spatial {@code Slice} read by a convolution or pooling,
 * docs/conventions.md "Views make no nodes"). All padding and valid-tap logic is in window coordinates; input
 * element (r, c) of the window is element {@link #inputOffset}{@code (r, c) = (rowOffset + r) * planeWidth +
 * colOffset + c} of the stored plane. Without a window (the constructor) the plane is the input itself and
 * {@code inputOffset(r, c) = r * inWidth + c}.
 */
public final class WindowGeometry {
    public final int inHeight, inWidth, outHeight, outWidth;
    public final int kernelHeight, kernelWidth;
    public final int strideHeight, strideWidth;
    public final int dilationHeight, dilationWidth;
    public final int padTop, padLeft;
    /** The stored input plane the window lies in: {@code inHeight x inWidth} when there is no crop. */
    public final int planeHeight, planeWidth;
    /** Top-left corner of the input window in the stored plane: 0, 0 when there is no crop. */
    public final int rowOffset, colOffset;

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
        this(
                inHeight,
                inWidth,
                outHeight,
                outWidth,
                kernelHeight,
                kernelWidth,
                strideHeight,
                strideWidth,
                dilationHeight,
                dilationWidth,
                padTop,
                padLeft,
                inHeight,
                inWidth,
                0,
                0);
    }

    private WindowGeometry(
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
            int padLeft,
            int planeHeight,
            int planeWidth,
            int rowOffset,
            int colOffset) {
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
        if (rowOffset < 0
                || colOffset < 0
                || (long) rowOffset + inHeight > planeHeight
                || (long) colOffset + inWidth > planeWidth) {
            throw new IllegalArgumentException("bad input window: " + inHeight + "x" + inWidth + " at (" + rowOffset
                    + ", " + colOffset + ") of a " + planeHeight + "x" + planeWidth + " plane");
        }
        this.planeHeight = planeHeight;
        this.planeWidth = planeWidth;
        this.rowOffset = rowOffset;
        this.colOffset = colOffset;
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

    /**
     * The same window operator reading its {@link #inHeight} x {@link #inWidth} input as the window from row
     * {@code rowOffset}, column {@code colOffset} of a stored {@code planeHeight x planeWidth} plane (a crop read
     * as a view): the same taps, edges and weights, other input nodes. With offsets 0 and the plane equal to the
     * input, the result equals this geometry.
     */
    public WindowGeometry withInputWindow(int rowOffset, int colOffset, int planeHeight, int planeWidth) {
        return new WindowGeometry(
                inHeight,
                inWidth,
                outHeight,
                outWidth,
                kernelHeight,
                kernelWidth,
                strideHeight,
                strideWidth,
                dilationHeight,
                dilationWidth,
                padTop,
                padLeft,
                planeHeight,
                planeWidth,
                rowOffset,
                colOffset);
    }

    /** True when the input is a proper window of a larger stored plane (a crop read as a view). */
    public boolean cropped() {
        return planeHeight != inHeight || planeWidth != inWidth;
    }

    /** Number of nodes of one stored input plane ({@code planeHeight * planeWidth}). */
    public int planeSize() {
        return planeHeight * planeWidth;
    }

    /**
     * Offset in the stored input plane of window element (row, col); linear in both, so also right for the row
     * start {@code inputOffset(r, c0)} with a negative (padding) column c0 that a strided loop then steps past.
     */
    public int inputOffset(int row, int col) {
        return (rowOffset + row) * planeWidth + colOffset + col;
    }

    /** Offset of window element (0, 0) in the stored plane. */
    public int windowOrigin() {
        return rowOffset * planeWidth + colOffset;
    }

    /** Window row of stored-plane offset {@code offsetInPlane}, or -1 when it lies outside the window. */
    public int windowRow(int offsetInPlane) {
        int r = offsetInPlane / planeWidth - rowOffset, c = offsetInPlane % planeWidth - colOffset;
        return r >= 0 && r < inHeight && c >= 0 && c < inWidth ? r : -1;
    }

    /** Window column of stored-plane offset {@code offsetInPlane}, or -1 when it lies outside the window. */
    public int windowCol(int offsetInPlane) {
        return windowRow(offsetInPlane) < 0 ? -1 : offsetInPlane % planeWidth - colOffset;
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
