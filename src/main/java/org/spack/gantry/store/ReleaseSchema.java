package org.spack.gantry.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The schema this release's migrations make, found by applying them (Flyway, as {@code
 * migrate} does) to a scratch database: the versions this release has, and the tables and
 * columns a database of a given version must hold.
 */
final class ReleaseSchema {
    private ReleaseSchema() {}

    /** The versions this release has, oldest first, and the tables with their columns at {@code version}. */
    record Expected(List<String> versions, Map<String, Set<String>> columns) {
        String newest() {
            return versions.get(versions.size() - 1);
        }
    }

    /**
     * @param version a version the caller found in a database
     * @return what this release's migrations make at that version; {@code columns} is empty
     *     when this release does not have the version
     */
    static Expected at(String version) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("gantry-schema");
            String url = "jdbc:sqlite:" + dir.resolve("scratch.db");
            Flyway all = Flyway.configure().dataSource(url, null, null).locations(Migrations.SQLITE_LOCATION).load();
            List<String> versions = Arrays.stream(all.info().all()).map(MigrationInfo::getVersion).filter(Objects::nonNull)
                    .map(MigrationVersion::getVersion).toList();
            if (!versions.contains(version)) {
                return new Expected(versions, Map.of());
            }
            Flyway.configure().dataSource(url, null, null).locations(Migrations.SQLITE_LOCATION).target(version).load().migrate();
            try (Connection c = Database.open(dir.resolve("scratch.db"), true)) {
                return new Expected(versions, SchemaRecord.read(c, "main").columns());
            }
        } catch (IOException | SQLException | RuntimeException e) {
            throw new DatabaseException("cannot tell which tables schema version " + version + " has: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a scratch file in the temporary directory
        }
    }
}
