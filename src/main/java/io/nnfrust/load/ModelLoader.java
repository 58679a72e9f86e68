package io.nnfrust.load;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.CodedInputStream;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.ModelOrigin;
import io.nnfrust.model.Network;
import io.nnfrust.onnx.OnnxImporter;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.zoo.Zoo;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Resolves a model argument ({@code zoo:NAME[?k=v&...]} or an .onnx path) to a {@link Network} whose
 * {@link ModelOrigin} ({@link ModelOrigin.ZooModel} or {@link ModelOrigin.OnnxFile}) says where it came from.
 */
public final class ModelLoader {
    private ModelLoader() {}

    public static Network load(String spec, ImportOptions options) {
        return loadWithModel(spec, options).network();
    }

    /** A network together with the ONNX model it was imported from (for inference on the same model). */
    public record Loaded(ModelProto model, Network network) {}

    public static Loaded loadWithModel(String spec, ImportOptions options) {
        if (spec.startsWith("zoo:")) {
            Zoo.Spec z = Zoo.parse(spec);
            ModelProto proto = Zoo.build(
                    z,
                    options.overridesInput() ? options.inputHeight() : 0,
                    options.overridesInput() ? options.inputWidth() : 0);
            var origin = new ModelOrigin.ZooModel(
                    spec, z.canonical(), z.name(), z.seed(), z.init(), z.params(), sha256(proto));
            return new Loaded(proto, OnnxImporter.importModel(proto, z.canonical(), origin, options));
        }
        Path path = Path.of(spec);
        byte[] bytes = readFile(path);
        ModelProto proto = parse(bytes, spec);
        var origin = new ModelOrigin.OnnxFile(spec, sha256(bytes));
        return new Loaded(
                proto, OnnxImporter.importModel(proto, path.getFileName().toString(), origin, options));
    }

    public static byte[] readFile(Path path) {
        if (!Files.exists(path)) {
            String bare = path.toString().toLowerCase(Locale.ROOT).replaceAll("\\.onnx$", "");
            boolean zoo = Zoo.entries().stream().anyMatch(e -> e.name().equals(bare));
            throw new NnfrustException("model file not found: " + path
                    + (zoo
                            ? "; did you mean the built-in zoo:" + bare + " (random weights, see 'nnfrust zoo list')?"
                            : ""));
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new NnfrustException("model path is not a readable file: " + path);
        }
        try {
            return Files.readAllBytes(path);
        } catch (IOException | OutOfMemoryError e) {
            throw new NnfrustException("cannot read model file " + path + ": " + e.getMessage());
        }
    }

    /** Parses ONNX bytes; a truncated or non-ONNX file gives a one-line {@link NnfrustException}. */
    public static ModelProto parse(byte[] bytes, String source) {
        if (bytes.length == 0) {
            throw new NnfrustException(source + ": empty file, not an ONNX model");
        }
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setSizeLimit(Integer.MAX_VALUE);
            in.setRecursionLimit(256);
            proto = ModelProto.parseFrom(in);
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
            throw new NnfrustException(
                    source + ": not a valid ONNX model (truncated or corrupt protobuf: " + why + ")");
        }
        if (!proto.getUnknownFields().asMap().isEmpty() || !proto.hasGraph() || proto.getIrVersion() <= 0) {
            throw new NnfrustException(source + ": not an ONNX model (no ir_version or graph found)");
        }
        return proto;
    }

    /** SHA-256 of a model's serialised bytes (zoo models: the generated ONNX, streamed, never held twice). */
    public static String sha256(ModelProto proto) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (var out = new DigestOutputStream(OutputStream.nullOutputStream(), d)) {
                var buffered = new BufferedOutputStream(out, 1 << 16);
                proto.writeTo(buffered);
                buffered.flush();
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
