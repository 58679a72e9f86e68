package io.nnfrust.util;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The nnfrust version and the git commit it was built from (written into the jar by the build). */
public final class Version {
    private static final Properties PROPS = load();

    private Version() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/io/nnfrust/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // keep the defaults
        }
        return p;
    }

    private static String prop(String key, String dflt) {
        String v = PROPS.getProperty(key);
        return v == null || v.isBlank() || v.startsWith("${") ? dflt : v;
    }

    /** The project version, or "dev" outside a build. */
    public static String get() {
        return prop("version", "dev");
    }

    /** The full git commit of the build, or "unknown" when built outside a git checkout. */
    public static String commit() {
        return prop("commit", "unknown");
    }

    /** Whether the working tree had uncommitted changes at build time (null when unknown). */
    public static Boolean dirty() {
        String d = prop("dirty", null);
        return d == null ? null : Boolean.valueOf(d);
    }

    /** "0.1.0 (commit abcdef123456, modified)" for --version and logs. */
    public static String describe() {
        String c = commit();
        String shortC = c.length() > 12 ? c.substring(0, 12) : c;
        return get() + " (commit " + shortC + (Boolean.TRUE.equals(dirty()) ? ", with uncommitted changes" : "") + ")";
    }
}
