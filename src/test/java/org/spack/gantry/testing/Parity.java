package org.spack.gantry.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

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

    /** One query of the realworld capture: the spec as the client sent it (URL-encoded), and the reference's answer. */
    public record RealworldQuery(String encodedSpec, int status, String body) {}

    /** Every query of {@code realworld/answers.tsv.gz}, in its order. */
    public static List<RealworldQuery> realworldQueries() {
        List<RealworldQuery> queries = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(dir().resolve("realworld/answers.tsv.gz"))), StandardCharsets.UTF_8))) {
            r.readLine(); // header
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t", -1);
                queries.add(new RealworldQuery(f[0], Integer.parseInt(f[1]), f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return queries;
    }
}
