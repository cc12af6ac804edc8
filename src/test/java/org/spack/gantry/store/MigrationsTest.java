package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;

class MigrationsTest {
    @TempDir
    Path dir;

    private Migrations migrations(Path file) {
        return new Migrations(file, new Backup(file, dir.resolve("backups"), Clock.systemUTC()));
    }

    @Test
    void aNewDatabaseGetsEverySchemaVersionWithoutABackup() {
        Path file = dir.resolve("new.db");
        Migrations.Result r = migrations(file).migrate();
        assertEquals(6, r.applied());
        assertEquals("6", r.schemaVersion());
        assertEquals(null, r.backupFile());
        assertEquals(List.of(), migrations(file).status().pending());
    }

    @Test
    void aReferenceDatabaseIsAdoptedWithEveryRowKeptAndBackedUpFirst() {
        Path file = TestDatabases.reference(dir);
        TestDatabases.execute(file, Parity.text("insert_samples.sql"));
        TestDatabases.execute(file, Parity.text("upstream_node_row.sql"));
        TestDatabases.execute(file, Parity.text("upstream_job_row.sql"));
        Migrations.Status before = migrations(file).status();
        assertTrue(before.adoptsReferenceDatabase());
        assertEquals("2", before.schemaVersion());
        assertEquals(List.of("V3__collection_queue.sql", "V4__typed_queue_and_reconciliation.sql",
                "V5__reconcile_frontier.sql", "V6__oom_kills.sql"), before.pending());

        Migrations.Result r = migrations(file).migrate();
        assertEquals(4, r.applied());
        assertEquals("6", r.schemaVersion());
        assertEquals(6, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
        assertEquals(2, TestDatabases.count(file, "SELECT count(*) FROM nodes"));
        assertNotNull(r.backupFile());
        assertEquals(6, TestDatabases.count(r.backupFile(), "SELECT count(*) FROM jobs"));
        assertEquals(0, TestDatabases.count(r.backupFile(), "SELECT count(*) FROM sqlite_master WHERE name='flyway_schema_history'"));
        // a second run has nothing to do and takes no backup
        assertEquals(0, migrations(file).migrate().applied());
    }

    @Test
    void aFailingMigrationLeavesTheDatabaseAsItWas() throws Exception {
        Path file = TestDatabases.reference(dir);
        TestDatabases.execute(file, Parity.text("insert_samples.sql"));
        // a table V3 wants to create already exists: the migration fails half-way
        TestDatabases.execute(file, "CREATE TABLE collection_queue (x INTEGER);\nINSERT INTO collection_queue VALUES (1);");
        DatabaseException e = assertThrows(DatabaseException.class, () -> migrations(file).migrate());
        assertTrue(e.getMessage().contains("migration failed"), e.getMessage());
        assertEquals(5, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
        assertEquals(1, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
        assertEquals(0, TestDatabases.count(file, "SELECT count(*) FROM sqlite_master WHERE name='flyway_schema_history'"));
        assertTrue(migrations(file).status().adoptsReferenceDatabase(), "still the reference's database");
        assertTrue(Files.list(dir.resolve("backups")).findAny().isPresent(), "the backup was taken first");
    }

    @Test
    void aDatabaseOfSomethingElseIsLeftAlone() {
        Path file = dir.resolve("other.db");
        TestDatabases.execute(file, "CREATE TABLE customers (id INTEGER);");
        DatabaseException e = assertThrows(DatabaseException.class, () -> migrations(file).migrate());
        assertTrue(e.getMessage().contains("neither a Gantry database"), e.getMessage());
        assertEquals(0, TestDatabases.count(file, "SELECT count(*) FROM sqlite_master WHERE name='jobs'"));
    }

    @Test
    void backupRefusesToOverwrite() throws Exception {
        Path file = dir.resolve("g.db");
        migrations(file).migrate();
        Backup backup = new Backup(file, dir, Clock.systemUTC());
        Path target = dir.resolve("copy.db");
        backup.copyTo(target);
        assertEquals(0, TestDatabases.count(target, "SELECT count(*) FROM jobs"));
        assertThrows(DatabaseException.class, () -> backup.copyTo(target));
        assertThrows(DatabaseException.class, () -> backup.copyTo(dir.resolve("missing/dir/copy.db")));
    }

    @Test
    void aMissingDatabaseDirectoryIsAClearError() {
        DatabaseException e = assertThrows(DatabaseException.class,
                () -> migrations(dir.resolve("no/such/dir/gantry.db")).migrate());
        assertTrue(e.getMessage().startsWith("database directory"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
