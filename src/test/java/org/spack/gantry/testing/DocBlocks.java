package org.spack.gantry.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ```sh} blocks of a Markdown page, by the {@code ##} section they are in, so that
 * a test runs what the page tells a reader to type.
 */
public final class DocBlocks {
    private final Path page;
    private final Map<String, List<String>> blocks;

    private DocBlocks(Path page, Map<String, List<String>> blocks) {
        this.page = page;
        this.blocks = blocks;
    }

    public static DocBlocks of(Path page) throws IOException {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        String section = "";
        StringBuilder block = null;
        for (String line : Files.readAllLines(page)) {
            if (block != null) {
                if (line.equals("```")) {
                    blocks.computeIfAbsent(section, s -> new ArrayList<>()).add(block.toString());
                    block = null;
                } else {
                    block.append(line).append('\n');
                }
            } else if (line.startsWith("## ")) {
                section = line.substring(3).strip();
            } else if (line.equals("```sh")) {
                block = new StringBuilder();
            }
        }
        return new DocBlocks(page, blocks);
    }

    /** The blocks of the section whose title starts with {@code title}. */
    public List<String> section(String title) {
        List<String> found = blocks.entrySet().stream().filter(e -> e.getKey().startsWith(title))
                .flatMap(e -> e.getValue().stream()).toList();
        if (found.isEmpty()) {
            throw new AssertionError(page + " has no sh block under a section starting '" + title + "'; sections: " + blocks.keySet());
        }
        return found;
    }

    /** The one block of a section. */
    public String block(String title) {
        List<String> found = section(title);
        if (found.size() != 1) {
            throw new AssertionError(page + " has " + found.size() + " sh blocks under '" + title + "', expected one");
        }
        return found.get(0);
    }

    /** The commands of a block, a line ending in a backslash joined with the next. */
    public static List<String> commands(String block) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : block.lines().toList()) {
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                commands.add(current.toString().replaceAll("\\s+", " ").strip());
                current.setLength(0);
            }
        }
        return commands;
    }
}
