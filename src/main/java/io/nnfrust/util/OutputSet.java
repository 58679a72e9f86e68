package io.nnfrust.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files one run writes, handled as one set: every path is checked before any work ({@link #file},
 * {@link #folder}), each file is written to a temporary sibling as its content is ready ({@link #stage}), and all
 * are moved into place together at the end ({@link #commit}). A run that fails or is killed before the commit
 * leaves the previous run's files untouched (no new spin file beside an old JSON); its temporary files are
 * removed on failure, or by the next run when it was killed.
 */
public final class OutputSet {
    private final Map<Path, String> planned = new LinkedHashMap<>();
    private final List<Path[]> staged = new ArrayList<>();
    private final List<Path> removed = new ArrayList<>();

    /**
     * Plans the output file given by {@code option} (null: none) and checks now that it can be written: its folder
     * exists and accepts a new file, and the path is not a folder. Returns {@code this}.
     */
    public OutputSet file(String option, Path target) {
        if (target == null) {
            return this;
        }
        Path abs = target.toAbsolutePath().normalize();
        if (planned.containsKey(abs)) {
            throw new NnfrustException(option + " " + target + " is also given as " + planned.get(abs)
                    + "; give each output its own file");
        }
        if (Files.isDirectory(abs)) {
            throw new NnfrustException(option + " " + target + " is a folder; give a file name");
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            throw new NnfrustException(option + " " + target + " exists and is not writable");
        }
        probeFolder(option, target, abs.getParent());
        planned.put(abs, option);
        return this;
    }

    /** Checks the output folder given by {@code option} (created now when only its parent exists). */
    public OutputSet folder(String option, Path dir) {
        if (dir == null) {
            return this;
        }
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new NnfrustException(option + " " + dir + " exists and is not a folder");
        }
        if (!Files.exists(abs)) {
            if (abs.getParent() == null || !Files.isDirectory(abs.getParent())) {
                throw new NnfrustException(
                        option + " " + dir + ": folder " + abs.getParent() + " does not exist; create it first");
            }
            try {
                Files.createDirectory(abs);
            } catch (IOException e) {
                throw new NnfrustException(option + " " + dir + ": cannot create the folder (" + e.getMessage() + ")");
            }
        }
        probeFolder(option, dir, abs);
        return this;
    }

    private static void probeFolder(String option, Path target, Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NnfrustException(option + " " + target + ": folder " + dir + " does not exist; create it first");
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".nnfrust-write-check-", ".tmp");
        } catch (IOException | SecurityException e) {
            throw new NnfrustException(option + " " + target + ": cannot write in folder " + dir + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "); choose another place");
        } finally {
            AtomicFiles.deleteQuietly(probe);
        }
    }

    /** Writes one file of the set to its temporary sibling; it appears under its name at {@link #commit}. */
    public void stage(Path target, AtomicFiles.Writer writer) {
        Path tmp = AtomicFiles.writeTemp(target, writer);
        staged.add(new Path[] {tmp, target});
    }

    /** Removes {@code target} at {@link #commit} (a file of an earlier run that this run does not write). */
    public void remove(Path target) {
        removed.add(target);
    }

    /** Moves every staged file into place, in staging order, and removes the files given to {@link #remove}. */
    public void commit() {
        try {
            for (Path[] s : staged) {
                AtomicFiles.moveIntoPlace(s[0], s[1]);
            }
            for (Path p : removed) {
                AtomicFiles.deleteQuietly(p);
            }
        } finally {
            discard();
        }
    }

    /** Deletes the temporary files of everything staged and not committed. */
    public void discard() {
        for (Path[] s : staged) {
            AtomicFiles.deleteQuietly(s[0]);
        }
        staged.clear();
        removed.clear();
    }
}
