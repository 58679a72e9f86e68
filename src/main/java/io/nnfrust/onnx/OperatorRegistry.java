package io.nnfrust.onnx;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operator converters, keyed by (operator type, first opset of the semantics). {@link #find} returns the
 * converter registered for the highest version not above the model's opset, the way onnx2torch keys its
 * converters by (domain, operator, version). Operators outside the paper's model are registered with
 * {@link #refuse}: their message names the construct and the way out. Adding an operator: one converter in its
 * family class, one line in {@link #standard()}, one test (docs/conventions.md, "Operators").
 */
final class OperatorRegistry {
    private final Map<String, TreeMap<Integer, OperatorConverter>> converters = new TreeMap<>();
    private final Map<String, String> refused = new TreeMap<>();

    void register(String op, int sinceOpset, OperatorConverter c) {
        converters.computeIfAbsent(op, k -> new TreeMap<>()).put(sinceOpset, c);
    }

    void register(String op, OperatorConverter c) {
        register(op, 1, c);
    }

    /** An operator outside the paper's model: {@code why} completes "Op node 'x': ...". */
    void refuse(String op, String why) {
        refused.put(op, why);
    }

    OperatorConverter find(String op, int opset) {
        TreeMap<Integer, OperatorConverter> m = converters.get(op);
        if (m == null) {
            return null;
        }
        var e = m.floorEntry(opset);
        return e == null ? m.firstEntry().getValue() : e.getValue();
    }

    String refusal(String op) {
        return refused.get(op);
    }

    Set<String> operators() {
        return converters.keySet();
    }

    Set<String> refusedOperators() {
        return refused.keySet();
    }

    /** The opsets at which {@code op}'s converters start (empty when it has none). */
    Set<Integer> opsets(String op) {
        TreeMap<Integer, OperatorConverter> m = converters.get(op);
        return m == null ? Set.of() : m.keySet();
    }

    private static final OperatorRegistry STANDARD = build();

    static OperatorRegistry standard() {
        return STANDARD;
    }

    /** A fresh registry with every family's converters (the shared one is built once). */
    static OperatorRegistry build() {
        OperatorRegistry r = new OperatorRegistry();
        WeightLayers.register(r);
        Pooling.register(r);
        NodeWise.register(r);
        Arithmetic.register(r);
        Views.register(r);
        Refused.register(r);
        return r;
    }
}
