package io.nnfrust.active;

import static org.junit.jupiter.api.Assertions.*;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.PoolingBlock;
import io.nnfrust.graph.SignedGraph;
import io.nnfrust.load.ModelLoader;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.Network;
import io.nnfrust.model.StateProbe;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.testing.RandomNetworks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The active subnetwork's mask and edges against brute force on random networks (every block kind, ReLUs, max
 * pooling) with random probe values full of zeros and ties: an explicit edge list where ReLU outputs ≤ 0 are
 * dropped, max-pooling edges kept only from each window's maxima (all of them on a tie), logits other than the
 * predicted one dropped, and then a breadth-first search backwards from the predicted logit over the surviving
 * edges. Written from the definition (paper eq. 8, SI D.3), sharing no code with {@link ActiveSubnetwork}.
 */
@Timeout(60)
class ActiveReachabilityOracleTest {
    /**
     * Random probe values, small integers -1..levels-2 so that zeros (ReLU off) and ties (pool windows) are common:
     * the tensors for {@link ActiveSubnetwork#of}, each node's value, the nodes a ReLU switches off, and the blocks
     * that are max poolings with a probe.
     */
    record Probes(Map<String, float[]> tensors, double[] value, boolean[] off, Set<Integer> maxBlocks) {
        static Probes draw(Network net, SplittableRandom r, int levels) {
            int n = net.graph().nodeCount();
            Probes p = new Probes(new HashMap<>(), new double[n], new boolean[n], new HashSet<>());
            for (StateProbe probe : net.probes()) {
                float[] v = p.tensors().computeIfAbsent(probe.tensor(), t -> {
                    float[] a = new float[probe.elements()];
                    for (int e = 0; e < a.length; e++) {
                        a[e] = r.nextInt(levels) - 1;
                    }
                    return a;
                });
                for (int e = 0; e < probe.elements(); e++) {
                    p.value()[probe.node(e)] = v[e];
                    if (probe.kind() == StateProbe.Kind.RELU && v[e] <= 0) {
                        p.off()[probe.node(e)] = true;
                    }
                }
                if (probe.kind() == StateProbe.Kind.POOL_INPUT) {
                    p.maxBlocks().add(probe.block());
                }
            }
            return p;
        }
    }

    @Test
    void maskAndEdgesEqualBruteForceReachability() {
        int checked = 0, withTies = 0;
        for (long seed = 1; seed <= 16; seed++) {
            Network net = OnnxImporter.importModel(
                    RandomNetworks.build(seed, false), "r" + seed, "r", "-", ImportOptions.DEFAULT);
            SignedGraph g = net.graph();
            int n = g.nodeCount();
            SplittableRandom r = new SplittableRandom(seed * 31);
            // random probe values: small integers, so that zeros (ReLU off) and ties (pool windows) are common
            Probes probes = Probes.draw(net, r, 4);
            Map<String, float[]> tensors = probes.tensors();
            double[] value = probes.value();
            boolean[] off = probes.off();
            Set<Integer> maxBlocks = probes.maxBlocks();
            int classes = net.outputNodes().length, predicted = r.nextInt(classes);
            int out = net.outputNodes()[predicted];
            for (int o : net.outputNodes()) {
                if (o != out) {
                    off[o] = true;
                }
            }
            // explicit edges: pooling blocks restricted to each window's maxima
            List<double[]> edges = new ArrayList<>();
            for (int b = 0; b < g.blocks().size(); b++) {
                EdgeBlock block = g.blocks().get(b);
                List<double[]> be = new ArrayList<>();
                block.forEachEdge((s, t, w) -> be.add(new double[] {s, t, w}));
                if (block instanceof PoolingBlock pb && pb.isMax() && maxBlocks.contains(b)) {
                    Map<Integer, Double> max = new HashMap<>();
                    for (double[] e : be) {
                        max.merge((int) e[1], value[(int) e[0]], Math::max);
                    }
                    Map<Integer, Integer> atMax = new HashMap<>();
                    for (double[] e : be) {
                        if (value[(int) e[0]] == max.get((int) e[1])) {
                            edges.add(e);
                            atMax.merge((int) e[1], 1, Integer::sum);
                        }
                    }
                    if (atMax.values().stream().anyMatch(c -> c > 1)) {
                        withTies++;
                    }
                } else {
                    edges.addAll(be);
                }
            }
            // backwards breadth-first search from the predicted logit over edges between surviving nodes
            Map<Integer, List<double[]>> into = new HashMap<>();
            for (double[] e : edges) {
                if (!off[(int) e[0]] && !off[(int) e[1]]) {
                    into.computeIfAbsent((int) e[1], k -> new ArrayList<>()).add(e);
                }
            }
            boolean[] reached = new boolean[n];
            reached[out] = true;
            ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(out));
            Map<Long, Integer> actEdges = new HashMap<>(); // (source, target) -> multiplicity (parallel edges count)
            long edgeCount = 0;
            double abs = 0;
            while (!queue.isEmpty()) {
                int v = queue.poll();
                for (double[] e : into.getOrDefault(v, List.of())) {
                    int s = (int) e[0];
                    actEdges.merge((long) s << 32 | v, 1, Integer::sum);
                    edgeCount++;
                    abs += Math.abs(e[2]);
                    if (!reached[s]) {
                        reached[s] = true;
                        queue.add(s);
                    }
                }
            }
            ActiveSubnetwork a = ActiveSubnetwork.of(net, tensors, 0, predicted);
            double[] mask = a.mask();
            int active = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(reached[i] ? 1.0 : 0.0, mask[i], "node " + i + ", seed " + seed);
                active += reached[i] ? 1 : 0;
            }
            assertEquals(active, a.activeNodes(), "seed " + seed);
            assertEquals(edgeCount, a.edgeCount(), "edges, seed " + seed);
            assertEquals(abs, a.absWeightSum(), 1e-9 * Math.max(1, abs), "sum |A_act|, seed " + seed);
            Map<Long, Integer> got = new HashMap<>();
            a.graph().forEachEdge((s, t, w) -> {
                if (mask[s] == 1 && mask[t] == 1) {
                    got.merge((long) s << 32 | t, 1, Integer::sum);
                }
            });
            assertEquals(actEdges, got, "the edges of A_act, seed " + seed);
            checked++;
        }
        assertEquals(16, checked);
        assertTrue(withTies >= 5, "max-pool ties exercised in " + withTies + " networks");
    }

    /**
     * The same brute force with primitive arrays on a network large enough that node sets span several of the
     * implementation's parallel chunks (SqueezeNet at 40x40: 81,768 nodes, 7.0 million edges).
     */
    @Test
    void largeNetworkSpanningManyChunks() {
        Network net = ModelLoader.load("zoo:squeezenet1.1", ImportOptions.DEFAULT.withInputSize(40, 40));
        SignedGraph g = net.graph();
        int n = g.nodeCount();
        SplittableRandom r = new SplittableRandom(3);
        Probes probes = Probes.draw(net, r, 5); // about 40 % off, many ties
        Map<String, float[]> tensors = probes.tensors();
        double[] value = probes.value();
        boolean[] off = probes.off();
        Set<Integer> maxBlocks = probes.maxBlocks();
        int predicted = 417, out = net.outputNodes()[predicted];
        for (int o : net.outputNodes()) {
            off[o] = o != out;
        }
        long m = g.edgeCount();
        int[] src = new int[(int) m], dst = new int[(int) m];
        double[] wt = new double[(int) m];
        int[] k = {0};
        double[] windowMax = new double[n];
        Arrays.fill(windowMax, Double.NEGATIVE_INFINITY);
        for (int b : maxBlocks) {
            g.blocks().get(b).forEachEdge((a, t, w) -> windowMax[t] = Math.max(windowMax[t], value[a]));
        }
        for (int b = 0; b < g.blocks().size(); b++) {
            boolean max = maxBlocks.contains(b);
            g.blocks().get(b).forEachEdge((a, t, w) -> {
                if (!max || value[a] == windowMax[t]) {
                    src[k[0]] = a;
                    dst[k[0]] = t;
                    wt[k[0]++] = w;
                }
            });
        }
        int edges = k[0];
        int[] start = new int[n + 1];
        for (int e = 0; e < edges; e++) {
            start[dst[e] + 1]++;
        }
        for (int v = 0; v < n; v++) {
            start[v + 1] += start[v];
        }
        int[] byTarget = new int[edges], fill = start.clone();
        for (int e = 0; e < edges; e++) {
            byTarget[fill[dst[e]]++] = e;
        }
        boolean[] reached = new boolean[n];
        reached[out] = true;
        ArrayDeque<Integer> queue = new ArrayDeque<>(List.of(out));
        long count = 0;
        double abs = 0;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int q = start[v]; q < start[v + 1]; q++) {
                int e = byTarget[q];
                if (off[src[e]]) {
                    continue;
                }
                count++;
                abs += Math.abs(wt[e]);
                if (!reached[src[e]]) {
                    reached[src[e]] = true;
                    queue.add(src[e]);
                }
            }
        }
        ActiveSubnetwork a = ActiveSubnetwork.of(net, tensors, 0, predicted);
        int active = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(reached[i] ? 1.0 : 0.0, a.mask()[i], "node " + i);
            active += reached[i] ? 1 : 0;
        }
        assertTrue(active > 20_000, "a large active subnetwork: " + active);
        assertEquals(active, a.activeNodes());
        assertEquals(count, a.edgeCount());
        assertEquals(abs, a.absWeightSum(), 1e-9 * abs);
        assertEquals(predicted, a.predictedClass());
        assertEquals(out, a.outputNode());
    }
}
