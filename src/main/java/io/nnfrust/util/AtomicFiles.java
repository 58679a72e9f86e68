package io.nnfrust.util;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Writes a file through a temporary sibling ({@code .NAME.PID-RANDOM.tmp}) that is moved into place only when
 * complete. Temporary files left by killed runs (their process no longer alive) are removed the next time the
 * same file is written, so they do not pile up.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * A temporary file is created owner-only (0600); results are ordinary files, so the file gets the
     * permissions of the file it replaces, or rw-r--r-- for a new one (POSIX file systems only).
     */
    private static void readableLikeAnOrdinaryFile(Path tmp, Path target) {
        try {
            var perms = Files.exists(target)
                    ? Files.getPosixFilePermissions(target)
                    : PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: keep the default
        }
    }

    public static void write(Path target, Writer writer) {
        Path tmp = writeTemp(target, writer);
        try {
            moveIntoPlace(tmp, target);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Writes the content to a fresh temporary sibling of {@code target} and returns it (not yet moved). */
    static Path writeTemp(Path target, Writer writer) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new NnfrustException("output directory does not exist: " + dir);
        }
        if (Files.isDirectory(abs)) {
            throw new NnfrustException("cannot write " + target + ": it is a folder");
        }
        removeStaleTemps(abs);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(
                    dir, "." + abs.getFileName() + "." + ProcessHandle.current().pid() + "-", ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(out);
            }
            readableLikeAnOrdinaryFile(tmp, abs);
            Path done = tmp;
            tmp = null;
            return done;
        } catch (IOException e) {
            throw new NnfrustException("cannot write " + target + ": " + e.getMessage());
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Moves a temporary file written by {@link #writeTemp} onto {@code target} (atomically where possible). */
    static void moveIntoPlace(Path tmp, Path target) {
        Path abs = target.toAbsolutePath();
        try {
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new NnfrustException("cannot write " + target + ": " + e.getMessage());
        }
    }

    public static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Removes {@code .NAME.PID-*.tmp} siblings of {@code target} whose process is no longer alive. */
    static void removeStaleTemps(Path abs) {
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) {
            return;
        }
        String prefix = "." + abs.getFileName() + ".";
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.startsWith(prefix) && n.endsWith(".tmp");
                    })
                    .forEach(p -> {
                        String rest = p.getFileName().toString().substring(prefix.length());
                        int dash = rest.indexOf('-');
                        long pid;
                        try {
                            pid = Long.parseLong(
                                    dash < 0 ? rest.substring(0, rest.length() - 4) : rest.substring(0, dash));
                        } catch (NumberFormatException e) {
                            return;
                        }
                        if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                            deleteQuietly(p);
                        }
                    });
        } catch (IOException | RuntimeException ignored) {
            // listing is best effort
        }
    }
}
