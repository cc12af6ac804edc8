package org.spack.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.Migrations;

/** Real SQLite files for tests: migrated by this release, or made as the reference makes them. */
public final class TestDatabases {
    private TestDatabases() {}

    public static Path migrated(Path dir) {
        Path file = dir.resolve("gantry.db");
        new Migrations(file, new Backup(file, dir.resolve("backups"), Clock.systemUTC())).migrate();
        return file;
    }

    /** The reference's schema and index, with {@code PRAGMA user_version = 2}, no Flyway history. */
    public static Path reference(Path dir) {
        Path file = dir.resolve("reference.db");
        execute(file, read(Path.of("migrations/sqlite/V1__initial.sql")) + ";\n" + read(Path.of("migrations/sqlite/V2__spec_index.sql"))
                + ";\nPRAGMA user_version = 2;");
        return file;
    }

    public static void execute(Path file, String script) {
        try (Connection c = Database.open(file, false); Statement st = c.createStatement()) {
            for (String sql : script.split(";\\s*\\n")) {
                String trimmed = sql.strip();
                if (!trimmed.isEmpty() && !trimmed.lines().allMatch(l -> l.strip().startsWith("--") || l.isBlank())) {
                    st.execute(trimmed);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long count(Path file, String sql) {
        try (Connection c = Database.open(file, true); Statement st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row as text, or null. */
    public static String text(Path file, String sql) {
        try (Connection c = Database.open(file, true); Statement st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
