package io.nnfrust.graph;

import io.nnfrust.util.MemoryCheck;
import io.nnfrust.util.NnfrustException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a signed graph that is not a network: a weighted edge list (one edge {@code source target weight} per
 * line, separated by tabs, commas, semicolons or spaces; {@code #} and {@code %} start comments; an optional
 * header line) or a Matrix Market coordinate file (real or integer; general: entry (i, j) is the edge j -> i;
 * symmetric: each stored entry is one undirected edge). Node labels in edge lists are any strings, numbered in
 * order of first appearance. Each line is one edge: direction does not change the frustration, which uses
 * A + A^T. Weights must be finite and non-zero; self-loops are refused.
 */
public final class GraphFileReader {
    private GraphFileReader() {}

    /** A graph and the label of each node. */
    public record Loaded(SignedGraph graph, List<String> labels) {}

    public static Loaded read(Path path) {
        if (!Files.exists(path)) {
            throw new NnfrustException("graph file not found: " + path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            in.mark(1 << 16);
            String first = in.readLine();
            in.reset();
            if (name.endsWith(".mtx") || (first != null && first.startsWith("%%MatrixMarket"))) {
                return matrixMarket(in, path);
            }
            return edgeList(in, path);
        } catch (MalformedInputException e) {
            throw new NnfrustException(path + ": not a text file (invalid UTF-8)");
        } catch (IOException e) {
            throw new NnfrustException("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static final class Builder {
        final Map<String, Integer> ids = new HashMap<>();
        final List<String> labels = new ArrayList<>();
        int[] src = new int[16], dst = new int[16];
        double[] w = new double[16];
        int m;
        /** Nodes are 1..n (Matrix Market): no label table. */
        boolean numbered;

        int id(String label) {
            return ids.computeIfAbsent(label, k -> {
                labels.add(k);
                return labels.size() - 1;
            });
        }

        void add(int s, int t, double weight) {
            if (m == src.length) {
                src = Arrays.copyOf(src, 2 * m);
                dst = Arrays.copyOf(dst, 2 * m);
                w = Arrays.copyOf(w, 2 * m);
            }
            src[m] = s;
            dst[m] = t;
            w[m++] = weight;
        }

        Loaded build(Path path, int n) {
            if (m == 0) {
                throw new NnfrustException(path + ": the graph has no edges");
            }
            NodeSet all = new NodeSet(0, "nodes", "Graph", 0, n, 1, 1);
            PlaneLayout in = PlaneLayout.contiguous(0, n, 1, 1);
            int[] s = Arrays.copyOf(src, m), t = Arrays.copyOf(dst, m);
            SparseBlock b = new SparseBlock(path.getFileName().toString(), in, 0, n, s, s, t, Arrays.copyOf(w, m));
            List<String> names = numbered
                    ? new AbstractList<>() {
                        @Override
                        public String get(int i) {
                            Objects.checkIndex(i, n);
                            return Integer.toString(i + 1);
                        }

                        @Override
                        public int size() {
                            return n;
                        }
                    }
                    : labels;
            return new Loaded(new SignedGraph(List.of(all), List.of(b)), names);
        }
    }

    private static double weight(String text, Path path, int line) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new NnfrustException(path + ":" + line + ": weight '" + text + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new NnfrustException(path + ":" + line + ": weight " + text + " is not finite");
        }
        if (v == 0) {
            throw new NnfrustException(path + ":" + line + ": weight is zero (a zero weight is not an edge)");
        }
        return v;
    }

    private static Loaded edgeList(BufferedReader in, Path path) throws IOException {
        Builder b = new Builder();
        String line;
        int no = 0;
        boolean seenData = false;
        while ((line = in.readLine()) != null) {
            no++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith("%")) {
                continue;
            }
            String[] f = t.split("[\\t,; ]+");
            if (f.length < 3) {
                throw new NnfrustException(path + ":" + no + ": expected 'source target weight', found " + f.length
                        + " column" + (f.length == 1 ? "" : "s"));
            }
            if (f.length > 3) {
                throw new NnfrustException(
                        path + ":" + no + ": expected 3 columns 'source target weight', found " + f.length);
            }
            if (!seenData && !looksNumeric(f[2])) {
                seenData = true; // header line
                continue;
            }
            seenData = true;
            double w = weight(f[2], path, no);
            if (f[0].equals(f[1])) {
                throw new NnfrustException(path + ":" + no + ": self-loop on node '" + f[0] + "' (not allowed)");
            }
            b.add(b.id(f[0]), b.id(f[1]), w);
        }
        return b.build(path, b.labels.size());
    }

    /**
     * Heap estimate of a graph of n nodes and m edges, checked before anything is allocated: the edge arrays
     * while reading and in the block (about 72 bytes per edge), 8 bytes per node for the block's row and column
     * starts, and the solvers' per-node state (spins, row sums, products: about 48 bytes per node per thread).
     */
    static void requireMemory(Path path, long n, long m) {
        double bytes = estimateBytes(n, m, Runtime.getRuntime().availableProcessors());
        MemoryCheck.require(
                String.format(Locale.ROOT, "%s: %,d nodes and %,d edges", path, n, m),
                bytes,
                "is the size line right? Otherwise raise the heap with NNFRUST_JAVA_OPTS=-Xmx...");
    }

    /** The heap estimate of {@link #requireMemory}: 72 m + 8 n + 48 n threads bytes. */
    static double estimateBytes(long n, long m, int threads) {
        return 72.0 * m + 8.0 * n + 48.0 * n * threads;
    }

    private static boolean looksNumeric(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return s.equalsIgnoreCase("nan") || s.toLowerCase(Locale.ROOT).contains("inf");
        }
    }

    private static Loaded matrixMarket(BufferedReader in, Path path) throws IOException {
        String header = in.readLine();
        if (header == null || !header.startsWith("%%MatrixMarket")) {
            throw new NnfrustException(path + ":1: missing %%MatrixMarket header");
        }
        String[] h = header.strip().toLowerCase(Locale.ROOT).split("\\s+");
        if (h.length < 5 || !h[1].equals("matrix") || !h[2].equals("coordinate")) {
            throw new NnfrustException(path + ":1: only 'matrix coordinate' Matrix Market files are supported");
        }
        if (!h[3].equals("real") && !h[3].equals("integer")) {
            throw new NnfrustException(path + ":1: field '" + h[3] + "' has no signed weights (need real or integer)");
        }
        if (!h[4].equals("general") && !h[4].equals("symmetric")) {
            throw new NnfrustException(path + ":1: symmetry '" + h[4] + "' not supported (general or symmetric)");
        }
        String line;
        int no = 1;
        int n = -1;
        long expected = -1, seen = 0;
        Builder b = new Builder();
        while ((line = in.readLine()) != null) {
            no++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("%")) {
                continue;
            }
            String[] f = t.split("\\s+");
            if (n < 0) {
                if (f.length != 3) {
                    throw new NnfrustException(path + ":" + no + ": expected the size line 'rows cols entries'");
                }
                int rows = parseInt(f[0], path, no), cols = parseInt(f[1], path, no);
                if (rows != cols) {
                    throw new NnfrustException(
                            path + ":" + no + ": adjacency matrix must be square, got " + rows + "x" + cols);
                }
                n = rows;
                expected = parseInt(f[2], path, no);
                if (n < 1 || expected < 0) {
                    throw new NnfrustException(
                            path + ":" + no + ": size line declares " + n + " nodes and " + expected + " entries");
                }
                b.numbered = true;
                requireMemory(path, n, expected);
                continue;
            }
            if (f.length != 3) {
                throw new NnfrustException(
                        path + ":" + no + ": expected 'row col value', found " + f.length + " columns");
            }
            int i = parseInt(f[0], path, no), j = parseInt(f[1], path, no);
            if (i < 1 || i > n || j < 1 || j > n) {
                throw new NnfrustException(path + ":" + no + ": index (" + i + ", " + j + ") outside 1.." + n);
            }
            if (i == j) {
                throw new NnfrustException(path + ":" + no + ": self-loop on node " + i + " (not allowed)");
            }
            b.add(j - 1, i - 1, weight(f[2], path, no));
            seen++;
        }
        if (n < 0) {
            throw new NnfrustException(path + ": no size line");
        }
        if (seen != expected) {
            throw new NnfrustException(
                    path + ": header promises " + expected + " entries, found " + seen + " (truncated?)");
        }
        return b.build(path, n);
    }

    private static int parseInt(String s, Path path, int line) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new NnfrustException(path + ":" + line + ": '" + s + "' is not an integer");
        }
    }
}
