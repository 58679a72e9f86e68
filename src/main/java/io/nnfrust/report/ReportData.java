package io.nnfrust.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.experiment.FrustrationCodec;
import io.nnfrust.experiment.FrustrationRestarts;
import io.nnfrust.load.ModelIdentity;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The results a report is drawn from: per model folder, the JSON outputs of the stages of {@code nnfrust reproduce}
 * (or of the same commands run by hand with these file names). Nothing is recomputed: every number of a report comes
 * from these files.
 */
public record ReportData(
        String model,
        Path dir,
        JsonNode graph,
        JsonNode algorithm1,
        JsonNode best,
        JsonNode nulls,
        JsonNode n3He,
        JsonNode n3Xavier,
        JsonNode active,
        JsonNode monotonicity) {
    /** The files a model folder may hold. */
    public static final List<String> FILES = List.of(
            "graph.json",
            "frustration-algorithm1.json",
            "frustration-best.json",
            "nulls.json",
            "nulls-n3-he.json",
            "nulls-n3-xavier.json",
            "active.json",
            "monotonicity.json");

    /** The model folders of {@code dir} (or {@code dir} itself when it holds results), in name order. */
    public static List<ReportData> load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new NnfrustException(
                    "report: " + dir + " is not a folder; give the --out folder of 'nnfrust reproduce'");
        }
        List<Path> folders = new ArrayList<>();
        if (holdsResults(dir)) {
            folders.add(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory)
                    .filter(ReportData::holdsResults)
                    .sorted()
                    .forEach(folders::add);
        } catch (IOException e) {
            throw new NnfrustException("report: cannot list " + dir + ": " + e.getMessage());
        }
        if (folders.isEmpty()) {
            throw new NnfrustException("report: " + dir + " holds no results (none of " + String.join(", ", FILES)
                    + " in it or in a subfolder); run 'nnfrust reproduce MODEL --out " + dir + "' first");
        }
        List<ReportData> out = new ArrayList<>();
        for (Path f : folders) {
            out.add(read(f));
        }
        return out;
    }

    private static boolean holdsResults(Path dir) {
        for (String f : FILES) {
            if (Files.isRegularFile(dir.resolve(f))) {
                return true;
            }
        }
        return false;
    }

    private static ReportData read(Path dir) {
        JsonNode[] j = new JsonNode[FILES.size()];
        for (int i = 0; i < j.length; i++) {
            Path f = dir.resolve(FILES.get(i));
            if (Files.isRegularFile(f)) {
                try {
                    j[i] = new ObjectMapper().readTree(f.toFile());
                } catch (IOException e) {
                    throw new NnfrustException("report: " + f + " is not readable JSON ("
                            + e.getMessage().split("\n")[0] + "); rerun its stage with 'nnfrust reproduce'");
                }
            }
        }
        String name =
                dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        for (JsonNode x : j) {
            if (x != null
                    && x.path(Provenance.PROVENANCE).path(ModelIdentity.MODEL).has(ModelIdentity.NAME)) {
                name = x.path(Provenance.PROVENANCE)
                        .path(ModelIdentity.MODEL)
                        .path(ModelIdentity.NAME)
                        .asText();
                break;
            }
        }
        return new ReportData(name, dir, j[0], j[1], j[2], j[3], j[4], j[5], j[6], j[7]);
    }

    /** The ε of each solve by group: R, N1, N2 (null-model experiment), N3 (He), N3 (Xavier), in that order. */
    public Map<String, double[]> epsilonGroups() {
        Map<String, List<Double>> g = new LinkedHashMap<>();
        add(g, nulls, null);
        add(g, n3He, "N3 (He)");
        add(g, n3Xavier, "N3 (Xavier)");
        Map<String, double[]> out = new LinkedHashMap<>();
        g.forEach(
                (k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
        return out;
    }

    /** N3 with He and Xavier pooled, as the paper's N3 (empty when neither was run). */
    public double[] n3Pooled() {
        Map<String, double[]> g = epsilonGroups();
        double[] a = g.getOrDefault("N3 (He)", new double[0]), b = g.getOrDefault("N3 (Xavier)", new double[0]);
        double[] r = new double[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void add(Map<String, List<Double>> g, JsonNode j, String rename) {
        if (j == null) {
            return;
        }
        for (JsonNode r : j.path(FrustrationCodec.RESULTS)) {
            String group =
                    rename != null ? rename : r.path(FrustrationCodec.GROUP).asText();
            g.computeIfAbsent(group, k -> new ArrayList<>())
                    .add(r.path(FrustrationCodec.EPSILON).asDouble());
        }
    }

    /** The folder name of a model's results (file names of its figures). */
    public static String slugOf(ReportData d) {
        String s = d.dir().getFileName() == null
                ? d.model()
                : d.dir().getFileName().toString();
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The command line recorded in a JSON output's provenance, as a user would type it. */
    public static String command(JsonNode j) {
        if (j == null) {
            return "";
        }
        List<String> args = new ArrayList<>();
        JsonNode cl = j.path(Provenance.PROVENANCE).path(Provenance.COMMAND_LINE);
        for (int i = 0; i < cl.size(); i++) {
            String s = cl.path(i).asText();
            if (i > 0 || !s.equals("nnfrust")) { // the recorded command line starts with the program's name
                args.add(s);
            }
        }
        StringBuilder b = new StringBuilder(Provenance.commandText(args));
        if (j.path(Provenance.PROVENANCE).has(FrustrationRestarts.MERGED_FROM)) {
            b.append(" (one of ")
                    .append(j.path(Provenance.PROVENANCE)
                            .path(FrustrationRestarts.MERGED_FROM)
                            .size())
                    .append(" parts, merged with nnfrust merge)");
        }
        return b.toString();
    }

    /**
     * The seed recorded in a JSON output: provenance.seed of the restarts JSON ({@link FrustrationRestarts}) or
     * provenance.config.seed of a study (every study's codec names it "seed").
     */
    public static String seed(JsonNode j) {
        if (j == null) {
            return "?";
        }
        JsonNode p = j.path(Provenance.PROVENANCE);
        return p.has(FrustrationRestarts.SEED)
                ? p.path(FrustrationRestarts.SEED).asText()
                : p.path(FrustrationCodec.CONFIG).path(FrustrationCodec.SEED).asText("?");
    }
}
