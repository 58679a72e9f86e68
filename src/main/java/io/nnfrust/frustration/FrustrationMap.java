package io.nnfrust.frustration;

import io.nnfrust.graph.EdgeBlock;
import io.nnfrust.graph.SignedGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the frustration sits: for each edge block and each node set its input comes from, the total |weight|
 * and the frustrated weight (edges with s_i A_ij s_j < 0) of its edges from that set. Computed matrix-free with
 * two products per block; the frustrated weights sum to e(s) · sum|A|.
 */
public final class FrustrationMap {
    private FrustrationMap() {}

    /** One (source node set, edge block) entry. */
    public record Entry(
            String block, String kind, String fromSet, String toSet, double absWeight, double frustratedWeight) {
        public double fraction() {
            return absWeight > 0 ? frustratedWeight / absWeight : 0;
        }
    }

    public static List<Entry> compute(SignedGraph g, double[] s) {
        List<Entry> out = new ArrayList<>();
        double[] z = new double[s.length];
        double[] ones = new double[s.length];
        Arrays.fill(ones, 1);
        List<List<SignedGraph.PartitionRange>> bySet = g.inputRangesBySet();
        Map<EdgeBlock, EdgeBlock> absolute = new IdentityHashMap<>();
        for (int set = 0; set < bySet.size(); set++) {
            for (SignedGraph.PartitionRange r : bySet.get(set)) {
                EdgeBlock b = r.block();
                EdgeBlock abs = absolute.computeIfAbsent(b, EdgeBlock::absolute);
                String to = g.nodeSets().get(g.setOf(b.outputOffset())).name();
                b.multiplyTranspose(s, z, r.from(), r.to());
                double sas = dot(b, r, s, z);
                abs.multiplyTranspose(ones, z, r.from(), r.to());
                double absW = dot(b, r, ones, z);
                out.add(new Entry(b.name(), b.kind(), g.nodeSets().get(set).name(), to, absW, (absW - sas) / 2));
            }
        }
        return out;
    }

    /** sum over the range's input nodes of x_i z_i; clears z there. */
    private static double dot(EdgeBlock b, SignedGraph.PartitionRange r, double[] x, double[] z) {
        double acc = 0;
        int size = b.inputPartitionSize();
        for (int p = r.from(); p < r.to(); p++) {
            int base = b.inputPartitionNode(p);
            for (int k = 0; k < size; k++) {
                acc += x[base + k] * z[base + k];
                z[base + k] = 0;
            }
        }
        return acc;
    }
}
