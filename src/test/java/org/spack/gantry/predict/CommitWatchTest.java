package org.spack.gantry.predict;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.store.Database;

/** Every commit is seen at the next look, whoever makes it; nothing else is. */
class CommitWatchTest {
    @TempDir
    Path dir;

    private static void sql(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private void seesEveryCommit(Path file, Connection writer, boolean expectWalIndex) throws Exception {
        try (ChangeProbes probes = new ChangeProbes(file); Connection reader = Database.open(file, true)) {
            CommitWatch watch = CommitWatch.of(file, reader, probes);
            assertTrue(watch.readsWalIndex() == expectWalIndex);
            assertTrue(watch.changedSinceLastLook(), "the first look");
            assertFalse(watch.changedSinceLastLook());
            for (int i = 0; i < 3; i++) {
                sql(writer, "INSERT INTO t VALUES (" + i + ")");
                assertTrue(watch.changedSinceLastLook(), "commit " + i);
                assertFalse(watch.changedSinceLastLook());
            }
            sql(writer, "UPDATE t SET x = 1 WHERE x = 12345"); // commits nothing
            assertFalse(watch.changedSinceLastLook());
            if (expectWalIndex) {
                // the log restarts from its first frame: the header still differs
                sql(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
                watch.changedSinceLastLook();
                sql(writer, "INSERT INTO t VALUES (9)");
                assertTrue(watch.changedSinceLastLook(), "commit after a restarted log");
            }
            // a connection of its own, as another process would have
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                sql(other, "INSERT INTO t VALUES (10)");
            }
            assertTrue(watch.changedSinceLastLook(), "another connection's commit");
            assertFalse(watch.changedSinceLastLook());
        }
    }

    @Test
    void readsTheWalIndexHeaderOfAWalDatabase() throws Exception {
        Path file = dir.resolve("wal.db");
        try (Connection writer = Database.open(file, false)) {
            sql(writer, "CREATE TABLE t (x)");
            seesEveryCommit(file, writer, true);
        }
    }

    @Test
    void asksDataVersionWithoutWal() throws Exception {
        Path file = dir.resolve("rollback.db");
        try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            sql(writer, "PRAGMA journal_mode = DELETE");
            sql(writer, "CREATE TABLE t (x)");
            seesEveryCommit(file, writer, false);
        }
    }
}
