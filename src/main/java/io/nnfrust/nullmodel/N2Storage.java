package io.nnfrust.nullmodel;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Where null model N2 ({@link ShuffledEdges}; paper, Methods, "Null models") keeps the 4 bytes of each convolution
 * edge: a {@link Mode} and the folder of mapped files. It is a parameter of the library, chosen at the edge (the
 * command line reads {@code -Dnnfrust.n2.storage} and {@code -Dnnfrust.n2.dir} with {@link #of(Properties)});
 * nothing in {@link ShuffledEdges} reads system properties.
 *
 * @param mode      heap, mapped, or auto (mapped when the convolution weights of the networks built side by side
 *                  would take more than 40 % of the maximum heap)
 * @param mappedDir the folder of the memory-mapped weight files (used when the weights are mapped)
 */
public record N2Storage(Mode mode, Path mappedDir) {
    /** The choice of storage. */
    public enum Mode {
        /** Always on the heap. */
        HEAP,
        /** Always mapped off-heap. */
        MAPPED,
        /** Mapped when they would take over 40 % of the maximum heap. */
        AUTO
    }

    /** Auto, in {@code java.io.tmpdir}. */
    public static final N2Storage DEFAULT = new N2Storage(Mode.AUTO, Path.of(System.getProperty("java.io.tmpdir")));

    public N2Storage {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(mappedDir, "mappedDir");
    }

    /**
     * The storage named by {@code mode} (heap, mapped or auto, case-insensitive; null: auto) with mapped files in
     * {@code dir} (null: {@code java.io.tmpdir}); an unknown mode is an error naming {@code what} (where it came from).
     */
    public static N2Storage parse(String mode, Path dir, String what) {
        String p = mode == null ? "auto" : mode.strip().toLowerCase(Locale.ROOT);
        Mode m = switch (p) {
            case "heap" -> Mode.HEAP;
            case "mapped" -> Mode.MAPPED;
            case "auto" -> Mode.AUTO;
            default -> throw new NnfrustException(what + "=" + mode + " is not one of heap, mapped, auto");
        };
        return new N2Storage(m, dir != null ? dir : DEFAULT.mappedDir());
    }

    /** The storage that system properties {@code nnfrust.n2.storage} and {@code nnfrust.n2.dir} name (the edge). */
    public static N2Storage of(Properties properties) {
        String dir = properties.getProperty("nnfrust.n2.dir");
        return parse(
                properties.getProperty("nnfrust.n2.storage"),
                dir == null ? null : Path.of(dir),
                "-Dnnfrust.n2.storage");
    }

    /** This policy with the decided storage {@code s}: every network it draws then uses {@code s}. */
    public N2Storage fixed(ShuffledEdges.Storage s) {
        return new N2Storage(s == ShuffledEdges.Storage.MAPPED ? Mode.MAPPED : Mode.HEAP, mappedDir);
    }

    /**
     * The storage for N2 networks of {@code graph} built {@code sideBySide} at a time: heap or mapped as chosen;
     * auto maps them when their convolution weights would take more than 40 % of the maximum heap.
     */
    public ShuffledEdges.Storage storageFor(SignedGraph graph, int sideBySide) {
        return switch (mode) {
            case HEAP -> ShuffledEdges.Storage.HEAP;
            case MAPPED -> ShuffledEdges.Storage.MAPPED;
            case AUTO -> {
                double bytes = 4.0 * ShuffledEdges.convolutionEdges(graph) * Math.max(1, sideBySide);
                yield bytes > 0.4 * Runtime.getRuntime().maxMemory()
                        ? ShuffledEdges.Storage.MAPPED
                        : ShuffledEdges.Storage.HEAP;
            }
        };
    }
}
