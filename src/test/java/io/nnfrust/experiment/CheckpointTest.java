package io.nnfrust.experiment;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nnfrust.util.NnfrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint lines carry a check tied to the header; edits, cuts and copies from another checkpoint are dropped. */
class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void eachLineIsCheckedAgainstItsHeader() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String header = Checkpoint.header(m, m.createObjectNode().put("seed", 1));
        String other = Checkpoint.header(m, m.createObjectNode().put("seed", 2));
        String line = Checkpoint.sign(header, "{\"type\":\"result\",\"epsilon\":0.25}");
        assertEquals(0.25, Checkpoint.verified(m, header, line).get("epsilon").asDouble());
        assertNull(Checkpoint.verified(m, other, line), "a line of another checkpoint");
        assertNull(Checkpoint.verified(m, header, line.replace("0.25", "0.24")), "an edited value");
        assertNull(Checkpoint.verified(m, header, line.substring(0, line.length() - 5)), "a line cut short");
        assertNull(Checkpoint.verified(m, header, "{\"type\":\"result\",\"epsilon\":0.25}"), "no check");

        Path f = dir.resolve("cp.jsonl");
        try (Checkpoint cp = Checkpoint.open(f, header, false, new ArrayList<>())) {
            cp.append("{\"k\":1}");
            cp.append("{\"k\":2}");
            cp.append("{\"k\":3}");
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.set(2, lines.get(2).replace("\"k\":2", "\"k\":5"));
        lines.set(3, lines.get(3).substring(0, 6));
        Files.write(f, lines);
        List<JsonNode> done = new ArrayList<>();
        Checkpoint again = Checkpoint.open(f, header, true, done);
        again.close();
        assertEquals(1, done.size());
        assertEquals(1, done.get(0).get("k").asInt());
        assertEquals(1, again.kept());
        assertEquals(2, again.dropped());
        assertEquals(2, Files.readAllLines(f).size(), "dropped lines are removed from the file");
        // another configuration, or an older schema, is refused with one line
        NnfrustException e =
                assertThrows(NnfrustException.class, () -> Checkpoint.open(f, other, true, new ArrayList<>()));
        assertTrue(e.getMessage().contains("other options"));
        Files.writeString(f, "{\"type\":\"header\",\"config\":{\"seed\":1}}\n");
        e = assertThrows(NnfrustException.class, () -> Checkpoint.open(f, header, true, new ArrayList<>()));
        assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
    }
}
