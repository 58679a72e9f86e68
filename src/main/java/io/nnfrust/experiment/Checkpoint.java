package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import io.nnfrust.util.Version;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A JSON Lines checkpoint of a long experiment: the first line is a header holding the configuration and the
 * output schema version, every further line one finished result, appended (and flushed) as soon as it exists.
 * Each result line ends with a field {@code "check"}: the first 16 hex digits of SHA-256 over the header line and
 * the result's own text, so that a line cut short by a kill, edited by hand, corrupted, or copied from another
 * checkpoint is recognised. Resuming keeps the lines whose check holds, drops the others (their work runs again)
 * and says how many were dropped; a checkpoint written with another configuration is refused.
 */
public final class Checkpoint implements AutoCloseable {
    private static final String CHECK_PREFIX = ",\"check\":\"";
    private final Path file;
    private final String headerLine;
    private final int kept;
    private final int dropped;
    private final Lock lock;

    private Checkpoint(Path file, String headerLine, int kept, int dropped, Lock lock) {
        this.file = file;
        this.headerLine = headerLine;
        this.kept = kept;
        this.dropped = dropped;
        this.lock = lock;
    }

    /**
     * An OS lock on {@code .NAME.lock} beside a checkpoint, held while a run writes it: a second process (another
     * shard given the same --checkpoint, a requeued job whose first instance still runs) is refused at once
     * instead of interleaving its lines. Released when the run ends (or its process dies).
     */
    private record Lock(Path lockFile, FileChannel channel, FileLock lock) {
        /**
         * Locks {@code .NAME.lock}. The file is removed again on release (while still locked), so a run that
         * opened the old file just before cannot hold a lock on a file no longer at that path: after locking, each
         * run writes a random token into the file it locked and reads the path back; another content means the
         * path now names another file, and the attempt is repeated (a few times, then "busy").
         */
        static Lock acquire(Path file) {
            Path abs = file.toAbsolutePath();
            Path lockFile = abs.resolveSibling("." + abs.getFileName() + ".lock");
            for (int attempt = 0; attempt < 5; attempt++) {
                FileChannel ch = null;
                try {
                    ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock l = ch.tryLock();
                    if (l == null) {
                        ch.close();
                        throw busy(file, lockFile);
                    }
                    String token = UUID.randomUUID().toString();
                    ch.truncate(0);
                    ch.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
                    ch.force(false);
                    String there;
                    try {
                        there = Files.readString(lockFile, StandardCharsets.UTF_8);
                    } catch (NoSuchFileException gone) {
                        there = "";
                    }
                    if (there.equals(token)) {
                        return new Lock(lockFile, ch, l);
                    }
                    l.release();
                    ch.close(); // the file we locked was removed by the run that held it: try the new one
                } catch (OverlappingFileLockException e) {
                    closeQuietly(ch);
                    throw busy(file, lockFile);
                } catch (IOException e) {
                    closeQuietly(ch);
                    throw new NnfrustException(
                            "cannot lock checkpoint " + file + " (" + lockFile + "): " + e.getMessage());
                }
            }
            throw busy(file, lockFile);
        }

        private static NnfrustException busy(Path file, Path lockFile) {
            return new NnfrustException("checkpoint " + file + " is being written by another run (" + lockFile
                    + " is locked); wait for it to end, or give this run its own --checkpoint (one per --shard)");
        }

        private static void closeQuietly(FileChannel ch) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }

        void release() {
            try {
                Files.deleteIfExists(lockFile); // still locked: no other run holds this file
            } catch (IOException ignored) {
                // left behind: harmless, the next run locks it again
            }
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel's close releases it too
            }
            closeQuietly(channel);
        }
    }

    /** Releases the checkpoint's lock and removes its lock file (the checkpoint stays). */
    @Override
    public void close() {
        if (lock != null) {
            lock.release();
        }
    }

    /** The header line for a configuration: {@code {"type":"header","schemaVersion":2,"config":{...}}}. */
    public static String header(ObjectMapper m, ObjectNode config) {
        return header(m, config, Shard.ALL);
    }

    /**
     * The header line of shard {@code shard} of a run: {@code "shard": "K/N"} beside the configuration (absent for
     * the whole run), so that a shard's checkpoint is resumed only by the same shard and merged with its siblings
     * ({@link CheckpointMerge}).
     */
    public static String header(ObjectMapper m, ObjectNode config, Shard shard) {
        return header(m, config, shard, null, Provenance.current().commandLine());
    }

    /** As {@link #header(ObjectMapper, ObjectNode, Shard)} for a checkpoint of {@code study}. */
    public static String header(ObjectMapper m, ObjectNode config, Shard shard, Study study) {
        return header(m, config, shard, study, Provenance.current().commandLine());
    }

    /** As below, without a study (studies that record none). */
    public static String header(ObjectMapper m, ObjectNode config, Shard shard, List<String> command) {
        return header(m, config, shard, null, command);
    }

    /**
     * The header line: schema, nnfrust version, shard, the {@code study} it belongs to (when given), the
     * configuration, and the arguments of the command that wrote it ({@code command}) as provenance text only:
     * nothing reads it to decide what runs or where to write. Resuming compares the shard and the configuration,
     * not the command (threads and outputs may differ).
     */
    public static String header(ObjectMapper m, ObjectNode config, Shard shard, Study study, List<String> command) {
        return headerNode(m, config, shard, study, command).toString();
    }

    /**
     * As {@link #header(ObjectMapper, ObjectNode, Shard, Study)} with one more field {@code name} beside the
     * configuration: a fact of the run that is not one of its options (the ε_R that the active study compares
     * with), kept so that a merge of the shards needs nothing but their checkpoints. Resuming does not compare it.
     */
    public static String header(
            ObjectMapper m, ObjectNode config, Shard shard, Study study, String name, JsonNode fact) {
        ObjectNode h = headerNode(m, config, shard, study, Provenance.current().commandLine());
        h.set(name, fact);
        return h.toString();
    }

    private static ObjectNode headerNode(
            ObjectMapper m, ObjectNode config, Shard shard, Study study, List<String> command) {
        ObjectNode h = m.createObjectNode();
        h.put("type", "header");
        h.put("schemaVersion", Provenance.SCHEMA_VERSION);
        h.put("nnfrust", Version.get());
        if (!shard.isAll()) {
            h.put("shard", shard.toString());
        }
        if (study != null) {
            h.put("study", study.label());
        }
        h.set("config", config);
        if (command != null && !command.isEmpty()) {
            var c = h.putArray("command");
            command.forEach(c::add);
        }
        return h;
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
            checkHeader(file, new ObjectMapper(), r.readLine(), header);
        } catch (IOException e) {
            throw new NnfrustException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
    }

    /**
     * Opens {@code file}: without {@code resume} it must not exist and is created with {@code header}; with it the
     * finished result lines whose check holds are returned in {@code done}, the others dropped (reported on stderr).
     */
    public static Checkpoint open(Path file, String header, boolean resume, List<JsonNode> done) {
        ObjectMapper m = new ObjectMapper();
        boolean exists = Files.exists(file);
        if (exists && !resume) {
            throw new NnfrustException("checkpoint " + file + " exists; add --resume to continue it or remove it");
        }
        Lock lock = Lock.acquire(file);
        try {
            return open(file, header, exists, done, m, lock);
        } catch (RuntimeException e) {
            lock.release();
            throw e;
        }
    }

    private static Checkpoint open(
            Path file, String header, boolean exists, List<JsonNode> done, ObjectMapper m, Lock lock) {
        if (!exists) {
            AtomicFiles.write(file, os -> os.write((header + "\n").getBytes(StandardCharsets.UTF_8)));
            return new Checkpoint(file, header, 0, 0, lock);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NnfrustException("cannot read checkpoint " + file + ": " + e.getMessage());
        }
        checkHeader(file, m, lines.isEmpty() ? null : lines.get(0), header);
        String head = lines.get(0);
        List<String> keep = new ArrayList<>();
        keep.add(head);
        int dropped = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            JsonNode j = verified(m, head, line);
            if (j == null) {
                if (!line.isBlank()) {
                    dropped++;
                }
                continue;
            }
            done.add(j);
            keep.add(line);
        }
        if (dropped > 0) {
            System.err.printf(
                    Locale.ROOT,
                    "nnfrust: warning: checkpoint %s: dropped %d of %d result lines"
                            + " (cut short by a kill, edited or corrupt: their check does not hold); that work runs again%n",
                    file,
                    dropped,
                    dropped + keep.size() - 1);
        }
        AtomicFiles.write(file, os -> os.write((String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8)));
        return new Checkpoint(file, head, keep.size() - 1, dropped, lock);
    }

    /** Result lines read back and kept by {@link #open}. */
    public int kept() {
        return kept;
    }

    /** Result lines dropped by {@link #open} because their check did not hold. */
    public int dropped() {
        return dropped;
    }

    /** Appends one result line (a JSON object), with its check. */
    public synchronized void append(String jsonObject) {
        String line = sign(headerLine, jsonObject);
        try (OutputStream os = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new NnfrustException("cannot append to checkpoint " + file + ": " + e.getMessage());
        }
    }

    /** {@code jsonObject} with the field {@code "check"} appended, tied to {@code headerLine}. */
    static String sign(String headerLine, String jsonObject) {
        String body = jsonObject.strip();
        if (!body.startsWith("{") || !body.endsWith("}") || body.length() < 3) {
            throw new IllegalArgumentException("a checkpoint line must be a non-empty JSON object");
        }
        return body.substring(0, body.length() - 1) + CHECK_PREFIX + check(headerLine, body) + "\"}";
    }

    /** The parsed line when its check holds for {@code headerLine}, else null. */
    static JsonNode verified(ObjectMapper m, String headerLine, String line) {
        int at = line.lastIndexOf(CHECK_PREFIX);
        if (at < 0 || !line.endsWith("\"}") || line.length() != at + CHECK_PREFIX.length() + 16 + 2) {
            return null;
        }
        String body = line.substring(0, at) + "}";
        String given = line.substring(at + CHECK_PREFIX.length(), line.length() - 2);
        if (!given.equals(check(headerLine, body))) {
            return null;
        }
        try {
            JsonNode j = m.readTree(body);
            return j != null && j.isObject() ? j : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String check(String headerLine, String body) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(headerLine.getBytes(StandardCharsets.UTF_8));
            d.update((byte) '\n');
            d.update(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkHeader(Path file, ObjectMapper m, String first, String header) {
        JsonNode mine, theirs;
        try {
            mine = m.readTree(header);
            theirs = first == null ? null : m.readTree(first);
        } catch (IOException | RuntimeException e) {
            theirs = null;
            mine = null;
        }
        if (theirs == null
                || !theirs.isObject()
                || !"header".equals(theirs.path("type").asText())) {
            throw new NnfrustException("checkpoint " + file + " has no nnfrust header line (not a checkpoint, or "
                    + "corrupt); remove it or give another --checkpoint");
        }
        int schema = theirs.path("schemaVersion").asInt(1);
        if (schema != Provenance.SCHEMA_VERSION) {
            throw new NnfrustException("checkpoint " + file + " was written by another nnfrust version (output schema "
                    + schema + ", this one writes " + Provenance.SCHEMA_VERSION + "); start a new checkpoint");
        }
        if (mine != null
                && !mine.path("shard").asText("").equals(theirs.path("shard").asText(""))) {
            throw new NnfrustException("checkpoint " + file + " belongs to shard "
                    + theirs.path("shard").asText("(whole run)") + ", this run is "
                    + mine.path("shard").asText("the whole run") + "; give each shard its own checkpoint");
        }
        if (mine == null || !mine.get("config").equals(theirs.get("config"))) {
            throw new NnfrustException("checkpoint " + file + " was written with other options or model; "
                    + "resume with the same ones or start a new checkpoint");
        }
    }
}
