package io.nnfrust.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void newFilesAreOrdinaryAndReplacedFilesKeepTheirPermissions() throws Exception {
        Path f = dir.resolve("out.json");
        AtomicFiles.write(f, os -> os.write("a".getBytes()));
        assertEquals("a", Files.readString(f));
        if (!f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.write(f, os -> os.write("b".getBytes()));
        assertEquals("b", Files.readString(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        // a failing writer leaves the old file and no temporary behind
        assertThrows(RuntimeException.class, () -> AtomicFiles.write(f, os -> {
            os.write("partial".getBytes());
            throw new java.io.IOException("disk full");
        }));
        assertEquals("b", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }
}
