package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.frustration.SpinGlass;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.nullmodel.ShuffledEdges;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.RandomNetworks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Products with several vectors at once ({@link EdgeBlock#multiplyMany}, {@link SignedGraph#multiplyMany},
 * {@link SpinGlass#fieldsMany}, their transposes and node-set restrictions) against r separate single-vector
 * products, <em>bit for bit</em> ({@code assertArrayEquals} on doubles compares the bits: +0.0 and −0.0 differ),
 * for r = 1, 2, 3, 4, 8, 16 (more than one column block), on every block kind: random grouped, strided, dilated,
 * padded convolutions (also the reference path of a negative padding), shuffled and overlapping input planes,
 * planes larger than a tile, dense, pooling, identity, sparse and per-edge blocks, and random networks built
 * from all of them; the vector and the scalar passes; sequential and parallel; random partition splits; x with
 * whole planes of ±0 in every column (skipped) or in some columns only, y not zero and holding −0.0.
 */
@Timeout(300)
class MultiVectorProductTest {
    private static final int[] COLUMNS = {1, 2, 3, 4, 5, 8, 16};
    private final boolean vectorBefore = ConvolutionKernel.useVector;

    @AfterEach
    void restore() {
        ConvolutionKernel.useVector = vectorBefore;
    }

    @Test
    void randomConvolutionsGiveTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(31);
        int checked = 0;
        for (int trial = 0; trial < 200; trial++) {
            // half the shapes as BlockReferenceTest draws them, half with up to 9 channels per group: four-channel
            // register blocks in both directions
            BlockReferenceTest.RandomConv c = trial % 2 == 0 ? BlockReferenceTest.RandomConv.draw(r) : wide(r);
            if (c == null) {
                continue;
            }
            int[] base = BlockReferenceTest.shuffledPlanes(r, c.cin(), c.hin() * c.win(), 3);
            if (r.nextInt(4) == 0 && c.cin() > 1) {
                base[r.nextInt(c.cin())] = base[0]; // two channels read one plane (a Concat of one tensor twice)
            }
            ConvolutionBlock b = convolution(r, c.groups(), c.cin(), c.cout(), c.geometry(), base, r.nextInt(4));
            checkBlock(b, size(b), r, true);
            checkBlock(b.absolute(), size(b), r, false, 4, 8);
            checked++;
        }
        assertTrue(checked > 120, "shapes checked: " + checked);
    }

    /** Real-network shapes: planes larger than a tile (also after interleaving 16 columns), many channels, 1x1. */
    @Test
    void largeConvolutionsGiveTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(32);
        int[][] shapes = { // groups, cin, cout, size, kernel, stride, pad, dilation
            {1, 8, 6, 56, 3, 1, 1, 1},
            {1, 3, 4, 64, 7, 2, 3, 1},
            {1, 16, 8, 14, 1, 2, 0, 1},
            {1, 300, 3, 7, 1, 1, 0, 1},
            {1, 130, 4, 9, 3, 1, 1, 1},
            {1, 24, 40, 28, 1, 1, 0, 1},
            {6, 6, 6, 20, 3, 1, 1, 1},
            {2, 4, 6, 23, 3, 2, 1, 2},
            {1, 2, 3, 6, 1, 1, 0, 1},
            {1, 40, 8, 7, 1, 1, 0, 1},
            {1, 200, 12, 7, 3, 1, 1, 1},
            {1, 12, 200, 7, 1, 1, 0, 1},
            {2, 16, 8, 30, 3, 1, 1, 1},
            {1, 8, 12, 40, 5, 1, 2, 1},
            {1, 36, 8, 16, 3, 2, 1, 1}
        };
        for (int[] s : shapes) {
            int groups = s[0], cin = s[1], cout = s[2], size = s[3], k = s[4], stride = s[5], pad = s[6], d = s[7];
            int out = WindowGeometry.outputSize(size, k, stride, d, pad, pad, false);
            WindowGeometry g = new WindowGeometry(size, size, out, out, k, k, stride, stride, d, d, pad, pad);
            int[] base = BlockReferenceTest.shuffledPlanes(r, cin, size * size, 2);
            for (int zeros = 0; zeros < 4; zeros++) {
                ConvolutionBlock b = convolution(r, groups, cin, cout, g, base, zeros);
                checkBlock(b, size(b), r, zeros == 0, 1, 3, 8, 16);
            }
        }
    }

    /**
     * Convolutions, pooling, their explicit twins and N2 blocks reading a window (crop) of larger stored planes as a
     * view (issue 23): random shapes (a third of them 1x1 stride 1, the direct path) with crops of rows, columns or
     * both, and real-network shapes larger than a tile; windows of ±0 in planes not zero elsewhere.
     */
    @Test
    void croppedInputsGiveTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(36);
        int checked = 0;
        for (int trial = 0; trial < 160; trial++) {
            BlockReferenceTest.RandomConv c = trial % 2 == 0 ? BlockReferenceTest.RandomConv.draw(r) : wide(r);
            if (c == null) {
                continue;
            }
            BlockReferenceTest.Crop crop = BlockReferenceTest.Crop.draw(r, c.hin(), c.win());
            int[] base = BlockReferenceTest.shuffledPlanes(r, c.cin(), crop.planeSize(), 3);
            if (r.nextInt(4) == 0 && c.cin() > 1) {
                base[r.nextInt(c.cin())] = base[0]; // two channels read one plane
            }
            WindowGeometry g = crop.apply(c.geometry());
            ConvolutionBlock b = convolution(r, c.groups(), c.cin(), c.cout(), g, base, r.nextInt(4));
            checkBlock(b, size(b), r, true);
            if (trial % 8 == 0) {
                checkBlock(SparseBlock.of(b), size(b), r, true, 1, 3);
                float[] weights = new float[(int) b.edgeCount() + 2];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = (float) (r.nextDouble() * 2 - 1);
                }
                checkBlock(new PerEdgeConvolutionBlock(b, weights, 1), size(b), r, true, 1, 3, 5);
                PlaneLayout planes = new PlaneLayout(
                        c.cin(),
                        crop.planeH(),
                        crop.planeW(),
                        BlockReferenceTest.shuffledPlanes(r, c.cin(), crop.planeSize(), 0));
                PoolingBlock pool = new PoolingBlock("p", planes, c.cin() * crop.planeSize(), g, 0.25, true);
                checkBlock(pool, pool.outputOffset() + pool.outputCount() + 1, r, true, 1, 3, 5);
            }
            checked++;
        }
        assertTrue(checked > 100, "shapes checked: " + checked);
        int[][] shapes = { // groups, cin, cout, size, kernel, stride, pad, dilation
            {1, 8, 6, 56, 3, 1, 1, 1},
            {1, 24, 40, 28, 1, 1, 0, 1},
            {1, 40, 8, 7, 1, 1, 0, 1},
            {1, 36, 8, 16, 3, 2, 1, 1}
        };
        for (int[] s : shapes) {
            int groups = s[0], cin = s[1], cout = s[2], size = s[3], k = s[4], stride = s[5], pad = s[6], d = s[7];
            int out = WindowGeometry.outputSize(size, k, stride, d, pad, pad, false);
            WindowGeometry g = new WindowGeometry(size, size, out, out, k, k, stride, stride, d, d, pad, pad);
            for (BlockReferenceTest.Crop crop : new BlockReferenceTest.Crop[] {
                new BlockReferenceTest.Crop(size, size, 3, 0, size + 4, size), // rows only
                new BlockReferenceTest.Crop(size, size, 1, 2, size + 1, size + 3)
            }) {
                int[] base = BlockReferenceTest.shuffledPlanes(r, cin, crop.planeSize(), 2);
                ConvolutionBlock b = convolution(r, groups, cin, cout, crop.apply(g), base, r.nextInt(4));
                checkBlock(b, size(b), r, true, 1, 3, 8, 16);
            }
        }
    }

    /** A negative top/left padding (a crop): the kernel does not cover it, the row-wise reference runs. */
    @Test
    void convolutionWithoutTheFastKernelGivesTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(33);
        WindowGeometry g = new WindowGeometry(7, 6, 5, 4, 2, 2, 1, 1, 1, 1, -1, -1);
        int[] base = BlockReferenceTest.shuffledPlanes(r, 8, 42, 1);
        ConvolutionBlock b = convolution(r, 2, 8, 8, g, base, 1);
        checkBlock(b, size(b), r, true);
    }

    @Test
    void otherBlockKindsGiveTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(34);
        for (int trial = 0; trial < 30; trial++) {
            // dense, on shuffled planes
            int c = 1 + r.nextInt(4), h = 1 + r.nextInt(3), w = 1 + r.nextInt(3), out = 1 + r.nextInt(12);
            PlaneLayout in = new PlaneLayout(c, h, w, BlockReferenceTest.shuffledPlanes(r, c, h * w, 1));
            float[] m = new float[out * c * h * w];
            for (int i = 0; i < m.length; i++) {
                m[i] = r.nextInt(6) == 0 ? 0f : (float) (r.nextDouble() * 2 - 1);
            }
            int outOffset = 1 + c * h * w + 2;
            DenseBlock dense = new DenseBlock("d", in, outOffset, out, m);
            checkBlock(dense, outOffset + out + 1, r, true);
            checkBlock(dense.pattern(), outOffset + out + 1, r, false);
            // pooling and identity
            int hin = 2 + r.nextInt(7), win = 2 + r.nextInt(7), k = 1 + r.nextInt(3), s = 1 + r.nextInt(3);
            int hout = WindowGeometry.outputSize(hin, k, s, 1, 1, 0, true);
            int wout = WindowGeometry.outputSize(win, k, s, 1, 0, 1, true);
            PlaneLayout planes = new PlaneLayout(c, hin, win, BlockReferenceTest.shuffledPlanes(r, c, hin * win, 0));
            WindowGeometry pg = new WindowGeometry(hin, win, hout, wout, k, k, s, s, 1, 1, 1, 0);
            PoolingBlock pool = new PoolingBlock("p", planes, c * hin * win, pg, 0.25, r.nextBoolean());
            checkBlock(pool, c * hin * win + c * hout * wout, r, true);
            IdentityBlock id = new IdentityBlock("i", planes, c * hin * win, r.nextDouble() - 0.5);
            checkBlock(id, 2 * c * hin * win, r, true);
            // sparse (the explicit twin of a convolution) and per-edge (N2) blocks
            BlockReferenceTest.RandomConv rc = BlockReferenceTest.RandomConv.draw(r);
            if (rc != null) {
                int[] base = BlockReferenceTest.shuffledPlanes(r, rc.cin(), rc.hin() * rc.win(), 2);
                ConvolutionBlock conv = convolution(r, rc.groups(), rc.cin(), rc.cout(), rc.geometry(), base, 0);
                checkBlock(SparseBlock.of(conv), size(conv), r, true);
                float[] weights = new float[(int) conv.edgeCount() + 3];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = (float) (r.nextDouble() * 2 - 1);
                }
                PerEdgeConvolutionBlock perEdge = new PerEdgeConvolutionBlock(conv, weights, 2);
                checkBlock(perEdge, size(conv), r, true);
                checkBlock(perEdge.absolute(), size(conv), r, false);
            }
        }
    }

    /** Whole random networks (every block kind), their |A|, explicit twin and N2 null network. */
    @Test
    void randomNetworksGiveTheSingleVectorBits() throws Exception {
        for (long seed = 1; seed <= 8; seed++) {
            for (AddConvention add : AddConvention.values()) {
                ModelProto proto = RandomNetworks.build(seed, seed % 3 == 0);
                SignedGraph g = OnnxImporter.importModel(proto, "r", "r", "-", ImportOptions.DEFAULT.withAdd(add))
                        .graph();
                SplittableRandom r = new SplittableRandom(seed);
                checkGraph(g, r);
                if (seed <= 2) {
                    checkGraph(g.absolute(), r);
                    checkGraph(g.explicit(), r);
                    checkGraph(new ShuffledEdges().apply(g, seed), r);
                }
            }
        }
    }

    /**
     * A convolution that reads one tensor several times (its transposed partitions may not run in parallel; its
     * columns still do), and a dense layer on top.
     */
    @Test
    void aTensorReadTwiceGivesTheSingleVectorBits() {
        SplittableRandom r = new SplittableRandom(35);
        NodeSet in = new NodeSet(0, "in", "Input", 0, 3, 6, 6), conv = new NodeSet(1, "conv", "Conv", 108, 8, 6, 6);
        NodeSet fc = new NodeSet(2, "fc", "Gemm", 396, 5, 1, 1);
        WindowGeometry g = new WindowGeometry(6, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1);
        float[] w = new float[8 * 8 * 9], m = new float[5 * 288];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextDouble() - 0.5);
        }
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (r.nextDouble() - 0.5);
        }
        PlaneLayout twice = new PlaneLayout(8, 6, 6, new int[] {0, 36, 72, 0, 36, 72, 72, 0});
        assertTrue(!twice.distinctPlanes());
        SignedGraph graph = new SignedGraph(
                List.of(in, conv, fc),
                List.of(
                        new ConvolutionBlock("c", twice, 108, 8, 1, g, w),
                        new DenseBlock("d", conv.layout(), 396, 5, m)));
        checkGraph(graph, r);
    }

    /** The spin glass's fields of several vectors, whole and restricted to one node set, masked and unmasked. */
    @Test
    void spinGlassFieldsGiveTheSingleVectorBits() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            SignedGraph g = OnnxImporter.importModel(
                            RandomNetworks.build(seed, false), "r", "r", "-", ImportOptions.DEFAULT)
                    .graph();
            SplittableRandom r = new SplittableRandom(seed);
            double[] mask = new double[g.nodeCount()];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = r.nextInt(3) == 0 ? 0 : 1;
            }
            for (SpinGlass glass : new SpinGlass[] {new SpinGlass(g), new SpinGlass(g, mask)}) {
                for (int cols : COLUMNS) {
                    for (boolean parallel : new boolean[] {false, true}) {
                        double[][] s = vectors(r, cols, g.nodeCount()), h = vectors(r, cols, g.nodeCount());
                        double[][] want = copy(h), got = copy(h);
                        for (int c = 0; c < cols; c++) {
                            glass.fields(s[c], want[c], false);
                        }
                        glass.fieldsMany(s, got, parallel);
                        same(want, got, "fields, r " + cols + (glass.isMasked() ? " masked" : ""));
                        for (int set = 0; set < g.nodeSets().size(); set++) {
                            for (int c = 0; c < cols; c++) {
                                glass.fieldsOfSet(set, s[c], want[c], false);
                            }
                            glass.fieldsOfSetMany(set, s, got, parallel);
                            same(want, got, "fields of set " + set + ", r " + cols);
                        }
                    }
                }
            }
        }
    }

    @Test
    void badShapesAreRefused() throws Exception {
        SignedGraph g = OnnxImporter.importModel(RandomNetworks.build(1, true), "r", "r", "-", ImportOptions.DEFAULT)
                .graph();
        int n = g.nodeCount();
        double[] a = new double[n], b = new double[n];
        assertThrows(
                IllegalArgumentException.class, () -> g.multiplyMany(new double[][] {a}, new double[][] {b, a}, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> g.multiplyMany(new double[][] {a}, new double[][] {new double[n - 1]}, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> g.multiplyTransposeMany(new double[][] {a, b}, new double[][] {new double[n], a}, false));
        assertThrows(
                IllegalArgumentException.class,
                () -> g.multiplyMany(new double[][] {a, a}, new double[][] {b, b}, true));
        g.multiplyMany(new double[0][], new double[0][], true); // no columns: nothing to do
    }

    private static void checkGraph(SignedGraph g, SplittableRandom r) {
        int n = g.nodeCount();
        for (int cols : COLUMNS) {
            for (boolean parallel : new boolean[] {false, true}) {
                for (boolean vector : new boolean[] {true, false}) {
                    ConvolutionKernel.useVector = vector && ConvolutionKernel.VECTOR_AVAILABLE;
                    double[][] x = vectors(r, cols, n), y = vectors(r, cols, n);
                    double[][] want = copy(y), wantT = copy(y), got = copy(y), gotT = copy(y);
                    for (int c = 0; c < cols; c++) {
                        g.multiply(x[c], want[c], false);
                        g.multiplyTranspose(x[c], wantT[c], false);
                    }
                    g.multiplyMany(x, got, parallel);
                    g.multiplyTransposeMany(x, gotT, parallel);
                    String what =
                            "r " + cols + (parallel ? " parallel" : " sequential") + (vector ? " vector" : " scalar");
                    same(want, got, "A·V, " + what);
                    same(wantT, gotT, "Aᵀ·V, " + what);
                }
            }
        }
    }

    private static void checkBlock(EdgeBlock b, int n, SplittableRandom r, boolean zeroPlanes) {
        checkBlock(b, n, r, zeroPlanes, COLUMNS);
    }

    /**
     * For each r: r columns of x (with whole planes of ±0 when {@code zeroPlanes}: in every column, or in some
     * columns only) and of y; multiplyMany over a random split of the partitions against r single-vector products
     * over all partitions, for the vector and the scalar passes.
     */
    private static void checkBlock(EdgeBlock b, int n, SplittableRandom r, boolean zeroPlanes, int... columns) {
        for (int cols : columns) {
            double[][] x = vectors(r, cols, n), y = vectors(r, cols, n);
            if (zeroPlanes) {
                PlaneLayout in = b.input();
                for (int c = 0; c < in.channels; c++) {
                    zeroPlane(r, x, in.base(c), in.planeSize());
                }
                WindowGeometry g = b instanceof ConvolutionBlock conv
                        ? conv.geometry()
                        : b instanceof PoolingBlock pool ? pool.geometry() : null;
                if (g != null && g.cropped()) { // the window alone ±0 (or all but its last row), the rest not
                    for (int c = 0; c < in.channels; c++) {
                        int kind = r.nextInt(3); // 0: in every column, 1: in some columns, 2: not
                        int rows = g.inHeight - r.nextInt(2);
                        for (double[] column : x) {
                            if (kind == 0 || (kind == 1 && r.nextBoolean())) {
                                double zero = r.nextBoolean() ? 0.0 : -0.0;
                                for (int row = 0; row < rows; row++) {
                                    int at = in.base(c) + g.inputOffset(row, 0);
                                    Arrays.fill(column, at, at + g.inWidth, zero);
                                }
                            }
                        }
                    }
                }
                int outs = b.outputPartitions(), plane = outs == 0 ? 0 : b.outputCount() / outs;
                for (int p = 0; p < outs; p++) {
                    zeroPlane(r, x, b.outputOffset() + p * plane, plane);
                }
            }
            for (boolean vector : new boolean[] {true, false}) {
                ConvolutionKernel.useVector = vector && ConvolutionKernel.VECTOR_AVAILABLE;
                double[][] want = copy(y), wantT = copy(y), got = copy(y), gotT = copy(y);
                for (int c = 0; c < cols; c++) {
                    b.multiply(x[c], want[c], 0, b.outputPartitions());
                    b.multiplyTranspose(x[c], wantT[c], 0, b.inputPartitions());
                }
                for (int[] part : splits(r, b.outputPartitions())) {
                    b.multiplyMany(x, got, part[0], part[1]);
                }
                for (int[] part : splits(r, b.inputPartitions())) {
                    b.multiplyTransposeMany(x, gotT, part[0], part[1]);
                }
                String what = b.kind() + " " + describe(b) + ", r " + cols + (vector ? " vector" : " scalar");
                same(want, got, "A·V, " + what);
                same(wantT, gotT, "Aᵀ·V, " + what);
            }
        }
    }

    /** With probability 1/4 the plane is ±0 in every column, with 1/5 in a random subset of the columns. */
    private static void zeroPlane(SplittableRandom r, double[][] x, int at, int size) {
        int kind = r.nextInt(20);
        if (kind >= 9) {
            return;
        }
        for (double[] column : x) {
            if (kind < 5 || r.nextBoolean()) {
                Arrays.fill(column, at, at + size, r.nextBoolean() ? 0.0 : -0.0);
            }
        }
    }

    private static String describe(EdgeBlock b) {
        if (b instanceof ConvolutionBlock c) {
            WindowGeometry g = c.geometry();
            return "in " + b.input().channels + "x" + g.inHeight + "x" + g.inWidth + " out " + c.outChannels() + "x"
                    + g.outHeight + "x" + g.outWidth + " k " + g.kernelHeight + "x" + g.kernelWidth + " s "
                    + g.strideHeight + "," + g.strideWidth + " d " + g.dilationHeight + "," + g.dilationWidth + " pad "
                    + g.padTop + "," + g.padLeft + " groups " + c.groups()
                    + (b.input().distinctPlanes() ? "" : " overlapping planes");
        }
        return b.outputCount() + " outputs";
    }

    /** cols columns of length n: mostly uniform in [-2, 2), some ±1, exact zeros and −0.0. */
    private static double[][] vectors(SplittableRandom r, int cols, int n) {
        double[][] v = new double[cols][n];
        for (double[] column : v) {
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(10);
                column[i] = k == 0 ? 0.0 : k == 1 ? -0.0 : k == 2 ? (r.nextBoolean() ? 1 : -1) : r.nextDouble() * 4 - 2;
            }
        }
        return v;
    }

    private static double[][] copy(double[][] v) {
        double[][] c = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            c[i] = v[i].clone();
        }
        return c;
    }

    private static void same(double[][] want, double[][] got, String what) {
        for (int c = 0; c < want.length; c++) {
            assertArrayEquals(want[c], got[c], what + ", column " + c);
        }
    }

    /**
     * A convolution with random weights; {@code zeros}: 0 none, 1 a third of the weights zero at random (four
     * channels rarely share their terms), 2 whole kernels (output, input channel) zero, 3 one tap zero in every
     * kernel of a random range of output channels (terms zero in all four channels of a block, or in some).
     */
    private static ConvolutionBlock convolution(
            SplittableRandom r, int groups, int cin, int cout, WindowGeometry g, int[] base, int zeros) {
        int inPer = cin / groups, taps = g.kernelHeight * g.kernelWidth;
        float[] w = new float[cout * inPer * taps];
        for (int i = 0; i < w.length; i++) {
            w[i] = zeros == 1 && r.nextInt(3) == 0 ? 0f : (float) (r.nextDouble() * 2 - 1);
        }
        if (zeros == 2) {
            for (int k = 0; k < cout * inPer; k++) {
                if (r.nextInt(4) == 0) {
                    Arrays.fill(w, k * taps, (k + 1) * taps, 0f);
                }
            }
        } else if (zeros == 3) {
            int t = r.nextInt(taps), from = r.nextInt(cout), to = from + 1 + r.nextInt(cout - from);
            for (int co = from; co < to; co++) {
                for (int c = 0; c < inPer; c++) {
                    w[(co * inPer + c) * taps + t] = 0f;
                }
            }
        }
        int maxBase = 0;
        for (int b : base) {
            maxBase = Math.max(maxBase, b + g.planeSize());
        }
        return new ConvolutionBlock(
                "c", new PlaneLayout(cin, g.planeHeight, g.planeWidth, base), maxBase + 4, cout, groups, g, w);
    }

    /** A random convolution shape with 1 to 9 input and output channels per group (null when its output is empty). */
    private static BlockReferenceTest.RandomConv wide(SplittableRandom r) {
        int groups = 1 + r.nextInt(2);
        int cin = groups * (1 + r.nextInt(9)), cout = groups * (1 + r.nextInt(9));
        int hin = 2 + r.nextInt(11), win = 2 + r.nextInt(11);
        int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), sh = 1 + r.nextInt(2), sw = 1 + r.nextInt(2);
        int dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
        if (r.nextInt(3) == 0) { // a 1x1, stride-1, unpadded convolution: the kernel's direct path
            kh = kw = sh = sw = dh = dw = 1;
            return new BlockReferenceTest.RandomConv(groups, cin, cout, hin, win, 1, 1, 1, 1, 1, 1, 0, 0, hin, win);
        }
        int pt = r.nextInt(3), pl = r.nextInt(3), pb = r.nextInt(3), pr = r.nextInt(3);
        int hout = WindowGeometry.outputSize(hin, kh, sh, dh, pt, pb, false);
        int wout = WindowGeometry.outputSize(win, kw, sw, dw, pl, pr, false);
        return hout <= 0 || wout <= 0
                ? null
                : new BlockReferenceTest.RandomConv(
                        groups, cin, cout, hin, win, kh, kw, sh, sw, dh, dw, pt, pl, hout, wout);
    }

    private static int size(EdgeBlock b) {
        return b.outputOffset() + b.outputCount() + 3;
    }

    /** [0, n) cut at up to three random points. */
    private static List<int[]> splits(SplittableRandom r, int n) {
        List<Integer> cuts = new ArrayList<>(List.of(0, n));
        for (int k = r.nextInt(4); k > 0; k--) {
            cuts.add(r.nextInt(n + 1));
        }
        cuts.sort(null);
        List<int[]> parts = new ArrayList<>();
        for (int i = 0; i + 1 < cuts.size(); i++) {
            parts.add(new int[] {cuts.get(i), cuts.get(i + 1)});
        }
        return parts;
    }
}
