package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;

/** {@link Restore} on real files: what it refuses, and that the restored database is the backup's, object for object. */
class RestoreTest {
    @TempDir
    Path dir;

    private Restore restore(Path db) {
        return new Restore(db, new Backup(db, dir.resolve("backups"), Clock.systemUTC()));
    }

    @Test
    void aDirectoryADeviceOrAFifoIsCalledWhatItIs() throws Exception {
        Path db = TestDatabases.migrated(dir);
        Path fifo = dir.resolve("backup.fifo");
        assertEquals(0, Processes.run(dir, Map.of(), List.of("mkfifo", fifo.toString())).code());
        Map<Path, String> expected = Map.of(
                dir, "backup " + dir + " is a directory, not a file",
                Path.of("/dev/zero"), "backup /dev/zero is a character device, not a database file",
                fifo, "backup " + fifo + " is a FIFO (named pipe), not a database file",
                dir.resolve("missing.db"), "backup " + dir.resolve("missing.db") + " does not exist");
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            DatabaseException refused = assertThrows(DatabaseException.class, () -> restore(db).from(e.getKey(), false));
            assertEquals(e.getValue(), refused.getMessage());
        }
        assertEquals("backup " + db + " is the database itself",
                assertThrows(DatabaseException.class, () -> restore(db).from(db, false)).getMessage());
        Path text = Files.writeString(dir.resolve("notes.db"), "not a database, but long enough to have a header".repeat(10));
        assertEquals("backup " + text + " is not an SQLite database (it does not begin with SQLite's header)",
                assertThrows(DatabaseException.class, () -> restore(db).from(text, false)).getMessage());
        // the live database keeps this release's newest schema version
        List<AppliedMigrations.Script> scripts = AppliedMigrations.bundledScripts();
        assertEquals(scripts.get(scripts.size() - 1).version(),
                TestDatabases.text(db, "SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history"));
    }

    @Test
    void theRestoredDatabaseHoldsTheBackupsTablesIndexesTriggersViewsSequenceAndUserVersion() throws Exception {
        Path backup = TestDatabases.reference(dir);
        TestDatabases.execute(backup, """
                CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT);
                INSERT INTO notes (text) VALUES ('a'), ('b');
                DELETE FROM notes WHERE text = 'b';
                CREATE VIEW note_texts AS SELECT text FROM notes;
                CREATE TRIGGER notes_upper AFTER INSERT ON notes BEGIN UPDATE notes SET text = upper(text) WHERE id = new.id; END;
                INSERT INTO nodes (uuid, hostname, cores, mem, arch, os, instance_type)
                    VALUES ('uuid-1', 'node-1', 16, 64e9, 'amd64', 'linux', 'm5.4xlarge');
                """);
        Path db = TestDatabases.migrated(dir);
        TestDatabases.execute(db, "CREATE TABLE leftovers (x);\nCREATE VIEW gone AS SELECT 1;\n");

        // by way of a symbolic link, as /srv/gantry/current is one
        Path linked = Files.createSymbolicLink(dir.resolve("linked"), dir).resolve(backup.getFileName());
        Restore.Result r = restore(db).from(linked, false);

        assertEquals(0, r.jobs());
        assertEquals(1, r.nodes());
        assertTrue(r.keptAs() != null && Files.exists(r.keptAs()), "the database replaced is kept");
        assertFalse(r.besideServer());
        String schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name";
        assertEquals(StoredRows.query(backup, schema), StoredRows.query(db, schema), "every object, and no other");
        for (String q : List.of("SELECT * FROM nodes", "SELECT * FROM notes", "SELECT * FROM sqlite_sequence",
                "PRAGMA user_version", "PRAGMA integrity_check", "PRAGMA foreign_key_check")) {
            assertEquals(StoredRows.query(backup, q), StoredRows.query(db, q), q);
        }
        TestDatabases.execute(db, "INSERT INTO notes (text) VALUES ('c');\n");
        assertEquals(List.of(Map.of("text", "a"), Map.of("text", "C")), StoredRows.query(db, "SELECT text FROM note_texts"),
                "the trigger and the view work; the sequence goes on from the backup's");
        assertEquals(3L, StoredRows.query(db, "SELECT max(id) AS m FROM notes").get(0).get("m"));
    }
}
