package io.nnfrust.inference;

import io.nnfrust.util.NnfrustException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class list of a classifier in {@code synset_words.txt} form: line k (0-based) is class k,
 * {@code nXXXXXXXX name, synonyms}. A photo's true class is the class of the WordNet id its file name starts with.
 */
public final class Synsets {
    private static final Pattern WNID = Pattern.compile("^(n\\d{8})");

    private final List<String> ids, names;
    private final Map<String, Integer> index = new HashMap<>();

    private Synsets(List<String> ids, List<String> names) {
        this.ids = List.copyOf(ids);
        this.names = List.copyOf(names);
        for (int i = 0; i < ids.size(); i++) {
            index.put(ids.get(i), i);
        }
    }

    public static Synsets read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new NnfrustException("cannot read synset list " + file + ": " + e.getMessage());
        }
        List<String> ids = new ArrayList<>(), names = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = WNID.matcher(line);
            if (!m.find()) {
                throw new NnfrustException(file + ":" + (i + 1) + ": expected 'nXXXXXXXX name', got '" + line + "'");
            }
            ids.add(m.group(1));
            String rest = line.substring(m.end()).strip();
            int comma = rest.indexOf(',');
            names.add(comma < 0 ? rest : rest.substring(0, comma));
        }
        if (ids.isEmpty()) {
            throw new NnfrustException(file + ": no classes");
        }
        return new Synsets(ids, names);
    }

    public int size() {
        return ids.size();
    }

    public String id(int k) {
        return ids.get(k);
    }

    public String name(int k) {
        return names.get(k);
    }

    /** The class of a file named after its WordNet id ({@code n01440764_tench.JPEG}), or -1. */
    public int classOf(Path file) {
        Matcher m = WNID.matcher(file.getFileName().toString());
        if (!m.find()) {
            return -1;
        }
        return index.getOrDefault(m.group(1), -1);
    }
}
