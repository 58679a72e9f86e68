package io.nnfrust.graph;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One float per edge, for blocks without weight sharing (N2's {@link PerEdgeConvolutionBlock}): on the Java heap,
 * or off-heap in a memory-mapped temporary file, so that a billion-edge N2 network (6 GB for ResNet-18) does not
 * need a 6 GB heap. A mapped file is deleted as soon as it is mapped (nothing is left behind, even after a
 * crash); its pages live in the operating system's page cache and are written back to the file system only
 * under memory pressure. {@link #release} unmaps at once instead of waiting for the garbage collector; using
 * the weights afterwards throws instead of touching unmapped memory.
 */
public final class EdgeWeights {
    /** Floats per mapping: one MappedByteBuffer covers at most 2^31 - 1 bytes. */
    public static final long MAX_MAPPED = (Integer.MAX_VALUE - 7) / 4;

    private volatile FloatBuffer buffer;
    private final MappedByteBuffer mapped;
    private final int size;

    private EdgeWeights(FloatBuffer buffer, MappedByteBuffer mapped) {
        this.buffer = buffer;
        this.mapped = mapped;
        this.size = buffer.capacity();
    }

    /** Weights on the heap (wrapped, not copied). */
    public static EdgeWeights heap(float[] weights) {
        return new EdgeWeights(FloatBuffer.wrap(weights), null);
    }

    /** Heap or mapped. */
    public boolean isMapped() {
        return mapped != null;
    }

    public int size() {
        return size;
    }

    /**
     * Zero-filled weights of the given sizes, mapped from one temporary file in {@code dir} (deleted at once).
     *
     * @throws IllegalArgumentException when one size exceeds {@link #MAX_MAPPED}
     */
    public static EdgeWeights[] mapped(Path dir, long[] sizes) {
        long total = 0;
        for (long s : sizes) {
            if (s < 0 || s > MAX_MAPPED) {
                throw new IllegalArgumentException(
                        "a block of " + s + " edges does not fit one memory mapping (at most " + MAX_MAPPED + ")");
            }
            total += 4 * s;
        }
        EdgeWeights[] out = new EdgeWeights[sizes.length];
        try {
            Path file = Files.createTempFile(dir, "nnfrust-n2-", ".f32");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (total > 0) {
                    ch.position(total - 1);
                    ch.write(ByteBuffer.wrap(new byte[1])); // a sparse file of the full length
                }
                long at = 0;
                for (int i = 0; i < sizes.length; i++) {
                    MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, at, 4 * sizes[i]);
                    m.order(ByteOrder.nativeOrder());
                    out[i] = new EdgeWeights(m.asFloatBuffer(), m);
                    at += 4 * sizes[i];
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            for (EdgeWeights w : out) {
                if (w != null) {
                    w.release();
                }
            }
            throw new UncheckedIOException(
                    "cannot map " + total + " bytes of N2 weights in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The floats (absolute indexing from 0). */
    public FloatBuffer buffer() {
        FloatBuffer b = buffer;
        if (b == null) {
            throw new IllegalStateException("these edge weights were released");
        }
        return b;
    }

    /**
     * Unmaps a mapped store now (a heap store is only dropped). Callers must be done with every block that uses
     * it; later use throws {@link IllegalStateException}.
     */
    public synchronized void release() {
        if (buffer == null) {
            return;
        }
        buffer = null;
        if (mapped != null) {
            Unmapper.unmap(mapped);
        }
    }

    /** sun.misc.Unsafe.invokeCleaner, the JDK's supported way to unmap a MappedByteBuffer before GC. */
    private static final class Unmapper {
        private static final MethodHandle INVOKE_CLEANER = find();

        private static MethodHandle find() {
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                Object unsafe = f.get(null);
                return MethodHandles.lookup()
                        .findVirtual(c, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                        .bindTo(unsafe);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // the mapping then goes when the buffer is garbage-collected
            }
        }

        static void unmap(MappedByteBuffer m) {
            if (INVOKE_CLEANER != null) {
                try {
                    INVOKE_CLEANER.invokeExact((ByteBuffer) m);
                } catch (Throwable ignored) {
                    // left to the garbage collector
                }
            }
        }
    }
}
