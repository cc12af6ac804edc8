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
class ChangeProbesTest {
    @TempDir
    Path dir;

    private static void sql(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static boolean changed(ChangeProbes probes) {
        return probes.with(ChangeProbes.Probe::changed);
    }

    @Test
    void seesEveryCommitOfEveryConnection() throws Exception {
        Path file = dir.resolve("wal.db");
        try (Connection writer = Database.open(file, false); ChangeProbes probes = new ChangeProbes(file)) {
            sql(writer, "CREATE TABLE t (x)");
            assertTrue(changed(probes), "the first look");
            assertFalse(changed(probes));
            for (int i = 0; i < 3; i++) {
                sql(writer, "INSERT INTO t VALUES (" + i + ")");
                assertTrue(changed(probes), "commit " + i);
                assertFalse(changed(probes));
            }
            sql(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
            changed(probes);
            sql(writer, "INSERT INTO t VALUES (9)");
            assertTrue(changed(probes), "a commit after the log restarted");
            // a connection of its own, as another process would have
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file)) {
                sql(other, "INSERT INTO t VALUES (10)");
            }
            assertTrue(changed(probes), "another connection's commit");
            assertFalse(changed(probes));
        }
    }
}
