package io.nnfrust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/library.md cannot drift: its first {@code java} block is compiled against the library with the JDK's own
 * compiler and run on the real SqueezeNet; what it prints and the JSON it writes are checked.
 */
class LibraryDocTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public\\s+final\\s+class\\s+(\\w+)");

    @Test
    void theProgramOfLibraryMdCompilesRunsAndWritesTheFrustrationStudy(@TempDir Path dir) throws Exception {
        Path model = SharedData.require("models/squeezenet1.1-caffe.onnx");
        String page = Files.readString(Path.of("docs", "library.md"));
        Matcher m = BLOCK.matcher(page);
        assertTrue(m.find(), "docs/library.md has no ```java block");
        String source = m.group(1);
        Matcher c = CLASS.matcher(source);
        assertTrue(c.find(), "the program declares no public final class");
        String name = c.group(1);
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, source);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no Java compiler in this JDK");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of(
                "-d", dir.toString(), "-classpath", classPath(), "-proc:none", "--release", "21", src.toString()));
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertEquals(0, rc, "docs/library.md's program does not compile:\n" + diagnostics);

        Path json = dir.resolve("study.json");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass(name).getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {model.toString(), json.toString()});
        } finally {
            System.setOut(old);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("epsilon"), "the program prints the best restart's epsilon: " + out);

        JsonNode j = new ObjectMapper().readTree(json.toFile());
        JsonNode groups = j.path("groups");
        for (String g : List.of("R", "N1", "N2")) {
            JsonNode group = find(groups, g);
            assertNotNull(group, "group " + g + " in " + groups);
            assertTrue(group.path("n").asInt() > 0, g + " has results");
            double mean = group.path("mean").asDouble();
            assertTrue(mean > 0.3 && mean < 0.5, g + " mean epsilon " + mean + " outside (0.3, 0.5)");
        }
        assertTrue(
                find(groups, "R").path("mean").asDouble()
                        < find(groups, "N2").path("mean").asDouble(),
                "the trained network is less frustrated than N2 (paper, Results): " + groups);
    }

    private static JsonNode find(JsonNode groups, String name) {
        if (groups.isObject()) {
            return groups.has(name) ? groups.get(name) : null;
        }
        for (JsonNode g : groups) {
            if (name.equals(g.path("group").asText())) {
                return g;
            }
        }
        return null;
    }

    /** The test's class path, with the entries of a manifest-only jar (surefire's default) spelled out. */
    private static String classPath() throws Exception {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(e);
            if (e.endsWith(".jar")) {
                try (var jar = new JarFile(e)) {
                    var mf = jar.getManifest();
                    String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
                    if (cp != null) {
                        for (String u : cp.trim().split("\\s+")) {
                            entries.add(Path.of(new URI(u)).toString());
                        }
                    }
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
