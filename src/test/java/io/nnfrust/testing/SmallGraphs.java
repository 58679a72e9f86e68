package io.nnfrust.testing;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.graph.SparseBlock;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.WeightInit;
import io.nnfrust.onnx.OnnxGraphBuilder;
import io.nnfrust.onnx.OnnxImporter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small signed graphs for solver tests. */
public final class SmallGraphs {
    private SmallGraphs() {}

    /** A random signed graph on n nodes (one node set, explicit edges, density p). */
    public static SignedGraph random(int n, double p, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> e = new ArrayList<>();
        List<Double> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && r.nextDouble() < p / 2) {
                    e.add(new int[] {i, j});
                    w.add((r.nextBoolean() ? 1 : -1) * (0.05 + r.nextDouble()));
                }
            }
        }
        if (e.isEmpty()) {
            e.add(new int[] {0, 1});
            w.add(-1.0);
        }
        int m = e.size();
        int[] s = new int[m], t = new int[m];
        double[] ww = new double[m];
        for (int k = 0; k < m; k++) {
            s[k] = e.get(k)[0];
            t[k] = e.get(k)[1];
            ww[k] = w.get(k);
        }
        return new SignedGraph(
                List.of(new NodeSet(0, "nodes", "Graph", 0, n, 1, 1)),
                List.of(new SparseBlock("random", PlaneLayout.contiguous(0, n, 1, 1), 0, n, s, s, t, ww)));
    }

    /** A tiny network (input 1x3x3, 2x2 conv to 2 channels, 2x2 max pool, dense 1): 20 nodes. */
    public static SignedGraph tinyNetwork(long seed) {
        OnnxGraphBuilder b = new OnnxGraphBuilder("tiny", seed, WeightInit.HE_NORMAL);
        String x = b.input("x", 1, 3, 3);
        String c = b.conv("c", x, 2, 2, 1, 0, 1, false);
        String p = b.maxPool(c, 2, 1, 0, false);
        String f = b.gemm("fc", b.flatten(p), 1);
        return OnnxImporter.importModel(b.build(f), "tiny", "tiny", "-", ImportOptions.DEFAULT)
                .graph();
    }

    /** S |A| S for a random gauge s: a structurally balanced graph with explicit edges. */
    public static SignedGraph gaugedAbsolute(SignedGraph g, double[] s) {
        SignedGraph abs = g.absolute();
        List<EdgeBlock> blocks = new ArrayList<>();
        for (EdgeBlock b : abs.blocks()) {
            blocks.add(gauged(b, s));
        }
        return new SignedGraph(g.nodeSets(), blocks);
    }

    /** The block with every edge j -> i multiplied by s_i s_j. */
    public static SparseBlock gauged(EdgeBlock b, double[] s) {
        List<double[]> edges = new ArrayList<>();
        PlaneLayout in = b.input();
        for (int c = 0; c < in.channels; c++) {
            for (int off = 0; off < in.planeSize(); off++) {
                int element = c * in.planeSize() + off;
                b.forEachOutEdge(
                        c, off, (src, dst, w) -> edges.add(new double[] {src, element, dst, s[src] * w * s[dst]}));
            }
        }
        int m = edges.size();
        int[] src = new int[m], el = new int[m], dst = new int[m];
        double[] w = new double[m];
        for (int k = 0; k < m; k++) {
            double[] e = edges.get(k);
            src[k] = (int) e[0];
            el[k] = (int) e[1];
            dst[k] = (int) e[2] - b.outputOffset();
            w[k] = e[3];
        }
        return new SparseBlock(b.name(), in, b.outputOffset(), b.outputCount(), src, el, dst, w);
    }

    public static double[] randomSpins(int n, SplittableRandom r) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextBoolean() ? 1 : -1;
        }
        return s;
    }
}
