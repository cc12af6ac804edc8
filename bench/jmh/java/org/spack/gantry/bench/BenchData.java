package org.spack.gantry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The history and queries bench/run.sh measures over HTTP (bench/history.sh writes
 * them), so that the JMH figures and the wrk figures are about the same data.
 */
final class BenchData {
    private BenchData() {}

    static Path history() {
        return existing(System.getProperty("gantry.bench.db", "bench/out/history.db"));
    }

    /** The specs of bench/out/queries.txt, decoded from their URLs. */
    static List<String> specs() {
        Path queries = existing(System.getProperty("gantry.bench.queries", "bench/out/queries.txt"));
        try {
            return Files.readAllLines(queries).stream()
                    .map(line -> URLDecoder.decode(line.substring(line.indexOf("spec=") + 5), StandardCharsets.UTF_8))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path existing(String name) {
        Path p = Path.of(name);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: run bench/history.sh first");
        }
        return p;
    }
}
