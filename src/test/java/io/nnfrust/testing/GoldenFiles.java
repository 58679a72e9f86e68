package io.nnfrust.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assertions;

/**
 * Golden outputs: the files a fixed set of commands writes, with their timing and run-provenance fields removed,
 * compared with the copies committed under {@code src/test/resources/golden/}. This keeps a refactoring honest:
 * every JSON and CSV must stay identical apart from those fields, and every SVG figure byte-identical.
 *
 * <p>Normalisation: JSON keys whose name contains "seconds" (any case), "wall" or "perSecond" are removed, as are
 * the run-provenance keys {@link #RUN_KEYS}; the output folder's path becomes {@code $OUT} and the shared folder's
 * {@code $SHARED}. CSV columns named like a timing are removed. A spin file becomes its header (normalised) and the
 * SHA-256 of its body; an SVG figure becomes its SHA-256. A PNG figure becomes its size in pixels only: it is the
 * raster of the same drawing as its SVG, and the rasteriser's anti-aliasing and font hinting differ between machines
 * (CI drew one figure with other pixel values from a byte-identical SVG); byte-identical PNG redraws on one machine
 * are asserted by the tests that draw them.
 *
 * <p>Run with {@code -Dgolden.update=true} to rewrite the committed copies (only after a change that is meant to
 * change results; the diff is then reviewed like code).
 */
public final class GoldenFiles {
    /** Provenance keys that describe the run rather than the result. */
    public static final Set<String> RUN_KEYS = Set.of(
            "nnfrust",
            "gitCommit",
            "gitDirty",
            "jdk",
            "onnxRuntime",
            "commandLine",
            "runId",
            "start",
            "end",
            "threads",
            "command",
            "spinsSha256");

    private static final Pattern TIMING = Pattern.compile("(?i).*(seconds|wall|persecond|eta).*");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final Path out;
    private final Map<String, String> actual = new TreeMap<>();
    private Path sharedAlias;

    /** The golden case {@code name} for the files of output folder {@code out}. */
    public GoldenFiles(String name, Path out) {
        this.name = name;
        this.out = out;
    }

    /**
     * Another path of the shared folder (a link a test made to it) that also becomes {@code $SHARED} in text
     * outputs.
     */
    public GoldenFiles sharedAlias(Path alias) {
        this.sharedAlias = alias;
        return this;
    }

    /** Adds the file at {@code relative} (under the output folder), normalised by its kind. */
    public GoldenFiles add(String relative) throws IOException {
        Path f = out.resolve(relative);
        Assertions.assertTrue(Files.isRegularFile(f), "expected output " + f);
        String key = relative.replace('\\', '/');
        if (key.endsWith(".json") || key.endsWith(".jsonl")) {
            actual.put(key + ".golden", json(Files.readString(f)));
        } else if (key.endsWith(".csv")) {
            actual.put(key + ".golden", csv(Files.readString(f)));
        } else if (key.endsWith(".spins")) {
            actual.put(key + ".golden", spins(Files.readAllBytes(f)));
        } else if (key.endsWith(".md") || key.endsWith(".txt")) {
            actual.put(key + ".golden", paths(Files.readString(f)));
        } else if (key.endsWith(".png")) {
            actual.put(key + ".golden", png(f));
        } else {
            actual.put(key + ".sha256", sha256(Files.readAllBytes(f)) + "\n");
        }
        return this;
    }

    /** Compares every added file with its golden copy (or rewrites the copies with -Dgolden.update=true). */
    public void check() throws IOException {
        Path dir = goldenRoot().resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            if (Files.isDirectory(dir)) {
                try (var s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            for (var e : actual.entrySet()) {
                Path p = dir.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, e.getValue());
            }
            return;
        }
        Assertions.assertTrue(
                Files.isDirectory(dir),
                "no golden copies at " + dir + "; write them with -Dgolden.update=true on the reference version");
        List<String> expectedNames = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                expectedNames.add(dir.relativize(p).toString().replace('\\', '/'));
            }
        }
        Assertions.assertEquals(expectedNames, new ArrayList<>(actual.keySet()), name + ": the set of outputs differs");
        // every differing file is named (a CI log then shows the whole extent of a difference at once)
        List<String> differing = new ArrayList<>();
        String first = null;
        for (var e : actual.entrySet()) {
            String expected = Files.readString(dir.resolve(e.getKey()));
            if (!expected.equals(e.getValue())) {
                differing.add(e.getKey());
                if (first == null) {
                    first = "; the first, " + e.getKey() + ", expected:\n" + expected + "but was:\n" + e.getValue();
                }
            }
        }
        Assertions.assertTrue(
                differing.isEmpty(),
                name + ": " + differing.size() + " of " + actual.size()
                        + " files differ from their golden copies (timing and run-provenance fields already removed): "
                        + differing + first);
    }

    static String png(Path f) throws IOException {
        BufferedImage image = ImageIO.read(f.toFile());
        Assertions.assertNotNull(image, f + " is not a PNG image");
        return "PNG " + image.getWidth() + " x " + image.getHeight() + "\n";
    }

    /** Where the golden copies live: src/test/resources/golden of the checkout. */
    public static Path goldenRoot() {
        return Path.of("src", "test", "resources", "golden").toAbsolutePath();
    }

    String paths(String text) {
        String t = text.replace(out.toAbsolutePath().toString(), "$OUT").replace(out.toString(), "$OUT");
        if (sharedAlias != null) {
            t = t.replace(sharedAlias.toString(), "$SHARED");
        }
        return t.replace(SharedData.root().toString(), "$SHARED");
    }

    String json(String text) throws IOException {
        if (text.startsWith("{") && text.contains("\n{")) { // JSON lines
            StringBuilder b = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    b.append(json(line));
                }
            }
            return b.toString();
        }
        JsonNode j = JSON.readTree(paths(text));
        strip(j);
        return JSON.writeValueAsString(j) + "\n";
    }

    private static void strip(JsonNode j) {
        if (j instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (TIMING.matcher(k).matches() || RUN_KEYS.contains(k)) {
                    it.remove();
                }
            }
            o.forEach(GoldenFiles::strip);
        } else if (j instanceof ArrayNode a) {
            a.forEach(GoldenFiles::strip);
        }
    }

    String csv(String text) {
        String[] lines = paths(text).split("\n");
        String[] head = lines[0].split(",", -1);
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < head.length; i++) {
            if (!TIMING.matcher(head[i]).matches()) {
                keep.add(i);
            }
        }
        StringBuilder b = new StringBuilder();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            List<String> kept = new ArrayList<>();
            for (int i : keep) {
                kept.add(i < cells.length ? cells[i] : "");
            }
            b.append(String.join(",", kept)).append('\n');
        }
        return b.toString();
    }

    /** A spin file (docs: {@code SpinFile}): 8-byte magic, 4-byte little-endian header length, JSON header, body. */
    String spins(byte[] bytes) throws IOException {
        String magic = new String(bytes, 0, 8, StandardCharsets.US_ASCII);
        int n = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        String header = n == 0 ? "" : json(new String(bytes, 12, n, StandardCharsets.UTF_8));
        byte[] body = Arrays.copyOfRange(bytes, 12 + n, bytes.length);
        return magic + "\n" + header + "body sha256 " + sha256(body) + "\n";
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
