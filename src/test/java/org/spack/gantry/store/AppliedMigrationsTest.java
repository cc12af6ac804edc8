package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.TestDatabases;

/** The shortcut past Flyway is taken only where Flyway would have found nothing to do. */
class AppliedMigrationsTest {
    @TempDir
    Path dir;

    private final AppliedMigrations applied = new AppliedMigrations();

    private Migrations migrations(Path file) {
        return new Migrations(file, new Backup(file, dir.resolve("backups"), Clock.systemUTC()));
    }

    @Test
    void aDatabaseFlywayMigratedIsUpToDateWithTheSameChecksums() {
        Path file = TestDatabases.migrated(dir);
        assertEquals("6", applied.upToDateVersion(file));
        List<AppliedMigrations.Script> scripts = AppliedMigrations.bundledScripts();
        assertNotNull(scripts);
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), scripts.stream().map(AppliedMigrations.Script::version).toList());
        for (AppliedMigrations.Script s : scripts) {
            assertEquals(TestDatabases.count(file, "SELECT checksum FROM flyway_schema_history WHERE version='" + s.version() + "'"),
                    (long) s.checksum(), s.name());
        }
    }

    @Test
    void anAdoptedReferenceDatabaseIsUpToDateOnlyOnceMigrated() {
        Path file = TestDatabases.reference(dir);
        assertNull(applied.upToDateVersion(file));
        migrations(file).migrate();
        assertEquals("6", applied.upToDateVersion(file));
    }

    @Test
    void anythingFlywayWouldActOnOrComplainAboutIsLeftToFlyway() {
        assertNull(applied.upToDateVersion(dir.resolve("absent.db")));
        Path file = TestDatabases.migrated(dir);

        // a migration this release bundles and the database lacks
        List<AppliedMigrations.Script> more = new ArrayList<>(AppliedMigrations.bundledScripts());
        more.add(new AppliedMigrations.Script("7", "V7__next.sql", 42));
        assertNull(new AppliedMigrations(more).upToDateVersion(file));
        // a migration the database has and this release does not (a newer release ran)
        assertNull(new AppliedMigrations(more.subList(0, 2)).upToDateVersion(file));

        // a changed script, and a failed one
        TestDatabases.execute(file, "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");
        assertNull(applied.upToDateVersion(file));
        TestDatabases.execute(file, "UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE version = '2'");
        assertEquals("6", applied.upToDateVersion(file));
        TestDatabases.execute(file, "UPDATE flyway_schema_history SET success = 0 WHERE version = '3'");
        assertNull(applied.upToDateVersion(file));
    }

    @Test
    void checksumsAreFlywaysOnLineBreaksAndByteOrderMarks() throws Exception {
        int plain = AppliedMigrations.checksum(new java.io.ByteArrayInputStream("a;\nb;\n".getBytes()));
        assertEquals(plain, AppliedMigrations.checksum(new java.io.ByteArrayInputStream("\uFEFFa;\r\nb;".getBytes("UTF-8"))));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("a;b;".getBytes());
        assertEquals((int) crc.getValue(), plain);
    }
}
