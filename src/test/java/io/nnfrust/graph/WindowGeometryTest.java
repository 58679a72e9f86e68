package io.nnfrust.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
