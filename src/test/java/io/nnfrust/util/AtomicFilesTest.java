package io.nnfrust.util;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertThrows(
                RuntimeException.class,
                () -> AtomicFiles.write(f, os -> {
                    os.write("partial".getBytes());
                    throw new IOException("disk full");
                }));
        assertEquals("b", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void temporaryFilesOfDeadRunsAreRemovedAndAnOutputSetAppearsTogether() throws Exception {
        Path f = dir.resolve("r.json");
        // a temp file of a killed run (its process is gone) and one of a live process (this one)
        Path dead = dir.resolve(".r.json.2147483646-123.tmp"),
                live = dir.resolve(".r.json." + ProcessHandle.current().pid() + "-456.tmp");
        Files.writeString(dead, "x");
        Files.writeString(live, "y");
        AtomicFiles.write(f, os -> os.write("a".getBytes()));
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(live), "a running process's temp file is left alone");
        Files.delete(live);
        Path g = dir.resolve("s.spins");
        OutputSet set = new OutputSet().file("--output", f).file("--spins", g);
        set.stage(f, os -> os.write("new".getBytes()));
        set.stage(g, os -> os.write("spins".getBytes()));
        assertEquals("a", Files.readString(f), "nothing appears before the commit");
        assertFalse(Files.exists(g));
        set.commit();
        assertEquals("new", Files.readString(f));
        assertEquals("spins", Files.readString(g));
        OutputSet failed = new OutputSet();
        failed.stage(f, os -> os.write("half".getBytes()));
        failed.discard();
        assertEquals("new", Files.readString(f));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files");
        }
        assertThrows(NnfrustException.class, () -> new OutputSet().file("--output", dir.resolve("nope/x.json")));
        assertThrows(NnfrustException.class, () -> new OutputSet().file("--output", dir));
    }
}
