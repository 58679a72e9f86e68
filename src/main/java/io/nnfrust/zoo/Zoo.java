package io.nnfrust.zoo;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.nnfrust.model.WeightInit;
import io.nnfrust.util.NnfrustException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seven networks of the paper (SI C, Table 1), generated in code as ONNX with seeded random weights.
 * Addressed as {@code zoo:NAME[?key=value&...]}; keys: {@code seed} (default 1), {@code init} (he|xavier,
 * default he), and for shufflenet {@code groups} (default 2) and {@code width} (default 0.875).
 */
public final class Zoo {
    private Zoo() {}

    /** A zoo architecture: name, default input size, description, and its builder. */
    public record Entry(String name, int inputSize, String description, Architecture builder) {}

    @FunctionalInterface
    public interface Architecture {
        ModelProto build(Spec spec, int height, int width);
    }

    /** A parsed zoo model argument. */
    public record Spec(String name, long seed, WeightInit init, Map<String, String> params) {
        public String canonical() {
            StringBuilder b = new StringBuilder("zoo:")
                    .append(name)
                    .append("?seed=")
                    .append(seed)
                    .append("&init=")
                    .append(init.label());
            new TreeMap<>(params)
                    .forEach((k, v) -> b.append('&').append(k).append('=').append(v));
            return b.toString();
        }

        public int intParam(String key, int dflt) {
            String v = params.get(key);
            try {
                return v == null ? dflt : Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new NnfrustException("zoo:" + name + ": parameter " + key + "=" + v + " is not an integer");
            }
        }

        public double doubleParam(String key, double dflt) {
            String v = params.get(key);
            try {
                return v == null ? dflt : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new NnfrustException("zoo:" + name + ": parameter " + key + "=" + v + " is not a number");
            }
        }
    }

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        register(new Entry(
                "squeezenet1.1",
                227,
                "SqueezeNet v1.1, Caffe/MATLAB form (ceil-mode pooling)",
                (s, h, w) -> SqueezeNet.build(s, h, w)));
        register(new Entry(
                "alexnet-caffe",
                227,
                "AlexNet, Caffe/MATLAB form (grouped convolutions, LRN)",
                (s, h, w) -> AlexNet.caffe(s, h, w)));
        register(new Entry("alexnet-torch", 224, "AlexNet, torchvision form", (s, h, w) -> AlexNet.torch(s, h, w)));
        register(new Entry(
                "googlenet-caffe",
                224,
                "GoogLeNet (Inception v1), Caffe/MATLAB form (LRN, 5x5 branch)",
                (s, h, w) -> GoogLeNet.caffe(s, h, w)));
        register(new Entry(
                "googlenet-torch",
                224,
                "GoogLeNet, torchvision form (batch norm, 3x3 in the 5x5 branch)",
                (s, h, w) -> GoogLeNet.torch(s, h, w)));
        register(new Entry("resnet18", 224, "ResNet-18, torchvision form", (s, h, w) -> ResNet18.build(s, h, w)));
        register(new Entry(
                "shufflenet",
                224,
                "ShuffleNet v1 (default groups=2, width 0.875: 1.43M parameters)",
                (s, h, w) -> ShuffleNet.build(s, h, w)));
    }

    private static void register(Entry e) {
        ENTRIES.put(e.name(), e);
    }

    public static List<Entry> entries() {
        return new ArrayList<>(ENTRIES.values());
    }

    public static Entry entry(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) {
            throw new NnfrustException(
                    "unknown zoo model '" + name + "'; available: " + String.join(", ", ENTRIES.keySet()));
        }
        return e;
    }

    /** Parses {@code zoo:NAME[?k=v&...]} (the {@code zoo:} prefix is optional). */
    public static Spec parse(String text) {
        String s = text.startsWith("zoo:") ? text.substring(4) : text;
        String name = s;
        Map<String, String> params = new LinkedHashMap<>();
        int q = s.indexOf('?');
        if (q >= 0) {
            name = s.substring(0, q);
            for (String kv : s.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new NnfrustException("zoo model '" + text + "': parameter '" + kv + "' is not key=value");
                }
                params.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        entry(name);
        long seed = 1;
        if (params.containsKey("seed")) {
            try {
                seed = Long.parseLong(params.remove("seed"));
            } catch (NumberFormatException e) {
                throw new NnfrustException("zoo model '" + text + "': seed is not an integer");
            }
        }
        WeightInit init = WeightInit.parse(params.getOrDefault("init", "he"));
        params.remove("init");
        for (String k : params.keySet()) {
            if (!(name.equals("shufflenet") && (k.equals("groups") || k.equals("width")))) {
                throw new NnfrustException("zoo model '" + text + "': unknown parameter '" + k + "'");
            }
        }
        return new Spec(name, seed, init, params);
    }

    /** Builds the ONNX model at its default input size, or at height x width when both are positive. */
    public static ModelProto build(Spec spec, int height, int width) {
        Entry e = entry(spec.name());
        int h = height > 0 ? height : e.inputSize();
        int w = width > 0 ? width : e.inputSize();
        return e.builder().build(spec, h, w);
    }
}
