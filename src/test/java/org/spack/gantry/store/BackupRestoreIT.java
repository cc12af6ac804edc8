package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * {@code gantry backup} (what gantry-backup.timer runs) and {@code gantry restore}, as an
 * operator runs them beside a server that is collecting.
 */
class BackupRestoreIT {
    private static final String HOOK_TOKEN = "backup-token";
    private static final Duration COMMAND = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void backupsWhileCollectingAreWholeAndRetentionDropsTheOldestAndARestoreRoundTripsEveryRow() throws Exception {
        Path db = dir.resolve("gantry.db");
        Path backups = dir.resolve("backups");
        long now = System.currentTimeMillis() / 1000;
        List<Long> ids = new ArrayList<>();
        for (long id = 1_000; id < 1_060; id++) ids.add(id);
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            Map<String, String> cli = Map.of("DB_FILE", db.toString());
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                // webhooks arrive and are collected while the backups run
                CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                    for (long id : ids) {
                        try {
                            assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                            Thread.sleep(50);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                List<Path> written = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    GantryProcess.Result r = GantryProcess.run(dir, cli, COMMAND, "backup", "--keep", "2");
                    assertEquals(0, r.exit(), r.err());
                    written.add(Path.of(r.out().strip().replaceFirst(".* to ", "")));
                }
                traffic.get();
                StoredRows.awaitOutcomes(db, ids, Duration.ofSeconds(60));

                // retention: the oldest went, the newest two stayed, nothing half-written is left
                assertFalse(Files.exists(written.get(0)), "the oldest backup is removed");
                assertEquals(List.of(written.get(1).getFileName().toString(), written.get(2).getFileName().toString()),
                        names(backups));
                for (Path b : written.subList(1, 3)) {
                    assertEquals("ok", StoredRows.query(b, "PRAGMA integrity_check").get(0).values().iterator().next());
                    assertEquals(List.of(), StoredRows.query(b, "PRAGMA foreign_key_check"), "every job has its node");
                }

                // /metrics: the newest backup's time and size
                String metrics = Webhooks.get(hooks.client(), gantry.url("/metrics")).body();
                assertTrue(metrics.contains("gantry_backup_last_size_bytes " + (double) Files.size(written.get(2)) + "\n")
                        || metrics.contains("gantry_backup_last_size_bytes " + String.format("%.1f", (double) Files.size(written.get(2)))),
                        metrics);
                assertTrue(metrics.contains("gantry_backup_last_success_timestamp_seconds "), metrics);

                // a server holds the database: a restore is refused and changes nothing
                GantryProcess.Result refused = GantryProcess.run(dir, cli, COMMAND, "restore", "--from", written.get(1).toString());
                assertEquals(1, refused.exit());
                assertTrue(refused.err().startsWith("gantry: error: a server holds " + db.toAbsolutePath()), refused.err());
                assertEquals(1, refused.err().strip().lines().count(), refused.err());
                assertEquals(2, names(backups).size(), "nothing kept aside for a restore that did not happen");
            }

            // the final database, then the restore of a backup taken mid-collection
            List<Map<String, Object>> before = rows(db);
            assertEquals(ids.size(), StoredRows.jobs(db).size());
            Path midway = written(backups).get(0);
            List<Map<String, Object>> inBackup = rows(midway);
            GantryProcess.Result restored = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), COMMAND,
                    "restore", "--from", midway.toString());
            assertEquals(0, restored.exit(), restored.err());
            assertEquals(inBackup, rows(db), "every row of the backup, as it was");
            Path kept = Path.of(restored.out().lines().findFirst().orElseThrow().replaceFirst("^kept the database as it was in ", ""));
            assertTrue(kept.getFileName().toString().endsWith("-before-restore.db"), restored.out());
            assertEquals(before, rows(kept), "the database replaced is kept, every row");
            assertFalse(Files.exists(dir.resolve(".gantry.db.restoring")));
        }
    }

    @Test
    void aFileThatIsNotAWholeGantryDatabaseIsRefused() throws Exception {
        Path db = dir.resolve("gantry.db");
        Map<String, String> cli = Map.of("DB_FILE", db.toString());
        assertEquals(0, GantryProcess.run(dir, cli, COMMAND, "migrate").exit());
        Path junk = Files.writeString(dir.resolve("junk.db"), "not a database at all, but long enough to be read".repeat(100));
        GantryProcess.Result r = GantryProcess.run(dir, cli, COMMAND, "restore", "--from", junk.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("gantry: error: ") && r.err().strip().lines().count() == 1, r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertTrue(StoredRows.query(db, "SELECT name FROM sqlite_master WHERE name = 'jobs'").size() == 1, "untouched");
    }

    private static List<Map<String, Object>> rows(Path db) {
        List<Map<String, Object>> all = new ArrayList<>(StoredRows.query(db, "SELECT * FROM jobs ORDER BY id"));
        all.addAll(StoredRows.query(db, "SELECT * FROM nodes ORDER BY id"));
        all.addAll(StoredRows.query(db, "SELECT build_id, state, reason, attempts FROM collection_queue ORDER BY build_id"));
        return all;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.contains("schema")).sorted().toList();
        }
    }

    private static List<Path> written(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("gantry-\\d{8}T\\d{6}\\.\\d{3}Z\\.db")).sorted().toList();
        }
    }
}
