package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.frustration.SolverOptions;
import io.nnfrust.model.AddConvention;
import io.nnfrust.model.BatchNormConvention;
import io.nnfrust.model.ImportOptions;
import io.nnfrust.model.PoolWeightRule;
import io.nnfrust.util.NnfrustException;
import java.util.Locale;

/** Readers shared by the study codecs: the configuration fields that several checkpoint headers hold. */
final class StudyJson {
    private StudyJson() {}

    /** The text of field {@code name}; a missing field is an error naming it. */
    static String text(JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            throw new NnfrustException("configuration field '" + name + "' is missing");
        }
        return v.asText();
    }

    /** The constant of {@code type} named {@code text} in any case; an unknown name is an error naming the field. */
    static <E extends Enum<E>> E enumOf(Class<E> type, String text, String field) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new NnfrustException(field + " '" + text + "' is unknown");
        }
    }

    /** Import options as {@link ImportOptions#toJson} writes them. */
    static ImportOptions importOptions(JsonNode o) {
        return new ImportOptions(
                o.path("inputHeight").asInt(),
                o.path("inputWidth").asInt(),
                enumOf(AddConvention.class, text(o, "add"), "add"),
                enumOf(PoolWeightRule.class, text(o, "poolWeight"), "poolWeight"),
                enumOf(BatchNormConvention.class, text(o, "batchNorm"), "batchNorm"));
    }

    /** Solver options as {@code FrustrationExperiment.putSolverOptions} writes them (sequential, no trace). */
    static SolverOptions solverOptions(JsonNode o) {
        return new SolverOptions(
                o.path("initialFlips").asLong(),
                o.path("maxIterations").asLong(),
                o.path("sweeps").asInt(),
                o.path("tStart").asDouble(),
                o.path("tEnd").asDouble(),
                false,
                0);
    }

    static double[] doubles(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asDouble();
        }
        return r;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }
}
