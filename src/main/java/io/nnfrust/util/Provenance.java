package io.nnfrust.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Where a result came from, as the {@code provenance} object of every JSON output and spin file: the schema
 * version of the output, nnfrust's version and git commit, the JDK and ONNX Runtime versions, the full command
 * line, a run id shared by every file one run writes, and start and end time. Immutable; one per command run.
 * The model's own identity (SHA-256, zoo seed, import options) is added by {@code ModelIdentity}.
 *
 * @param commandLine the arguments after {@code nnfrust}
 * @param start       when the command started
 * @param runId       random id of this run; every file it writes carries it (one set of files per run)
 */
public record Provenance(List<String> commandLine, Instant start, String runId) {
    /**
     * Version of the JSON schema of nnfrust's outputs; raised whenever a field changes meaning or moves.
     * 2: provenance block with model identity and import options as JSON fields, checksummed checkpoint lines,
     * spin file NNFSPIN2.
     */
    public static final int SCHEMA_VERSION = 2;

    /** The key of the provenance object in every JSON output. */
    public static final String PROVENANCE = "provenance";
    // the keys of the provenance object (readers such as the report use them)
    public static final String SCHEMA_VERSION_KEY = "schemaVersion";
    public static final String NNFRUST = "nnfrust";
    public static final String GIT_COMMIT = "gitCommit";
    public static final String GIT_DIRTY = "gitDirty";
    public static final String JDK = "jdk";
    public static final String ONNX_RUNTIME = "onnxRuntime";
    /** The command line, starting with {@code nnfrust}. */
    public static final String COMMAND_LINE = "commandLine";

    public static final String RUN_ID = "runId";
    public static final String START = "start";
    public static final String END = "end";

    private static volatile Provenance current =
            new Provenance(List.of(), Instant.now(), UUID.randomUUID().toString());

    public Provenance {
        commandLine = List.copyOf(commandLine);
    }

    /** Starts the provenance of a new command run (called by the command line before each command). */
    public static Provenance begin(List<String> args) {
        Provenance p = new Provenance(args, Instant.now(), UUID.randomUUID().toString());
        current = p;
        return p;
    }

    /**
     * {@code nnfrust ARGS} as a user would type it in a POSIX shell: arguments with blanks or shell characters in
     * single quotes (a single quote inside written '\''). Stage manifests of reproduce and figure footers use it.
     */
    public static String commandText(List<String> args) {
        StringBuilder b = new StringBuilder("nnfrust");
        for (String a : args) {
            b.append(' ')
                    .append(
                            a.isEmpty() || a.matches(".*[\\s'\"$&|;<>()*?].*")
                                    ? "'" + a.replace("'", "'\\''") + "'"
                                    : a);
        }
        return b.toString();
    }

    /** The provenance of the command now running (library use without the CLI gets an empty command line). */
    public static Provenance current() {
        return current;
    }

    /** ONNX Runtime's version from its jar, without loading the native library. */
    public static String onnxRuntimeVersion() {
        try {
            Package p = Class.forName("ai.onnxruntime.OrtEnvironment", false, Provenance.class.getClassLoader())
                    .getPackage();
            String v = p == null ? null : p.getImplementationVersion();
            return v == null ? "unknown" : v;
        } catch (ClassNotFoundException e) {
            return "absent";
        }
    }

    /** The JDK running this process: version and vendor. */
    public static String jdk() {
        return System.getProperty("java.runtime.version", System.getProperty("java.version")) + " ("
                + System.getProperty("java.vendor", "?") + ")";
    }

    /** The provenance object; {@code end} is now. */
    public ObjectNode toJson(ObjectMapper m) {
        ObjectNode p = m.createObjectNode();
        p.put(SCHEMA_VERSION_KEY, SCHEMA_VERSION);
        p.put(NNFRUST, Version.get());
        p.put(GIT_COMMIT, Version.commit());
        Boolean dirty = Version.dirty();
        if (dirty != null) {
            p.put(GIT_DIRTY, dirty);
        }
        p.put(JDK, jdk());
        p.put(ONNX_RUNTIME, onnxRuntimeVersion());
        var cl = p.putArray(COMMAND_LINE);
        cl.add("nnfrust");
        commandLine.forEach(cl::add);
        p.put(RUN_ID, runId);
        p.put(START, start.toString());
        p.put(END, Instant.now().toString());
        return p;
    }
}
