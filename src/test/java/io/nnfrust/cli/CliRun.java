package io.nnfrust.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;

/** Runs the command line in-process and captures its exit code, stdout and stderr (tests). */
final class CliRun {
    private CliRun() {}

    record Outcome(int code, String out, String err) {}

    /** Bad input: exit code 2 and exactly one stderr line "nnfrust: error: ..." containing every fragment. */
    static void assertOneErrorLine(Outcome o, String... fragments) {
        Assertions.assertEquals(2, o.code(), o.err());
        String[] lines = o.err().strip().split("\n");
        Assertions.assertEquals(1, lines.length, "expected one line, got: " + o.err());
        Assertions.assertTrue(lines[0].startsWith("nnfrust: error: "), lines[0]);
        for (String f : fragments) {
            Assertions.assertTrue(lines[0].contains(f), "'" + f + "' missing from: " + lines[0]);
        }
    }

    /** Command-line arguments from values of any type (paths, numbers). */
    static String[] args(Object... a) {
        return Stream.of(a).map(String::valueOf).toArray(String[]::new);
    }

    /** {@code a} followed by {@code b}. */
    static Object[] concat(Object[] a, Object... b) {
        Object[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream(), out = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            var cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
            int code = cl.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
