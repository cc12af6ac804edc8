package org.spack.gantry.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The reference implementation's captured test data kept in the repository under {@code src/test/resources/parity}. */
public final class Parity {
    private Parity() {}

    public static Path dir() {
        Path dir = Path.of(System.getProperty("gantry.parity.dir", "src/test/resources/parity"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("parity data not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    public static String text(String name) {
        try {
            return Files.readString(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject json(String name) {
        return JsonParser.parseString(text(name)).getAsJsonObject();
    }
}
