package org.spack.gantry.release;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts shared shell code into the scripts a release ships, at build time: each line
 * {@code # @@INCLUDE name@@} of a script becomes the file {@code name} of the fragment
 * directory, as makeself and Spring Boot's launch script assemble one script from parts.
 * Both launchers (gantry.run's header and {@code bin/gantry}) find Java this way.
 * Run as {@code ScriptIncludes TEMPLATE FRAGMENT_DIR OUTPUT} (an executable script).
 */
public final class ScriptIncludes {
    private static final Pattern INCLUDE = Pattern.compile("(?m)^# @@INCLUDE ([A-Za-z0-9._-]+)@@$");

    private ScriptIncludes() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ScriptIncludes TEMPLATE FRAGMENT_DIR OUTPUT");
        }
        Path output = Path.of(args[2]);
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.writeString(output, expand(Path.of(args[0]), Path.of(args[1])), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(output, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The template's text with every include line replaced by its fragment (fragments include nothing). */
    public static String expand(Path template, Path fragmentDir) throws IOException {
        String text = Files.readString(template, StandardCharsets.UTF_8);
        Matcher m = INCLUDE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path fragment = fragmentDir.resolve(m.group(1));
            String body;
            try {
                body = Files.readString(fragment, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IOException(template + " includes " + m.group(1) + ", which is not in " + fragmentDir, e);
            }
            if (INCLUDE.matcher(body).find()) {
                throw new IOException(fragment + " includes another fragment: only scripts include fragments");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(body.stripTrailing()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
