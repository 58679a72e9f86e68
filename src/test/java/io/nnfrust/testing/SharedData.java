package io.nnfrust.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates ../shared (models, photos) beside the checkout; tests skip with a message when it is absent. */
public final class SharedData {
    private SharedData() {}

    public static Path root() {
        String env = System.getenv("NNFRUST_SHARED");
        Path p = env != null ? Path.of(env) : Path.of("..", "shared");
        return p.toAbsolutePath().normalize();
    }

    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(
                Files.exists(p), "skipped: " + p + " not found (../shared is absent beside the checkout)");
        return p;
    }
}
