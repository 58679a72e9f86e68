package io.nnfrust.model;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a {@link Network} came from, set by whoever imported it: an ONNX file, a built-in zoo architecture with
 * its seed and initialisation, the N3 null network of another network (Methods, "Null models"; SI section C), or
 * a model built in memory. Every origin has the text written as {@code source} in the model identity of each
 * output and the SHA-256 of the ONNX bytes the graph was imported from.
 */
public sealed interface ModelOrigin
        permits ModelOrigin.OnnxFile, ModelOrigin.ZooModel, ModelOrigin.ReinitializedN3, ModelOrigin.InMemory {

    /** The model as the user named it: a file path or a zoo spec, as given. */
    String source();

    /** SHA-256 (hex) of the ONNX model bytes the graph was imported from. */
    String sha256();

    /**
     * An ONNX file.
     *
     * @param path   the path as given (kept as text, so that outputs repeat it exactly)
     * @param sha256 SHA-256 of the file's bytes
     */
    record OnnxFile(String path, String sha256) implements ModelOrigin {
        public OnnxFile {
            requireText(path, "path");
            requireText(sha256, "sha256");
        }

        /** The file. */
        public Path file() {
            return Path.of(path);
        }

        @Override
        public String source() {
            return path;
        }
    }

    /**
     * A zoo architecture generated as ONNX with random weights (not trained).
     *
     * @param spec         the spec as given, e.g. {@code zoo:squeezenet1.1?seed=3}
     * @param canonical    the spec with every default spelled out, e.g. {@code zoo:squeezenet1.1?seed=3&init=he}
     * @param architecture the architecture's name in the zoo
     * @param seed         seed of the weight draws
     * @param init         the weight initialisation
     * @param params       the architecture's further parameters as given (e.g. {@code groups}), in their order
     * @param sha256       SHA-256 of the generated ONNX bytes
     */
    record ZooModel(
            String spec,
            String canonical,
            String architecture,
            long seed,
            WeightInit init,
            Map<String, String> params,
            String sha256)
            implements ModelOrigin {
        public ZooModel {
            requireText(spec, "spec");
            requireText(canonical, "canonical");
            requireText(architecture, "architecture");
            Objects.requireNonNull(init, "init");
            requireText(sha256, "sha256");
            params = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(params, "params")));
        }

        @Override
        public String source() {
            return spec;
        }
    }

    /**
     * Null model N3 of another network as a runnable model: every convolution and dense weight redrawn from
     * {@code init} with {@code seed}, written back into the parent's ONNX model and imported again.
     *
     * @param parent the network whose weights were redrawn
     * @param init   the weight initialisation
     * @param seed   seed of the draws
     * @param sha256 SHA-256 of the rewritten ONNX bytes
     */
    record ReinitializedN3(ModelOrigin parent, WeightInit init, long seed, String sha256) implements ModelOrigin {
        public ReinitializedN3 {
            Objects.requireNonNull(parent, "parent");
            Objects.requireNonNull(init, "init");
            requireText(sha256, "sha256");
        }

        /** The parent's source: the N3 network is drawn from that model. */
        @Override
        public String source() {
            return parent.source();
        }

        /** {@code N3-<init>-<seed>}, e.g. {@code N3-he-1}: the suffix of the network's name. */
        public String label() {
            return "N3-" + init.label() + "-" + seed;
        }
    }

    /**
     * A model built or parsed in memory by a program (tests, generated models), described by its caller.
     *
     * @param label  what the caller calls it (written as its source)
     * @param sha256 SHA-256 of its bytes, or any marker the caller chose (e.g. {@code -})
     */
    record InMemory(String label, String sha256) implements ModelOrigin {
        public InMemory {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(sha256, "sha256");
        }

        @Override
        public String source() {
            return label;
        }
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }
}
