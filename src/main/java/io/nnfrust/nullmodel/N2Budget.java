package io.nnfrust.nullmodel;

import io.nnfrust.graph.SignedGraph;
import io.nnfrust.util.MemoryCheck;
import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The memory and disk that N2 networks ({@link ShuffledEdges}) need while they are solved: one float per learnable
 * edge (docs/nullmodels.md) and 48 bytes per node for the solve. {@link #require} chooses the storage of the networks
 * built side by side and refuses up front, in one line, a run that would not fit in the heap or in the mapping
 * folder, instead of failing after hours of other solves.
 */
public final class N2Budget {
    private N2Budget() {}

    /**
     * The storage for {@code networks} N2 networks of {@code real} solved with {@code threads} threads (so at most
     * min(threads, networks) side by side), decided by {@code policy}; refused (a one-line {@link NnfrustException})
     * when they would not fit in the heap, or when mapped, in the free space of {@code policy.mappedDir()}.
     *
     * @return {@code policy} with the storage decided ({@link N2Storage#fixed})
     */
    public static N2Storage require(SignedGraph real, long networks, int threads, N2Storage policy) {
        int side = (int) Math.max(1, Math.min(Math.max(1, threads), networks));
        ShuffledEdges.Storage storage = policy.storageFor(real, side);
        if (networks == 0) {
            return policy.fixed(storage);
        }
        double bytes = side * bytes(real, storage);
        long gib = (long) Math.ceil((bytes
                                + (Runtime.getRuntime().totalMemory()
                                        - Runtime.getRuntime().freeMemory()))
                        / 1073741824.0
                        * 1.2)
                + 1;
        MemoryCheck.require(
                String.format(
                        Locale.ROOT,
                        "%d null network%s N2 built side by side (%,d learnable edges at 4 bytes each%s)",
                        side,
                        side == 1 ? "" : "s",
                        ShuffledEdges.learnableEdges(real),
                        storage == ShuffledEdges.Storage.MAPPED ? ", convolutions mapped off-heap" : ""),
                bytes,
                "raise the heap with NNFRUST_JAVA_OPTS=-Xmx" + gib + "g"
                        + (side > 1 ? ", or use --threads 1 (results do not depend on it)" : "")
                        + ", or leave N2 out of --nulls");
        if (storage == ShuffledEdges.Storage.MAPPED) {
            Path dir = policy.mappedDir();
            double disk = side * 4.0 * ShuffledEdges.convolutionEdges(real);
            if (!Files.isDirectory(dir)) {
                throw new NnfrustException("N2 weights are mapped in " + dir + ", which is not a folder; choose one "
                        + "with NNFRUST_JAVA_OPTS=-Dnnfrust.n2.dir=DIR");
            }
            long free;
            try {
                free = Files.getFileStore(dir).getUsableSpace();
            } catch (IOException e) {
                throw new NnfrustException("N2 weights are mapped in " + dir + ", which cannot be used ("
                        + e.getMessage() + "); choose a folder with -Dnnfrust.n2.dir=DIR");
            }
            if (disk > free) {
                throw new NnfrustException(String.format(
                        Locale.ROOT,
                        "%d null network%s N2 side by side map %.1f GiB of weights in %s, which has %.1f GiB free; "
                                + "choose a larger folder with NNFRUST_JAVA_OPTS=-Dnnfrust.n2.dir=DIR%s",
                        side,
                        side == 1 ? "" : "s",
                        disk / 1073741824.0,
                        dir,
                        free / 1073741824.0,
                        side > 1 ? ", or use --threads 1 (results do not depend on it)" : ""));
            }
        }
        return policy.fixed(storage);
    }

    /** Heap bytes of one N2 network of {@code real} being solved, with the storage {@code policy} picks for one. */
    public static double bytes(SignedGraph real, N2Storage policy) {
        return bytes(real, policy.storageFor(real, 1));
    }

    /**
     * Heap bytes of one N2 network of {@code real} being solved: 4 per learnable edge on the heap (all of them, or
     * only the dense ones when convolutions are mapped), 48 per node for the solve.
     */
    public static double bytes(SignedGraph real, ShuffledEdges.Storage storage) {
        long heapEdges = ShuffledEdges.learnableEdges(real)
                - (storage == ShuffledEdges.Storage.MAPPED ? ShuffledEdges.convolutionEdges(real) : 0);
        return 4.0 * heapEdges + 48.0 * real.nodeCount();
    }
}
