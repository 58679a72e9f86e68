package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON Lines checkpoint of a long experiment: the first line is a header holding the configuration, every
 * further line one finished result, appended (and flushed) as soon as it exists. Resuming keeps the results whose
 * configuration matches and drops a last line cut short by a kill; a checkpoint written with another
 * configuration is refused.
 */
public final class Checkpoint {
    private final Path file;

    private Checkpoint(Path file) {
        this.file = file;
    }

    /**
     * Checks up front, without writing, that {@link #open} will accept {@code file} (so that a long setup is not
     * wasted on a checkpoint that would be refused).
     */
    public static void validate(Path file, String header, boolean resume) {
        if (!Files.exists(file)) {
            return;
        }
        if (!resume) {
            throw new NnfrustException("checkpoint " + file + " exists; add --resume to continue it or remove it");
        }
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            if (first == null || !sameConfig(new ObjectMapper(), first, header)) {
                throw new NnfrustException("checkpoint " + file + " was written with other options or model; "
                        + "resume with the same ones or start a new checkpoint");
            }
        } catch (IOException e) {
            throw new NnfrustException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /**
     * Opens {@code file}: without {@code resume} it must not exist and is created with {@code header}; with it the
     * finished result lines are returned in {@code done}.
     */
    public static Checkpoint open(Path file, String header, boolean resume, List<JsonNode> done) {
        ObjectMapper m = new ObjectMapper();
        boolean exists = Files.exists(file);
        if (exists && !resume) {
            throw new NnfrustException("checkpoint " + file + " exists; add --resume to continue it or remove it");
        }
        if (!exists) {
            AtomicFiles.write(file, os -> os.write((header + "\n").getBytes(StandardCharsets.UTF_8)));
            return new Checkpoint(file);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NnfrustException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty() || !sameConfig(m, lines.get(0), header)) {
            throw new NnfrustException("checkpoint " + file + " was written with other options or model; "
                    + "resume with the same ones or start a new checkpoint");
        }
        List<String> keep = new ArrayList<>();
        keep.add(lines.get(0));
        for (int i = 1; i < lines.size(); i++) {
            try {
                done.add(m.readTree(lines.get(i)));
                keep.add(lines.get(i));
            } catch (IOException | RuntimeException partial) {
                // a line cut short by a kill: dropped, its work runs again
            }
        }
        AtomicFiles.write(file, os -> os.write((String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8)));
        return new Checkpoint(file);
    }

    /** Appends one result line. */
    public synchronized void append(String line) {
        try (OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NnfrustException("cannot append to checkpoint " + file + ": " + e.getMessage());
        }
    }

    private static boolean sameConfig(ObjectMapper m, String a, String b) {
        try {
            return m.readTree(a).get("config").equals(m.readTree(b).get("config"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
