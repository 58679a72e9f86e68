package io.nnfrust.testing;

import io.nnfrust.graph.CsrMatrix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Edge lists compared as sorted multisets. */
public final class Edges {
    private Edges() {}

    public record Edge(int source, int target, double weight) {}

    public static final Comparator<Edge> ORDER =
            Comparator.comparingInt(Edge::target).thenComparingInt(Edge::source).thenComparingDouble(Edge::weight);

    public static List<Edge> sorted(List<Edge> edges) {
        List<Edge> l = new ArrayList<>(edges);
        l.sort(ORDER);
        return l;
    }

    public static List<Edge> ofCsr(CsrMatrix m) {
        List<Edge> l = new ArrayList<>();
        for (int i = 0; i < m.n; i++) {
            for (int k = m.rowStart[i]; k < m.rowStart[i + 1]; k++) {
                l.add(new Edge(m.column[k], i, m.value[k]));
            }
        }
        return sorted(l);
    }
}
