package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fast convolution products ({@link ConvolutionKernel}, with and without the Vector API) against the
 * row-wise reference loops of {@link ConvolutionBlock}, bit for bit (±0 counted equal): random grouped,
 * strided, dilated, padded shapes, shuffled and overlapping input planes, real-network shapes large enough
 * to cross the kernel's tiles, general (not ±1) x with whole planes of ±0, a non-zero y to accumulate into, and the partitions
 * split at random points (as the thread pool splits them). {@link BlockReferenceTest} checks the same blocks
 * against a brute-force edge list.
 */
@Timeout(120)
class ConvolutionKernelTest {
    private final boolean vectorBefore = ConvolutionKernel.useVector;

    @AfterEach
    void restore() {
        ConvolutionKernel.useVector = vectorBefore;
    }

    @Test
    void theVectorApiIsInUseInTheTestJvm() {
        // surefire runs with --add-modules jdk.incubator.vector, as the launcher does; otherwise the vector
        // path below would silently not be tested
        assertTrue(ConvolutionKernel.VECTOR_AVAILABLE, "jdk.incubator.vector not in the boot layer");
    }

    @Test
    void randomShapesGiveTheReferenceBits() {
        SplittableRandom r = new SplittableRandom(21);
        int checked = 0;
        for (int trial = 0; trial < 300; trial++) {
            BlockReferenceTest.RandomConv c = BlockReferenceTest.RandomConv.draw(r);
            if (c == null) {
                continue;
            }
            int[] base = BlockReferenceTest.shuffledPlanes(r, c.cin(), c.hin() * c.win(), 3);
            if (r.nextInt(4) == 0 && c.cin() > 1) {
                base[r.nextInt(c.cin())] = base[0]; // two channels read one plane (a Concat of one tensor twice)
            }
            check(block(r, c.groups(), c.cin(), c.cout(), c.geometry(), base, r.nextInt(5) == 0), r);
            checked++;
        }
        assertTrue(checked > 150, "shapes checked: " + checked);
    }

    /** Shapes of the real networks: planes larger than a tile, many channels (small tiles), depthwise. */
    @Test
    void realNetworkShapesGiveTheReferenceBits() {
        SplittableRandom r = new SplittableRandom(22);
        int[][] shapes = { // groups, cin, cout, size, kernel, stride, pad, dilation
            {1, 8, 6, 56, 3, 1, 1, 1},
            {1, 3, 4, 64, 7, 2, 3, 1},
            {1, 16, 8, 14, 1, 2, 0, 1},
            {1, 300, 3, 7, 1, 1, 0, 1},
            {1, 130, 4, 9, 3, 1, 1, 1},
            {1, 5, 3, 31, 5, 1, 2, 1},
            {6, 6, 6, 20, 3, 1, 1, 1},
            {2, 4, 6, 23, 3, 2, 1, 2},
            {1, 3, 5, 67, 11, 4, 2, 1},
            {1, 2, 2, 90, 3, 1, 1, 1},
            {1, 4, 3, 13, 3, 3, 0, 1},
            {1, 2, 3, 6, 1, 1, 0, 1}
        };
        for (int[] s : shapes) {
            int groups = s[0], cin = s[1], cout = s[2], size = s[3], k = s[4], stride = s[5], pad = s[6], d = s[7];
            int out = WindowGeometry.outputSize(size, k, stride, d, pad, pad, false);
            WindowGeometry g = new WindowGeometry(size, size, out, out, k, k, stride, stride, d, d, pad, pad);
            int[] base = BlockReferenceTest.shuffledPlanes(r, cin, size * size, 2);
            check(block(r, groups, cin, cout, g, base, true), r);
        }
    }

    /**
     * The input a window (crop) of larger stored planes, read as a view (issue 23): random shapes with crops of rows,
     * columns or both, and real-network shapes, among them 1x1 stride-1 convolutions (the direct path, which reads a
     * crop of whole rows in place and a crop of columns through the phase planes); windows of ±0 in planes that
     * are not zero elsewhere.
     */
    @Test
    void croppedInputsGiveTheReferenceBits() {
        SplittableRandom r = new SplittableRandom(23);
        int checked = 0;
        for (int trial = 0; trial < 300; trial++) {
            BlockReferenceTest.RandomConv c = BlockReferenceTest.RandomConv.draw(r);
            if (c == null) {
                continue;
            }
            BlockReferenceTest.Crop crop = BlockReferenceTest.Crop.draw(r, c.hin(), c.win());
            int[] base = BlockReferenceTest.shuffledPlanes(r, c.cin(), crop.planeSize(), 3);
            if (r.nextInt(4) == 0 && c.cin() > 1) {
                base[r.nextInt(c.cin())] = base[0]; // two channels read one plane
            }
            check(block(r, c.groups(), c.cin(), c.cout(), crop.apply(c.geometry()), base, r.nextInt(5) == 0), r);
            checked++;
        }
        assertTrue(checked > 150, "shapes checked: " + checked);
        int[][] shapes = { // groups, cin, cout, size, kernel, stride, pad, dilation
            {1, 8, 6, 56, 3, 1, 1, 1},
            {1, 3, 4, 64, 7, 2, 3, 1},
            {1, 300, 3, 7, 1, 1, 0, 1},
            {1, 24, 40, 28, 1, 1, 0, 1},
            {2, 4, 6, 23, 3, 2, 1, 2},
            {1, 2, 3, 6, 1, 1, 0, 1}
        };
        for (int[] s : shapes) {
            int groups = s[0], cin = s[1], cout = s[2], size = s[3], k = s[4], stride = s[5], pad = s[6], d = s[7];
            int out = WindowGeometry.outputSize(size, k, stride, d, pad, pad, false);
            WindowGeometry g = new WindowGeometry(size, size, out, out, k, k, stride, stride, d, d, pad, pad);
            for (BlockReferenceTest.Crop crop : new BlockReferenceTest.Crop[] {
                new BlockReferenceTest.Crop(size, size, 2, 0, size + 3, size), // rows only
                new BlockReferenceTest.Crop(size, size, 0, 1, size, size + 2), // columns only
                new BlockReferenceTest.Crop(size, size, 1, 2, size + 2, size + 5)
            }) {
                int[] base = BlockReferenceTest.shuffledPlanes(r, cin, crop.planeSize(), 2);
                check(block(r, groups, cin, cout, crop.apply(g), base, true), r);
            }
        }
    }

    private static ConvolutionBlock block(
            SplittableRandom r, int groups, int cin, int cout, WindowGeometry g, int[] base, boolean zeros) {
        float[] w = new float[cout * (cin / groups) * g.kernelHeight * g.kernelWidth];
        for (int i = 0; i < w.length; i++) {
            w[i] = zeros && r.nextInt(3) == 0 ? 0f : (float) (r.nextDouble() * 2 - 1);
        }
        int maxBase = 0;
        for (int b : base) {
            maxBase = Math.max(maxBase, b + g.planeSize());
        }
        return new ConvolutionBlock(
                "c", new PlaneLayout(cin, g.planeHeight, g.planeWidth, base), maxBase + 4, cout, groups, g, w);
    }

    private static void check(ConvolutionBlock b, SplittableRandom r) {
        int n = b.outputOffset() + b.outputCount() + 3;
        double[] x = new double[n], y0 = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(4) == 0 ? (r.nextBoolean() ? 1 : -1) : r.nextDouble() * 4 - 2;
            y0[i] = r.nextInt(3) == 0 ? 0 : r.nextDouble() - 0.5;
        }
        // whole planes of zeros (the masked-out nodes of an active subnetwork), some of them -0.0, are skipped
        int plane = b.input().planeSize(), outPlane = b.outputCount() / b.outChannels();
        for (int c = 0; c < b.input().channels; c++) {
            if (r.nextInt(3) == 0) {
                Arrays.fill(x, b.input().base(c), b.input().base(c) + plane, r.nextBoolean() ? 0.0 : -0.0);
            }
        }
        WindowGeometry g = b.geometry();
        if (g.cropped()) {
            // the window alone all ±0 (its terms are skipped, the rest of the plane is not read), or all but its
            // last row (not skipped)
            for (int c = 0; c < b.input().channels; c++) {
                int kind = r.nextInt(3);
                if (kind < 2) {
                    double zero = r.nextBoolean() ? 0.0 : -0.0;
                    for (int row = 0; row < g.inHeight - kind; row++) {
                        int at = b.input().base(c) + g.inputOffset(row, 0);
                        Arrays.fill(x, at, at + g.inWidth, zero);
                    }
                }
            }
        }
        for (int c = 0; c < b.outChannels(); c++) {
            if (r.nextInt(3) == 0) {
                int at = b.outputOffset() + c * outPlane;
                Arrays.fill(x, at, at + outPlane, r.nextBoolean() ? 0.0 : -0.0);
            }
        }
        double[] want = y0.clone(), wantT = y0.clone();
        b.multiplyReference(x, want, 0, b.outputPartitions());
        b.multiplyTransposeReference(x, wantT, 0, b.inputPartitions());
        for (boolean vector : new boolean[] {true, false}) {
            ConvolutionKernel.useVector = vector && ConvolutionKernel.VECTOR_AVAILABLE;
            double[] got = y0.clone(), gotT = y0.clone();
            for (int[] part : splits(r, b.outputPartitions())) {
                b.multiply(x, got, part[0], part[1]);
            }
            for (int[] part : splits(r, b.inputPartitions())) {
                b.multiplyTranspose(x, gotT, part[0], part[1]);
            }
            same(want, got, "A·x", vector, b);
            same(wantT, gotT, "Aᵀ·x", vector, b);
            // a sorted subset of the partitions (an active subnetwork's channels), cut at a random point
            int[] outs = subset(r, b.outputPartitions()), ins = subset(r, b.inputPartitions());
            double[] wantL = y0.clone(), wantLT = y0.clone(), gotL = y0.clone(), gotLT = y0.clone();
            for (int p : outs) {
                b.multiplyReference(x, wantL, p, p + 1);
            }
            for (int p : ins) {
                b.multiplyTransposeReference(x, wantLT, p, p + 1);
            }
            int cut = r.nextInt(outs.length + 1), cutT = r.nextInt(ins.length + 1);
            b.multiplyListed(x, gotL, outs, 0, cut);
            b.multiplyListed(x, gotL, outs, cut, outs.length);
            b.multiplyTransposeListed(x, gotLT, ins, 0, cutT);
            b.multiplyTransposeListed(x, gotLT, ins, cutT, ins.length);
            same(wantL, gotL, "listed A·x", vector, b);
            same(wantLT, gotLT, "listed Aᵀ·x", vector, b);
        }
    }

    private static int[] subset(SplittableRandom r, int n) {
        return IntStream.range(0, n).filter(i -> r.nextBoolean()).toArray();
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

    private static void same(double[] want, double[] got, String what, boolean vector, ConvolutionBlock b) {
        for (int i = 0; i < want.length; i++) {
            // == treats +0.0 and -0.0 as equal (a padding tap adds a zero), and nothing else
            if (!(want[i] == got[i])) {
                WindowGeometry g = b.geometry();
                fail(what + (vector ? " (vector)" : " (scalar)") + " differs at " + i + ": " + got[i] + " != "
                        + want[i] + " for in " + b.input().channels + "x" + g.inHeight + "x" + g.inWidth + " out "
                        + b.outChannels() + "x" + g.outHeight + "x" + g.outWidth + " k " + g.kernelHeight + "x"
                        + g.kernelWidth + " s " + g.strideHeight + "," + g.strideWidth + " d " + g.dilationHeight
                        + "," + g.dilationWidth + " pad " + g.padTop + "," + g.padLeft + " groups " + b.groups());
            }
        }
        assertEquals(want.length, got.length);
    }
}
