package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One Flyway history per dialect: every migration lives under migrations/sqlite/ or
 * migrations/postgresql/ (a script anywhere else would be packaged where neither engine's
 * Flyway looks, and silently never applied), and both dialects have the same versions
 * with the same names, so that a schema version means the same on both.
 */
class MigrationLayoutTest {
    private static final Path MIGRATIONS = Path.of("migrations");

    @Test
    void everyMigrationHasItsTwinInTheOtherDialect() throws IOException {
        try (Stream<Path> all = Files.walk(MIGRATIONS)) {
            List<String> misplaced = all.filter(Files::isRegularFile).map(p -> MIGRATIONS.relativize(p).toString())
                    .filter(p -> !p.matches("(sqlite|postgresql)/V[0-9]+__[a-z0-9_]+\\.sql")).toList();
            assertEquals(List.of(), misplaced, "migrations go into migrations/sqlite/ and migrations/postgresql/, both");
        }
        assertEquals(names(Dialect.SQLITE), names(Dialect.POSTGRESQL),
                "each migration is written for both dialects (the PostgreSQL port of a SQLite script is mechanical:"
                        + " types, COLLATE \"C\", \"end\" quoted)");
    }

    private static List<String> names(Dialect dialect) throws IOException {
        try (Stream<Path> files = Files.list(MIGRATIONS.resolve(dialect.migrations()))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
