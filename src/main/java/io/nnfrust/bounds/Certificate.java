package io.nnfrust.bounds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.util.NnfrustException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What anyone needs to check a lower bound on ε without trusting nnfrust, as a NumPy {@code .npz} archive
 * ({@code numpy.load(FILE)}): {@code y.npy} (float64, n: the dual vector), {@code p.npy} (float64, n: the
 * diagonal of P), {@code scalars.npy} (float64, the values named in {@link #SCALARS}, in that order) and
 * {@code meta.npy} (uint8: UTF-8 JSON with the model's identity, the conventions and the names of the scalars).
 * The claim: λ_min(P^-1/2 (L − Diag y) P^-1/2) ≥ {@code lambdaLowerBound}, hence
 * ε ≥ (Σy + lambdaLowerBound·Σp)/(4W) = {@code epsilonLower}. {@code scripts/verify_bound.py} checks it on the
 * explicit matrix (docs/bounds.md). Entries are written in a fixed order with fixed times, so equal
 * certificates are byte-identical.
 */
public record Certificate(double[] y, double[] p, Map<String, Double> scalars, JsonNode meta) {
    /** The scalars, in file order. */
    public static final String[] SCALARS = {
        "n",
        "absWeightSum",
        "sumY",
        "traceP",
        "theta",
        "eta",
        "lambdaMaxBound",
        "delta",
        "rounding",
        "steps",
        "lambdaLowerBound",
        "epsilonLower",
        "epsilonUpper",
        "epsilonSdp"
    };

    public Certificate {
        if (y.length != p.length) {
            throw new IllegalArgumentException("y and p differ in length");
        }
        for (String s : SCALARS) {
            if (!scalars.containsKey(s)) {
                throw new IllegalArgumentException("missing scalar " + s);
            }
        }
    }

    public double scalar(String name) {
        return scalars.get(name);
    }

    /** The bound recomputed from the stored values: (Σy + λ_lb·Σp)/(4W). */
    public double recomputedBound() {
        return DualBound.epsilon(
                DualBound.sum(y), scalar("lambdaLowerBound"), DualBound.sum(p), scalar("absWeightSum"));
    }

    /** Writes the archive. */
    public void write(OutputStream out) throws IOException {
        ZipOutputStream z = new ZipOutputStream(out);
        entry(z, "y.npy", npy("<f8", y.length, doubles(y)));
        entry(z, "p.npy", npy("<f8", p.length, doubles(p)));
        double[] s = new double[SCALARS.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = scalars.get(SCALARS[i]);
        }
        entry(z, "scalars.npy", npy("<f8", s.length, doubles(s)));
        byte[] json = meta.toString().getBytes(StandardCharsets.UTF_8);
        entry(z, "meta.npy", npy("|u1", json.length, json));
        z.finish();
    }

    /** Reads an archive written by {@link #write}; anything else is a one-line error naming the file. */
    public static Certificate read(Path file) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file);
                ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                entries.put(e.getName(), z.readAllBytes());
            }
        } catch (IOException e) {
            throw new NnfrustException("cannot read certificate " + file + ": " + e.getMessage());
        }
        for (String name : new String[] {"y.npy", "p.npy", "scalars.npy", "meta.npy"}) {
            if (!entries.containsKey(name)) {
                throw new NnfrustException(file + " is not an nnfrust certificate (no " + name + " inside)");
            }
        }
        double[] y = doubles(file, "y.npy", entries.get("y.npy"));
        double[] p = doubles(file, "p.npy", entries.get("p.npy"));
        double[] s = doubles(file, "scalars.npy", entries.get("scalars.npy"));
        if (s.length != SCALARS.length || y.length != p.length) {
            throw new NnfrustException(file + ": " + s.length + " scalars (expected " + SCALARS.length + ") or y and p"
                    + " of different lengths; not a certificate of this nnfrust version");
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        for (int i = 0; i < s.length; i++) {
            scalars.put(SCALARS[i], s[i]);
        }
        byte[] raw = payload(file, "meta.npy", entries.get("meta.npy"), "|u1");
        JsonNode meta;
        try {
            meta = new ObjectMapper().readTree(raw);
        } catch (IOException e) {
            throw new NnfrustException(file + ": meta.npy is not JSON");
        }
        return new Certificate(y, p, scalars, meta);
    }

    private static void entry(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setTime(315532800000L); // 1980-01-01, the zip epoch: no time stamp in the bytes
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    private static byte[] doubles(double[] a) {
        ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : a) {
            b.putDouble(x);
        }
        return b.array();
    }

    /** An NPY 1.0 file: magic, version, header dict padded to a multiple of 64 bytes, data. */
    static byte[] npy(String descr, int length, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + length + ",), }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = header.length();
        out.write(len & 0xff);
        out.write(len >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static final Pattern SHAPE = Pattern.compile("'shape': \\((\\d+),\\)");

    private static byte[] payload(Path file, String name, byte[] npy, String descr) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(npy));
            byte[] magic = new byte[8];
            in.readFully(magic);
            if (magic[0] != (byte) 0x93 || magic[1] != 'N' || magic[6] != 1) {
                throw new IOException("not NPY 1.0");
            }
            int len = in.readUnsignedByte() | in.readUnsignedByte() << 8;
            byte[] h = new byte[len];
            in.readFully(h);
            String header = new String(h, StandardCharsets.US_ASCII);
            Matcher m = SHAPE.matcher(header);
            if (!header.contains("'descr': '" + descr + "'") || header.contains("'fortran_order': True") || !m.find()) {
                throw new IOException("header " + header.strip());
            }
            int n = Integer.parseInt(m.group(1));
            int size = descr.equals("<f8") ? 8 : 1;
            byte[] data = in.readNBytes(n * size);
            if (data.length != n * size) {
                throw new IOException("truncated");
            }
            return data;
        } catch (IOException | RuntimeException e) {
            throw new NnfrustException(
                    file + ": " + name + " is not a 1-D " + descr + " NPY array (" + e.getMessage() + ")");
        }
    }

    private static double[] doubles(Path file, String name, byte[] npy) {
        byte[] data = payload(file, name, npy, "<f8");
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double[] a = new double[data.length / 8];
        for (int i = 0; i < a.length; i++) {
            a[i] = b.getDouble();
        }
        return a;
    }
}
