package io.nnfrust.frustration;

import io.nnfrust.util.AtomicFiles;
import io.nnfrust.util.NnfrustException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The spin vector file ({@code .spins}), little-endian:
 * <pre>
 *   8 bytes  magic "NNFSPIN1"
 *   int64    n (nodes)
 *   int32    input count nx, int32 output count ny
 *   float64  epsilon of this spin vector
 *   int8[n]  spins, +1 or -1, node order of the graph (docs/conventions.md)
 *   int32[nx] node of each input element (C-order)   -> S_x = spins[inputNodes]
 *   int32[ny] node of each output element (logits)    -> S_y = spins[outputNodes]
 * </pre>
 * For graphs read from edge lists nx = ny = 0.
 */
public record SpinFile(byte[] spins, int[] inputNodes, int[] outputNodes, double epsilon) {
    private static final byte[] MAGIC = "NNFSPIN1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public static SpinFile of(double[] s, int[] inputNodes, int[] outputNodes, double epsilon) {
        byte[] b = new byte[s.length];
        for (int i = 0; i < s.length; i++) {
            b[i] = (byte) (s[i] < 0 ? -1 : 1);
        }
        return new SpinFile(b, inputNodes, outputNodes, epsilon);
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
        AtomicFiles.write(path, out -> {
            ByteBuffer head = ByteBuffer.allocate(8 + 8 + 4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).putLong(spins.length).putInt(inputNodes.length).putInt(outputNodes.length)
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
        });
    }

    public static SpinFile read(Path path) {
        try {
            byte[] all = Files.readAllBytes(path);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            if (all.length < 32) {
                throw new NnfrustException(path + ": not an nnfrust spin file (too short)");
            }
            b.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new NnfrustException(path + ": not an nnfrust spin file (bad magic)");
            }
            long n = b.getLong();
            int nx = b.getInt(), ny = b.getInt();
            double eps = b.getDouble();
            if (n < 0 || nx < 0 || ny < 0 || 32 + n + 4L * (nx + ny) != all.length) {
                throw new NnfrustException(path + ": truncated or corrupt spin file");
            }
            byte[] s = new byte[(int) n];
            b.get(s);
            int[] in = new int[nx], out = new int[ny];
            for (int i = 0; i < nx; i++) {
                in[i] = b.getInt();
            }
            for (int i = 0; i < ny; i++) {
                out[i] = b.getInt();
            }
            return new SpinFile(s, in, out, eps);
        } catch (IOException e) {
            throw new NnfrustException("cannot read spin file " + path + ": " + e.getMessage());
        }
    }

}
