package io.nnfrust.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import io.nnfrust.util.NnfrustException;

/**
 * The studies whose shards {@code nnfrust merge} combines: a checkpoint header names its study ({@code "study"}, or
 * in checkpoints of earlier versions the first two words of the recorded command, {@code experiment NAME}); any
 * other name is refused, so a checkpoint cannot choose what merge does.
 */
public enum Study {
    /** {@code experiment frustration} ({@link FrustrationExperiment}). */
    FRUSTRATION("frustration"),
    /** {@code experiment active}. */
    ACTIVE("active"),
    /** {@code experiment monotonicity}. */
    MONOTONICITY("monotonicity");

    private final String label;

    Study(String label) {
        this.label = label;
    }

    /** The name in checkpoint headers and after {@code nnfrust experiment}. */
    public String label() {
        return label;
    }

    /**
     * The study a checkpoint header names, or null when it names none (checkpoints written before nnfrust recorded
     * it); a name that is not one of the three is a one-line error naming {@code where} (the file).
     */
    public static Study ofHeader(JsonNode header, String where) {
        String name = null;
        if (header.hasNonNull("study")) {
            name = header.get("study").asText();
        } else {
            JsonNode c = header.path("command");
            if (c.size() >= 2 && c.get(0).asText().equals("experiment")) {
                name = c.get(1).asText();
            } else {
                return null;
            }
        }
        for (Study s : values()) {
            if (s.label.equals(name)) {
                return s;
            }
        }
        throw new NnfrustException("merge: " + where + " names the study '" + name + "', not one of those merge "
                + "combines (frustration, active, monotonicity); was the header edited?");
    }

    @Override
    public String toString() {
        return label;
    }
}
