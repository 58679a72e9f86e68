package io.nnfrust.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nnfrust.experiment.BoundStudy;
import io.nnfrust.experiment.CertifiedOrdering;
import io.nnfrust.util.NnfrustException;
import io.nnfrust.util.OutputSet;
import io.nnfrust.util.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nnfrust certify}: which of the paper's orderings the intervals of several bound runs prove. */
@Command(
        name = "certify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compare the intervals of several 'nnfrust bound --output' files of one model (the real network and null "
                    + "networks): 'A < B' is certified when every bounded network of A has its upper end below the "
                    + "lower end of every bounded network of B. See docs/bounds.md."
        })
public final class CertifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "BOUND.json", arity = "1..*", description = "Results of 'nnfrust bound --output'.")
    List<Path> files;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the networks and orderings as JSON.")
    Path output;

    @Override
    public Integer call() {
        OutputSet outs = new OutputSet().file("--output", output);
        ObjectMapper m = new ObjectMapper();
        List<JsonNode> docs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path f : files) {
            try {
                docs.add(m.readTree(Files.readString(f, StandardCharsets.UTF_8)));
            } catch (IOException | RuntimeException e) {
                throw new NnfrustException("certify: cannot read " + f + " as JSON ("
                        + e.getClass().getSimpleName() + "); give the --output files of 'nnfrust bound'");
            }
            names.add(f.toString());
        }
        CertifiedOrdering.Result r = BoundStudy.certify(docs, names);
        for (int i = 0; i < r.networks().size(); i++) {
            var n = r.networks().get(i);
            System.out.printf(
                    Locale.ROOT,
                    "%-3s %-10s eps in [%.6f, %.6f]  eps_SDP %.6f  confidence %s  %s%n",
                    n.group(),
                    n.group().equals("R") ? "" : "seed " + n.nullSeed(),
                    n.lower(),
                    n.upper(),
                    n.epsilonSdp(),
                    n.confidence(),
                    names.get(i));
        }
        if (r.orderings().isEmpty()) {
            System.out.println("no ordering of the paper among these groups (give R and a null model, or N1 and N2)");
        }
        r.orderings().forEach(o -> System.out.println(o.line()));
        if (output != null) {
            ObjectNode j = m.createObjectNode();
            ArrayNode from = j.putArray("files");
            names.forEach(from::add);
            j.setAll(r.toJson(m, null));
            j.set(Provenance.PROVENANCE, Provenance.current().toJson(m));
            String text;
            try {
                text = m.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(j) + "\n";
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            outs.stage(output, os -> os.write(text.getBytes(StandardCharsets.UTF_8)));
            outs.commit();
        }
        return 0;
    }
}
