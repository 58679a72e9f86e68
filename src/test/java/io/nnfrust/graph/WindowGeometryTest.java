package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowGeometryTest {
    @Test
    void outputSizesMatchPyTorchAndCaffe() {
        // conv 11x11/4 on 227 (AlexNet) and 7x7/2 pad 3 on 224 (ResNet, GoogLeNet)
        assertEquals(55, WindowGeometry.outputSize(227, 11, 4, 1, 0, 0, false));
        assertEquals(112, WindowGeometry.outputSize(224, 7, 2, 1, 3, 3, false));
        // Caffe ceil-mode pooling 3x3/2: 112 -> 56, 113 -> 56, 55 -> 27, 13 -> 6
        assertEquals(56, WindowGeometry.outputSize(112, 3, 2, 1, 0, 0, true));
        assertEquals(56, WindowGeometry.outputSize(113, 3, 2, 1, 0, 0, true));
        assertEquals(27, WindowGeometry.outputSize(55, 3, 2, 1, 0, 0, true));
        assertEquals(6, WindowGeometry.outputSize(13, 3, 2, 1, 0, 0, true));
        assertEquals(55, WindowGeometry.outputSize(111, 3, 2, 1, 0, 0, false));
        // PyTorch drops a last window that would start in the right padding: in 4, k 2, s 2, pad 1, ceil -> 3
        assertEquals(3, WindowGeometry.outputSize(4, 2, 2, 1, 1, 1, true));
        assertEquals(2, WindowGeometry.outputSize(3, 2, 2, 1, 1, 1, true));
        // dilation 2, kernel 3 (effective 5)
        assertEquals(5, WindowGeometry.outputSize(9, 3, 1, 2, 0, 0, false));
    }

    @Test
    void validTapCountEqualsBruteForce() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 500; t++) {
            int in = 1 + r.nextInt(9), k = 1 + r.nextInt(4), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2);
            int pb = r.nextInt(3), pe = r.nextInt(3);
            boolean ceil = r.nextBoolean();
            int out = WindowGeometry.outputSize(in, k, s, d, pb, pe, ceil);
            if (out <= 0) {
                continue;
            }
            WindowGeometry g = new WindowGeometry(in, in, out, out, k, k, s, s, d, d, pb, pb);
            long brute = 0;
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < k; i++) {
                    int row = o * s + i * d - pb;
                    if (row >= 0 && row < in) {
                        brute++;
                    }
                }
            }
            assertEquals(brute * brute, g.validTapCount(), "in=" + in + " k=" + k + " s=" + s + " d=" + d);
        }
    }

    /**
     * An input window (a crop read as a view, issue 23) moves only the input nodes: the taps, valid positions and
     * tap tables are those of the uncropped geometry; window element (r, c) is plane offset (top + r)·W + left + c,
     * and plane offsets outside the window map to no window element. Windows past the plane are refused.
     */
    @Test
    void anInputWindowMovesOnlyTheInputNodes() {
        SplittableRandom r = new SplittableRandom(4);
        for (int t = 0; t < 200; t++) {
            int h = 1 + r.nextInt(8), w = 1 + r.nextInt(8), k = 1 + r.nextInt(3), s = 1 + r.nextInt(3);
            int p = r.nextInt(2);
            int oh = WindowGeometry.outputSize(h, k, s, 1, p, p, false),
                    ow = WindowGeometry.outputSize(w, k, s, 1, p, p, false);
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            WindowGeometry g = new WindowGeometry(h, w, oh, ow, k, k, s, s, 1, 1, p, p);
            int top = r.nextInt(3), left = r.nextInt(3), ph = top + h + r.nextInt(3), pw = left + w + r.nextInt(3);
            WindowGeometry c = g.withInputWindow(top, left, ph, pw);
            assertFalse(g.cropped());
            assertEquals(ph != h || pw != w, c.cropped());
            assertEquals(g.validTapCount(), c.validTapCount());
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    assertEquals(g.validPositions(i, j), c.validPositions(i, j));
                }
            }
            assertEquals(g.inputRowsOfOutputRow().count.length, c.inputRowsOfOutputRow().count.length);
            int inside = 0;
            for (int off = 0; off < ph * pw; off++) {
                int row = off / pw - top, col = off % pw - left;
                boolean in = row >= 0 && row < h && col >= 0 && col < w;
                assertEquals(in ? row : -1, c.windowRow(off));
                assertEquals(in ? col : -1, c.windowCol(off));
                if (in) {
                    assertEquals(off, c.inputOffset(row, col));
                    assertEquals(row * w + col, g.inputOffset(row, col));
                    inside++;
                }
            }
            assertEquals(h * w, inside);
            assertEquals(top * pw + left, c.windowOrigin());
            assertEquals(0, g.windowOrigin());
            // the identity window is the uncropped geometry
            WindowGeometry same = g.withInputWindow(0, 0, h, w);
            assertFalse(same.cropped());
            assertEquals(g.planeSize(), same.planeSize());
            assertThrows(IllegalArgumentException.class, () -> g.withInputWindow(ph - h + 1, 0, ph, pw));
            assertThrows(IllegalArgumentException.class, () -> g.withInputWindow(0, -1, ph, pw));
            assertTrue(c.planeSize() >= g.planeSize());
        }
    }
}
