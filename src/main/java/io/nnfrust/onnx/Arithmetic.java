package io.nnfrust.onnx;

import ai.onnx.proto.OnnxMl.NodeProto;
import io.nnfrust.graph.IdentityBlock;
import io.nnfrust.graph.NodeSet;
import io.nnfrust.graph.PlaneLayout;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.LayerInfo;
import io.nnfrust.util.NnfrustException;
import java.util.Arrays;
import java.util.List;

/**
 * Element-wise arithmetic. With a constant operand: {@code Add}/{@code Sub} of a constant is a bias (acts on
 * nodes), {@code Mul}/{@code Div} by a positive constant is a positive scale (node-wise, monotone). Between two
 * activations: {@code Add} is a residual sum (paper SI D.1, {@link AddConvention}); a product or quotient of two
 * activations is a multiplicative gate, outside the paper's model, and is refused naming the construct.
 */
final class Arithmetic {
    static final String WAY_OUT = "nnfrust models networks whose non-linearities are monotone node-wise functions "
            + "(paper SI D.2): replace it by a monotone activation such as ReLU and re-export, or use a network "
            + "without it (docs/conventions.md, 'Refused constructs')";

    private Arithmetic() {}

    static void register(OperatorRegistry r) {
        r.register("Add", Arithmetic::add);
        r.register("Sub", Arithmetic::sub);
        r.register("Mul", (n, c) -> scale(n, c, false));
        r.register("Div", (n, c) -> scale(n, c, true));
    }

    private static Value bias(ImportContext.Op n, ImportContext c, int activationIndex) {
        Value x = c.activation(n, activationIndex);
        ConstTensor k = c.constant(n.input(1 - activationIndex));
        checkBroadcast(n, x, k);
        Value v = x.alias(n.output(), x.shape, n.proto().getOpType());
        c.addParamsToRow(x, k.size());
        return v;
    }

    private static void checkBroadcast(ImportContext.Op n, Value x, ConstTensor k) {
        int[] out = ShapeOps.broadcast(x.shape, k.dims, n.where());
        if (!Arrays.equals(out, x.shape)) {
            throw new NnfrustException(n.where() + ": the constant " + ImportContext.shapeText(k.dims)
                    + " would broadcast the activation " + ImportContext.shapeText(x.shape) + " to "
                    + ImportContext.shapeText(out) + "; only constants that fit the activation are supported");
        }
    }

    static Value add(ImportContext.Op n, ImportContext c) {
        if (n.proto().getInputCount() != 2) {
            throw new NnfrustException(n.where() + ": expected two inputs");
        }
        boolean c0 = c.isConstant(n.input(0)), c1 = c.isConstant(n.input(1));
        if (c0 || c1) {
            return bias(n, c, c0 ? 1 : 0);
        }
        Value a = c.activation(n, 0), b = c.activation(n, 1);
        if (!Arrays.equals(a.shape, b.shape)) {
            throw new NnfrustException(n.where() + ": addends have different shapes " + ImportContext.shapeText(a.shape)
                    + " and " + ImportContext.shapeText(b.shape)
                    + " (broadcasting between activations is not supported)");
        }
        List<Value> addends = List.of(a, b);
        Value target = null;
        if (c.options.add() == AddConvention.MERGE) {
            for (Value v : addends) {
                if (mergeable(v, c)) {
                    target = v;
                    break;
                }
            }
        }
        int[] shape = a.shape;
        PlaneLayout probe = c.planes(a, n);
        long edges = 0;
        double abs = 0;
        String label = n.label();
        if (target != null) {
            for (Value v : addends) {
                if (v != target) {
                    IdentityBlock ib = new IdentityBlock(label + "<-" + v.tensor, c.planes(v, n), target.offset);
                    c.blocks.add(ib);
                    edges += ib.edgeCount();
                    abs += ib.absWeightSum();
                }
            }
            c.rows.add(new LayerInfo(label, "Add", ImportContext.shapeText(shape), 0, edges, 0, abs));
            Value out = target.alias(n.output(), shape, "Add");
            out.weightProduced = true;
            return out;
        }
        NodeSet set = c.newSet(label, "Add", probe.channels, probe.height, probe.width);
        for (Value v : addends) {
            IdentityBlock ib = new IdentityBlock(label + "<-" + v.tensor, c.planes(v, n), set.offset());
            c.blocks.add(ib);
            edges += ib.edgeCount();
            abs += ib.absWeightSum();
        }
        c.rowOfSet.put(set.index(), c.rows.size());
        c.rows.add(new LayerInfo(label, "Add", ImportContext.shapeText(shape), set.size(), edges, 0, abs));
        Value out = c.setValue(n.output(), shape, set, "Add");
        out.weightProduced = false;
        return out;
    }

    /** The addend is a whole node set made by a weight layer, reaching this Add through nothing else. */
    private static boolean mergeable(Value v, ImportContext c) {
        if (!v.wholeSet() || !v.weightProduced) {
            return false;
        }
        for (Value w = v; w != null; w = w.parent) {
            if (c.useCount.getOrDefault(w.tensor, 0) != 1) {
                return false;
            }
            if (w.parent != null && w.parent.set != v.set) {
                break;
            }
        }
        return true;
    }

    private static Value sub(ImportContext.Op n, ImportContext c) {
        boolean c0 = c.isConstant(n.input(0)), c1 = c.isConstant(n.input(1));
        if (c1 && !c0) {
            return bias(n, c, 0);
        }
        if (c0) {
            throw new NnfrustException(n.where() + ": constant minus activation negates the activation, which is "
                    + "not a monotone non-decreasing node-wise function; " + WAY_OUT);
        }
        throw new NnfrustException(n.where() + ": a difference of two activations is not supported (only residual "
                + "sums, Add); " + WAY_OUT);
    }

    private static Value scale(ImportContext.Op n, ImportContext c, boolean divide) {
        boolean c0 = c.isConstant(n.input(0)), c1 = c.isConstant(n.input(1));
        String op = n.proto().getOpType();
        if (c0 && divide) {
            throw new NnfrustException(n.where() + ": a constant divided by an activation is decreasing, not a "
                    + "monotone activation; " + WAY_OUT);
        }
        if (c0 || c1) {
            int ai = c0 ? 1 : 0;
            Value x = c.activation(n, ai);
            ConstTensor k = c.constant(n.input(1 - ai));
            checkBroadcast(n, x, k);
            double[] v = k.reals();
            for (int i = 0; i < v.length; i++) {
                if (!(v[i] > 0) || Double.isInfinite(v[i])) {
                    throw new NnfrustException(n.where() + ": " + (divide ? "divisor " : "factor ") + v[i]
                            + " at index " + i + " is not a positive number; only a positive constant scale acts on "
                            + "nodes as a monotone function (a negative one would flip edge signs)");
                }
            }
            return x.alias(n.output(), x.shape, op);
        }
        throw new NnfrustException(n.where() + ": " + (divide ? "a quotient" : "a product") + " of two activations ("
                + gateConstruct(n, c) + ") is a multiplicative interaction, outside the paper's model; " + WAY_OUT);
    }

    /** Names the usual multiplicative construct behind a Mul of two activations. */
    static String gateConstruct(ImportContext.Op n, ImportContext c) {
        for (int i = 0; i < 2; i++) {
            NodeProto p = c.producers.get(n.input(i));
            String other = n.input(1 - i);
            if (p != null && p.getInputCount() > 0 && p.getInput(0).equals(other)) {
                switch (p.getOpType()) {
                    case "Sigmoid" -> {
                        return "SiLU/Swish x·sigmoid(x)";
                    }
                    case "HardSigmoid" -> {
                        return "HardSwish x·hardsigmoid(x)";
                    }
                    case "Tanh" -> {
                        return "x·tanh(...) (Mish-like)";
                    }
                    default -> {}
                }
            }
        }
        Value a = c.values.get(n.input(0)), b = c.values.get(n.input(1));
        if (a != null && b != null && a.shape.length == 4 && b.shape.length == 4) {
            boolean aGate = a.shape[2] == 1 && a.shape[3] == 1, bGate = b.shape[2] == 1 && b.shape[3] == 1;
            if (aGate != bGate) {
                return "squeeze-and-excitation channel gate x·g(x)";
            }
        }
        if (reaches(n.input(0), "Erf", c, 6) || reaches(n.input(1), "Erf", c, 6)) {
            return "GELU x·Φ(x)";
        }
        return "a gate or attention product";
    }

    private static boolean reaches(String tensor, String op, ImportContext c, int depth) {
        NodeProto p = c.producers.get(tensor);
        if (p == null || depth == 0) {
            return false;
        }
        if (p.getOpType().equals(op)) {
            return true;
        }
        for (String in : p.getInputList()) {
            if (reaches(in, op, c, depth - 1)) {
                return true;
            }
        }
        return false;
    }
}
