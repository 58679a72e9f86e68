package io.nnfrust.frustration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The spin vector file ({@code .spins}), little-endian:
 * <pre>
 *   8 bytes  magic "NNFSPIN2"
 *   int32    h, length of the header
 *   h bytes  UTF-8 JSON header: {"model": {sha256, source, inputShape, importOptions, ...}, "provenance": {...}}
 *   int64    n (nodes)
 *   int32    input count nx, int32 output count ny
 *   float64  epsilon of this spin vector
 *   int8[n]  spins, +1 or -1, node order of the graph (docs/conventions.md)
 *   int32[nx] node of each input element (C-order)   -> S_x = spins[inputNodes]
 *   int32[ny] node of each output element (logits)    -> S_y = spins[outputNodes]
 * </pre>
 * For graphs read from edge lists nx = ny = 0. Files of the first format ("NNFSPIN1": no header) are still read;
 * they carry no model identity, so they cannot be checked against the model they are used with.
 *
 * @param header the JSON header text ("" for a NNFSPIN1 file or a spin vector not yet tied to a model)
 */
public record SpinFile(byte[] spins, int[] inputNodes, int[] outputNodes, double epsilon, String header) {
    private static final byte[] MAGIC1 = "NNFSPIN1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = "NNFSPIN2".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER = 1 << 20;

    public SpinFile {
        header = header == null ? "" : header;
    }

    public static SpinFile of(double[] s, int[] inputNodes, int[] outputNodes, double epsilon) {
        byte[] b = new byte[s.length];
        for (int i = 0; i < s.length; i++) {
            b[i] = (byte) (s[i] < 0 ? -1 : 1);
        }
        return new SpinFile(b, inputNodes, outputNodes, epsilon, "");
    }

    /** A spin file's header: the identity of the model the spins belong to, and this run's provenance. */
    public static String header(ObjectNode model) {
        return header(model, null);
    }

    /**
     * The header of spins of a null network of the model ({@code nullNetwork}: its kind and seed). Spin files with
     * such a header are refused wherever spins of the model itself are expected ({@link #requireOfTheModel}); null:
     * spins of the model itself, as {@link #header(ObjectNode)}.
     */
    public static String header(ObjectNode model, ObjectNode nullNetwork) {
        var m = new ObjectMapper();
        var h = m.createObjectNode();
        h.set("model", model);
        if (nullNetwork != null) {
            h.set(NULL_NETWORK, nullNetwork);
        }
        h.set("provenance", Provenance.current().toJson(m));
        return h.toString();
    }

    private static final String NULL_NETWORK = "nullNetwork";

    /** Refuses spins of a null network ({@code where} names the file in the message). */
    public void requireOfTheModel(Object where) {
        JsonNode n = headerJson().path(NULL_NETWORK);
        if (!n.isMissingNode() && !n.isNull()) {
            throw new NnfrustException("spins " + where + " belong to a null network of the model (" + n
                    + "), not to the model itself; give spins of the model");
        }
    }

    /** The same spins with a JSON header (model identity and provenance). */
    public SpinFile withHeader(String json) {
        return new SpinFile(spins, inputNodes, outputNodes, epsilon, json);
    }

    /** The parsed header, or an empty object for a file without one. */
    public JsonNode headerJson() {
        var m = new ObjectMapper();
        if (header.isEmpty()) {
            return m.createObjectNode();
        }
        try {
            return m.readTree(header);
        } catch (IOException e) {
            return m.createObjectNode();
        }
    }

    /** Spins of the input elements, S_x. */
    public byte[] inputSpins() {
        byte[] r = new byte[inputNodes.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = spins[inputNodes[i]];
        }
        return r;
    }

    /** Spins of the output elements, S_y. */
    public byte[] outputSpins() {
        byte[] r = new byte[outputNodes.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = spins[outputNodes[i]];
        }
        return r;
    }

    public void write(Path path) {
        AtomicFiles.write(path, out -> writeTo(out));
    }

    /** Writes the file's bytes (used by {@link io.nnfrust.util.OutputSet} staging and {@link #write}). */
    public void writeTo(OutputStream out) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(8 + 4 + h.length + 8 + 4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC2)
                .putInt(h.length)
                .put(h)
                .putLong(spins.length)
                .putInt(inputNodes.length)
                .putInt(outputNodes.length)
                .putDouble(epsilon);
        out.write(head.array());
        out.write(spins);
        ByteBuffer nodes = ByteBuffer.allocate(4 * (inputNodes.length + outputNodes.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int v : inputNodes) {
            nodes.putInt(v);
        }
        for (int v : outputNodes) {
            nodes.putInt(v);
        }
        out.write(nodes.array());
    }

    public static SpinFile read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new NnfrustException("spin file not found: " + path);
        }
        try {
            byte[] all = Files.readAllBytes(path);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            if (all.length < 32) {
                throw new NnfrustException(path + ": not an nnfrust spin file (too short)");
            }
            byte[] magic = new byte[8];
            b.get(magic);
            String header = "";
            if (Arrays.equals(magic, MAGIC2)) {
                int h = b.getInt();
                if (h < 0 || h > MAX_HEADER || h > all.length - 12 - 24) {
                    throw new NnfrustException(path + ": truncated or corrupt spin file (header length " + h + ")");
                }
                byte[] hb = new byte[h];
                b.get(hb);
                header = new String(hb, StandardCharsets.UTF_8);
            } else if (!Arrays.equals(magic, MAGIC1)) {
                throw new NnfrustException(path + ": not an nnfrust spin file (bad magic)");
            }
            int start = b.position();
            long n = b.getLong();
            int nx = b.getInt(), ny = b.getInt();
            double eps = b.getDouble();
            if (n < 0 || nx < 0 || ny < 0 || start + 24L + n + 4L * ((long) nx + ny) != all.length) {
                throw new NnfrustException(path + ": truncated or corrupt spin file");
            }
            byte[] s = new byte[(int) n];
            b.get(s);
            for (byte v : s) {
                if (v != 1 && v != -1) {
                    throw new NnfrustException(path + ": corrupt spin file (a spin is " + v + ", not +1 or -1)");
                }
            }
            int[] in = new int[nx], out = new int[ny];
            for (int i = 0; i < nx; i++) {
                in[i] = b.getInt();
            }
            for (int i = 0; i < ny; i++) {
                out[i] = b.getInt();
            }
            for (int[] idx : new int[][] {in, out}) {
                for (int v : idx) {
                    if (v < 0 || v >= n) {
                        throw new NnfrustException(path + ": corrupt spin file (node " + v + " of " + n + ")");
                    }
                }
            }
            return new SpinFile(s, in, out, eps, header);
        } catch (IOException e) {
            throw new NnfrustException("cannot read spin file " + path + ": " + e.getMessage());
        }
    }
}
