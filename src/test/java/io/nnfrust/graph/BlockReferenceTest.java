package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nnfrust.testing.Edges;
import io.nnfrust.testing.Edges.Edge;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Convolution and pooling blocks against a brute-force Toeplitz construction written from the definition:
 * output (co, oh, ow) reads input (ci, oh*s + i*d - padTop, ow*s + j*d - padLeft); padding taps are not edges.
 */
@Timeout(60)
class BlockReferenceTest {
    @Test
    void convolutionBlocksEqualBruteForceToeplitz() {
        convolutions(new SplittableRandom(11), false);
    }

    /**
     * The input a window (crop) of larger stored planes, read as a view (issue 23): edge (ci, ih, iw) of the
     * window is node {@code base[ci] + (top + ih) * planeWidth + left + iw}; the other nodes of the plane have no
     * edge, their out-edges are empty and Aᵀ·x leaves them alone.
     */
    @Test
    void convolutionBlocksOnACropEqualBruteForceToeplitz() {
        convolutions(new SplittableRandom(111), true);
    }

    private static void convolutions(SplittableRandom r, boolean cropped) {
        for (int trial = 0; trial < 120; trial++) {
            RandomConv c = RandomConv.draw(r);
            if (c == null) {
                continue;
            }
            int groups = c.groups(),
                    cin = c.cin(),
                    cout = c.cout(),
                    hin = c.hin(),
                    win = c.win(),
                    kh = c.kh(),
                    kw = c.kw(),
                    sh = c.sh(),
                    sw = c.sw(),
                    dh = c.dh(),
                    dw = c.dw(),
                    pt = c.pt(),
                    pl = c.pl(),
                    hout = c.hout(),
                    wout = c.wout();
            Crop crop = cropped ? Crop.draw(r, hin, win) : Crop.none(hin, win);
            WindowGeometry g = crop.apply(c.geometry());
            int inPer = cin / groups, outPer = cout / groups;
            float[] w = new float[cout * inPer * kh * kw];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (r.nextDouble() * 2 - 1);
            }
            // input planes in shuffled order, spread over a larger range (as Concat/shuffle produce)
            int[] base = shuffledPlanes(r, cin, crop.planeSize(), 3);
            PlaneLayout in = new PlaneLayout(cin, crop.planeH(), crop.planeW(), base);
            int outOffset = 3 + cin * crop.planeSize() + 5;
            ConvolutionBlock block = new ConvolutionBlock("c", in, outOffset, cout, groups, g, w);
            List<Edge> ref = new ArrayList<>();
            for (int co = 0; co < cout; co++) {
                for (int oh = 0; oh < hout; oh++) {
                    for (int ow = 0; ow < wout; ow++) {
                        for (int cil = 0; cil < inPer; cil++) {
                            int ci = (co / outPer) * inPer + cil;
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int ih = oh * sh + i * dh - pt, iw = ow * sw + j * dw - pl;
                                    if (ih >= 0 && ih < hin && iw >= 0 && iw < win) {
                                        ref.add(new Edge(
                                                crop.node(base[ci], ih, iw),
                                                outOffset + (co * hout + oh) * wout + ow,
                                                w[((co * inPer + cil) * kh + i) * kw + j]));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            checkBlock(block, ref, outOffset + cout * hout * wout, r);
        }
    }

    @Test
    void poolingBlocksEqualBruteForceWindows() {
        poolings(new SplittableRandom(12), false);
    }

    /** Pooling over a window (crop) of larger stored planes, read as a view (issue 23). */
    @Test
    void poolingBlocksOnACropEqualBruteForceWindows() {
        poolings(new SplittableRandom(112), true);
    }

    private static void poolings(SplittableRandom r, boolean cropped) {
        for (int trial = 0; trial < 120; trial++) {
            int c = 1 + r.nextInt(3), hin = 2 + r.nextInt(7), win = 2 + r.nextInt(7);
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), s = 1 + r.nextInt(3);
            int pt = r.nextInt(2), pl = r.nextInt(2), pb = r.nextInt(2), pr = r.nextInt(2);
            boolean ceil = r.nextBoolean();
            int hout = WindowGeometry.outputSize(hin, kh, s, 1, pt, pb, ceil);
            int wout = WindowGeometry.outputSize(win, kw, s, 1, pl, pr, ceil);
            if (hout <= 0 || wout <= 0 || kh + kw == 2) {
                continue;
            }
            Crop crop = cropped ? Crop.draw(r, hin, win) : Crop.none(hin, win);
            WindowGeometry g = crop.apply(new WindowGeometry(hin, win, hout, wout, kh, kw, s, s, 1, 1, pt, pl));
            int[] base = shuffledPlanes(r, c, crop.planeSize(), 0);
            PlaneLayout in = new PlaneLayout(c, crop.planeH(), crop.planeW(), base);
            int outOffset = c * crop.planeSize();
            double weight = 0.01 / Math.sqrt(kh * kw);
            PoolingBlock block = new PoolingBlock("p", in, outOffset, g, weight, true);
            List<Edge> ref = new ArrayList<>();
            for (int ch = 0; ch < c; ch++) {
                for (int oh = 0; oh < hout; oh++) {
                    for (int ow = 0; ow < wout; ow++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                int ih = oh * s + i - pt, iw = ow * s + j - pl;
                                if (ih >= 0 && ih < hin && iw >= 0 && iw < win) {
                                    ref.add(new Edge(
                                            crop.node(base[ch], ih, iw),
                                            outOffset + (ch * hout + oh) * wout + ow,
                                            weight));
                                }
                            }
                        }
                    }
                }
            }
            checkBlock(block, ref, outOffset + c * hout * wout, r);
        }
    }

    /**
     * The N2 block (one weight per edge, no sharing) against a brute force written from its documented order:
     * kernel entry (co, ci', i, j) in kernel order, then output row, then output column, over the positions where
     * that tap reads a real input element; weights from {@code base} of a larger shared array.
     */
    @Test
    void perEdgeConvolutionBlocksEqualBruteForce() {
        perEdgeConvolutions(new SplittableRandom(13), false);
    }

    /** The N2 block of a convolution reading a window (crop) of larger planes keeps the window (issue 23). */
    @Test
    void perEdgeConvolutionBlocksOnACropEqualBruteForce() {
        perEdgeConvolutions(new SplittableRandom(113), true);
    }

    private static void perEdgeConvolutions(SplittableRandom r, boolean cropped) {
        int checked = 0;
        for (int trial = 0; trial < 120; trial++) {
            RandomConv c = RandomConv.draw(r);
            if (c == null) {
                continue;
            }
            int groups = c.groups(),
                    cin = c.cin(),
                    cout = c.cout(),
                    hin = c.hin(),
                    win = c.win(),
                    kh = c.kh(),
                    kw = c.kw(),
                    sh = c.sh(),
                    sw = c.sw(),
                    dh = c.dh(),
                    dw = c.dw(),
                    pt = c.pt(),
                    pl = c.pl(),
                    hout = c.hout(),
                    wout = c.wout();
            Crop crop = cropped ? Crop.draw(r, hin, win) : Crop.none(hin, win);
            WindowGeometry g = crop.apply(c.geometry());
            int inPer = cin / groups, outPer = cout / groups;
            int[] base = shuffledPlanes(r, cin, crop.planeSize(), 2);
            PlaneLayout in = new PlaneLayout(cin, crop.planeH(), crop.planeW(), base);
            int outOffset = 2 + cin * crop.planeSize() + 3;
            ConvolutionBlock shape =
                    new ConvolutionBlock("c", in, outOffset, cout, groups, g, new float[cout * inPer * kh * kw]);
            // the reference edges in the documented order, each taking the next weight of the shared array
            List<int[]> order = new ArrayList<>();
            for (int co = 0; co < cout; co++) {
                for (int cil = 0; cil < inPer; cil++) {
                    int ci = (co / outPer) * inPer + cil;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            for (int oh = 0; oh < hout; oh++) {
                                for (int ow = 0; ow < wout; ow++) {
                                    int ih = oh * sh + i * dh - pt, iw = ow * sw + j * dw - pl;
                                    if (ih >= 0 && ih < hin && iw >= 0 && iw < win) {
                                        order.add(new int[] {
                                            crop.node(base[ci], ih, iw), outOffset + (co * hout + oh) * wout + ow
                                        });
                                    }
                                }
                            }
                        }
                    }
                }
            }
            int shift = r.nextInt(5);
            float[] weights = new float[shift + order.size() + r.nextInt(4)];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = (float) (r.nextDouble() * 2 - 1);
            }
            List<Edge> ref = new ArrayList<>();
            for (int k = 0; k < order.size(); k++) {
                ref.add(new Edge(order.get(k)[0], order.get(k)[1], weights[shift + k]));
            }
            checkBlock(new PerEdgeConvolutionBlock(shape, weights, shift), ref, outOffset + cout * hout * wout, r);
            checked++;
        }
        assertEquals(true, checked > 60, "geometries checked: " + checked);
    }

    /** A dense block: every input element (shuffled planes) to every output, weight W[o][k] in C order of the input. */
    @Test
    void denseBlocksEqualBruteForce() {
        SplittableRandom r = new SplittableRandom(14);
        for (int trial = 0; trial < 40; trial++) {
            int c = 1 + r.nextInt(4), h = 1 + r.nextInt(3), w = 1 + r.nextInt(3), out = 1 + r.nextInt(5);
            int[] base = shuffledPlanes(r, c, h * w, 1);
            PlaneLayout in = new PlaneLayout(c, h, w, base);
            int n = c * h * w, outOffset = 1 + n + 2;
            float[] m = new float[out * n];
            for (int i = 0; i < m.length; i++) {
                m[i] = (float) (r.nextDouble() * 2 - 1);
            }
            List<Edge> ref = new ArrayList<>();
            for (int o = 0; o < out; o++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < h * w; p++) {
                        ref.add(new Edge(base[ch] + p, outOffset + o, m[o * n + ch * h * w + p]));
                    }
                }
            }
            checkBlock(new DenseBlock("d", in, outOffset, out, m), ref, outOffset + out, r);
        }
    }

    /** A random grouped, strided, dilated, padded convolution shape (null when its output would be empty). */
    record RandomConv(
            int groups,
            int cin,
            int cout,
            int hin,
            int win,
            int kh,
            int kw,
            int sh,
            int sw,
            int dh,
            int dw,
            int pt,
            int pl,
            int hout,
            int wout) {
        static RandomConv draw(SplittableRandom r) {
            int groups = 1 + r.nextInt(3);
            int cin = groups * (1 + r.nextInt(2)), cout = groups * (1 + r.nextInt(3));
            int hin = 2 + r.nextInt(7), win = 2 + r.nextInt(7);
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
            int dh = 1 + r.nextInt(2), dw = 1 + r.nextInt(2);
            int pt = r.nextInt(3), pl = r.nextInt(3), pb = r.nextInt(3), pr = r.nextInt(3);
            int hout = WindowGeometry.outputSize(hin, kh, sh, dh, pt, pb, false);
            int wout = WindowGeometry.outputSize(win, kw, sw, dw, pl, pr, false);
            return hout <= 0 || wout <= 0
                    ? null
                    : new RandomConv(groups, cin, cout, hin, win, kh, kw, sh, sw, dh, dw, pt, pl, hout, wout);
        }

        WindowGeometry geometry() {
            return new WindowGeometry(hin, win, hout, wout, kh, kw, sh, sw, dh, dw, pt, pl);
        }
    }

    /**
     * An input window of {@code h x w} at ({@code top}, {@code left}) of stored planes {@code planeH x planeW} (a
     * crop read as a view), or the whole plane ({@link #none}).
     */
    record Crop(int h, int w, int top, int left, int planeH, int planeW) {
        static Crop none(int h, int w) {
            return new Crop(h, w, 0, 0, h, w);
        }

        /** A crop of rows only, of columns only, or of both (as a spatial Slice gives), margins 0 to 3. */
        static Crop draw(SplittableRandom r, int h, int w) {
            int kind = r.nextInt(3);
            int top = kind == 1 ? 0 : r.nextInt(3), bottom = kind == 1 ? 0 : r.nextInt(3);
            int left = kind == 0 ? 0 : r.nextInt(3), right = kind == 0 ? 0 : r.nextInt(3);
            if (top + bottom + left + right == 0) {
                top = 1; // a proper crop
            }
            return new Crop(h, w, top, left, top + h + bottom, left + w + right);
        }

        WindowGeometry apply(WindowGeometry g) {
            return planeH == h && planeW == w ? g : g.withInputWindow(top, left, planeH, planeW);
        }

        int planeSize() {
            return planeH * planeW;
        }

        /** Node of window element (ih, iw) of the plane at {@code base}, written from the definition. */
        int node(int base, int ih, int iw) {
            return base + (top + ih) * planeW + left + iw;
        }
    }

    static int[] shuffledPlanes(SplittableRandom r, int channels, int plane, int offset) {
        int[] order = new int[channels];
        for (int i = 0; i < channels; i++) {
            order[i] = i;
        }
        for (int i = channels - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] base = new int[channels];
        for (int c = 0; c < channels; c++) {
            base[c] = offset + order[c] * plane;
        }
        return base;
    }

    private static void checkBlock(EdgeBlock block, List<Edge> ref, int n, SplittableRandom r) {
        List<Edge> want = Edges.sorted(ref);
        List<Edge> got = new ArrayList<>();
        block.forEachEdge((s, t, w) -> got.add(new Edge(s, t, w)));
        assertEquals(want, Edges.sorted(got));
        assertEquals(ref.size(), block.edgeCount());
        double abs = 0;
        for (Edge e : ref) {
            abs += Math.abs(e.weight());
        }
        assertEquals(abs, block.absWeightSum(), 1e-9 * Math.max(1, abs));
        // out-edges of every input element
        List<Edge> out = new ArrayList<>();
        PlaneLayout in = block.input();
        for (int c = 0; c < in.channels; c++) {
            for (int k = 0; k < in.planeSize(); k++) {
                block.forEachOutEdge(c, k, (s, t, w) -> out.add(new Edge(s, t, w)));
            }
        }
        assertEquals(want, Edges.sorted(out));
        // products against the reference edge list
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble() - 0.5;
        }
        double[] y = new double[n], yRef = new double[n], z = new double[n], zRef = new double[n];
        block.multiply(x, y, 0, block.outputPartitions());
        block.multiplyTranspose(x, z, 0, block.inputPartitions());
        for (Edge e : ref) {
            yRef[e.target()] += e.weight() * x[e.source()];
            zRef[e.source()] += e.weight() * x[e.target()];
        }
        assertArrayEquals(yRef, y, 1e-12);
        assertArrayEquals(zRef, z, 1e-12);
    }
}
