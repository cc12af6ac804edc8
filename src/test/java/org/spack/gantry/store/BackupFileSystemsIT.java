package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.PrivateMounts;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;

/**
 * The packaged {@code backup} and {@code restore} on real file systems an operator meets:
 * a full one (a 1 MiB tmpfs) and a read-only one (a backup on a snapshot or a read-only
 * mount), each in a mount namespace of its own.
 */
class BackupFileSystemsIT {
    @TempDir
    Path dir;

    @Test
    void aBackupOrARestoreThatFillsTheDiskLeavesNoTemporaryFileAndTheDatabaseAsItWas() throws Exception {
        assumeTrue(PrivateMounts.available(), PrivateMounts.NOT_AVAILABLE);
        long started = System.nanoTime();
        Path big = withNodes(TestDatabases.migrated(Files.createDirectory(dir.resolve("big"))), 3000);
        Path small = withNodes(TestDatabases.migrated(Files.createDirectory(dir.resolve("small"))), 1);
        Path full = Files.createDirectory(dir.resolve("full"));
        Processes.Result r = PrivateMounts.run(dir, Map.of("ARCHIVE", GantryProcess.archive().toString(),
                "BIG", big.toString(), "SMALL", small.toString(), "FULL", full.toString()), """
                mount -t tmpfs -o size=1m tmpfs "$FULL"
                out=$(DB_FILE=$BIG GANTRY_BACKUP_DIR=$FULL/backups "$ARCHIVE" backup 2>&1) && code=0 || code=$?
                echo "backup: exit $code: $out"
                echo "left: $(ls -A "$FULL/backups" | tr '\\n' ' ')"
                cp "$SMALL" "$FULL/gantry.db"
                out=$(DB_FILE=$FULL/gantry.db "$ARCHIVE" restore --from "$BIG" 2>&1) && code=0 || code=$?
                echo "restore: exit $code: $out"
                echo "files: $(ls -A "$FULL" | tr '\\n' ' ')"
                echo "backups: $(ls -A "$FULL/backups" | tr '\\n' ' ')"
                echo "check: $(sqlite3 "$FULL/gantry.db" 'PRAGMA integrity_check; SELECT count(*) FROM nodes' | tr '\\n' ' ')"
                """);
        assertEquals(0, r.code(), r.err());
        List<String> out = r.out().lines().toList();
        assertTrue(out.get(0).matches("backup: exit 1: gantry: error: backup to \\S+ failed: \\[SQLITE_FULL].*"), r.out());
        assertEquals("left: ", out.get(1), "nothing of the failed backup is left behind");
        assertTrue(out.get(2).matches("restore: exit 1: gantry: error: restore of \\S+ from \\S+ failed, the database is as"
                + " it was: \\[SQLITE_FULL].*"), r.out());
        assertTrue(out.get(3).matches("files: backups gantry\\.db (gantry\\.db-shm gantry\\.db-wal )?gantry\\.db\\.serve-lock "),
                "no temporary file of the restore: " + out.get(3));
        assertEquals("backups: ", out.get(4), "the copy of a database left as it was is not kept");
        assertEquals("check: ok 1 ", out.get(5), "the database as it was");
        System.out.printf("BackupFileSystemsIT.aFullDisk: %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @Test
    void aWalModeBackupOnAReadOnlyFileSystemIsRestored() throws Exception {
        assumeTrue(PrivateMounts.available(), PrivateMounts.NOT_AVAILABLE);
        long started = System.nanoTime();
        Path backup = withNodes(TestDatabases.migrated(Files.createDirectory(dir.resolve("source"))), 5);
        TestDatabases.execute(backup, "PRAGMA wal_checkpoint(TRUNCATE);\n");
        try (RandomAccessFile f = new RandomAccessFile(backup.toFile(), "r")) {
            f.seek(18);
            assertEquals(2, f.read(), "a WAL-mode file, as a copy of the live database is");
        }
        Path db = TestDatabases.migrated(Files.createDirectory(dir.resolve("live")));
        Path snapshot = Files.createDirectory(dir.resolve("snapshot"));
        Processes.Result r = PrivateMounts.run(dir, Map.of("ARCHIVE", GantryProcess.archive().toString(),
                "BACKUP", backup.toString(), "DB", db.toString(), "SNAPSHOT", snapshot.toString()), """
                mount -t tmpfs -o size=8m tmpfs "$SNAPSHOT"
                cp "$BACKUP" "$SNAPSHOT/gantry.db"
                mount -o remount,ro "$SNAPSHOT"
                DB_FILE=$DB "$ARCHIVE" restore --from "$SNAPSHOT/gantry.db"
                """);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("restored " + db + " from " + snapshot.resolve("gantry.db") + ": 0 jobs, 5 nodes"), r.out());
        assertEquals(StoredRows.query(backup, "SELECT * FROM nodes"), StoredRows.query(db, "SELECT * FROM nodes"));
        System.out.printf("BackupFileSystemsIT.aReadOnlyFileSystem: %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    /** About 1 kB a node. */
    private static Path withNodes(Path db, int count) {
        TestDatabases.execute(db, """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
                INSERT INTO nodes (uuid, hostname, cores, mem, arch, os, instance_type)
                    SELECT 'uuid-' || i, printf('%%01000d', i), 16, 64e9, 'amd64', 'linux', 'm5.4xlarge' FROM n;
                """.formatted(count));
        return db;
    }
}
