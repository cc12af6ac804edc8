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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.Webhooks;

/**
 * {@code restore} beside a running {@code gantry.run serve}, as an operator might run it
 * on a live host: with {@code --force}, nothing the server acknowledged is lost; and what
 * is not a database of this release is refused, leaving the live one as it was.
 */
class RestoreBesideServerIT {
    private static final String HOOK_TOKEN = "restore-token";
    private static final Duration COMMAND = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aForcedRestoreBesideAServerLosesNoAcknowledgedWebhook() throws Exception {
        long started = System.nanoTime();
        Path db = dir.resolve("gantry.db");
        Path backups = dir.resolve("backups");
        Map<String, String> cli = Map.of("DB_FILE", db.toString());
        long now = System.currentTimeMillis() / 1000;
        Set<Long> acknowledged = new ConcurrentSkipListSet<>();
        Set<Long> acknowledgedAfterRestore = new TreeSet<>();
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                List<Long> early = List.of(1L, 2L, 3L, 4L, 5L);
                for (long id : early) assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                StoredRows.awaitOutcomes(db, early, Duration.ofSeconds(60));
                Path backup = dir.resolve("before.db");
                assertEquals(0, GantryProcess.run(dir, cli, COMMAND, "backup", "--to", backup.toString()).exit());
                for (long id = 6; id <= 10; id++) {
                    assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                    acknowledged.add(id);
                }

                // webhooks keep arriving while the restore runs
                AtomicBoolean stop = new AtomicBoolean();
                CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
                    for (long id = 100; !stop.get(); id++) {
                        try {
                            if (hooks.post(Webhooks.success(id, now - 3600, now - 3000)) == 200) acknowledged.add(id);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                GantryProcess.Result restored = GantryProcess.run(dir, cli, COMMAND, "restore", "--force", "--from",
                        backup.toString());
                stop.set(true);
                traffic.get();
                assertEquals(0, restored.exit(), restored.err());
                assertTrue(restored.out().contains("restored " + db + " from " + backup + ": 5 jobs, "), restored.out());
                assertTrue(restored.out().contains("restart it now (systemctl restart gantry)"), restored.out());

                // and after it
                for (long id = 10_000; id < 10_005; id++) {
                    assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                    acknowledged.add(id);
                    acknowledgedAfterRestore.add(id);
                }
                assertTrue(gantry.terminate(Duration.ofSeconds(30)) != null, "stopped as systemd stops it:\n" + gantry.logText());
            }

            Set<Long> inDatabase = queued(db);
            Set<Long> kept = queued(keptBeforeRestore(backups));
            assertTrue(inDatabase.containsAll(acknowledgedAfterRestore),
                    "every webhook acknowledged after the restore is in DB_FILE: " + inDatabase);
            Set<Long> lost = new TreeSet<>(acknowledged);
            lost.removeAll(inDatabase);
            lost.removeAll(kept);
            assertEquals(Set.of(), lost, "acknowledged, and neither in DB_FILE nor in the database kept by the restore");
            assertTrue(kept.containsAll(List.of(6L, 7L, 8L, 9L, 10L)), "the database replaced is kept: " + kept);
            for (long id = 1; id <= 5; id++) assertTrue(StoredRows.jobs(db).containsKey(id), "the backup's job " + id);

            // restarted, as the restore said: the restored database serves and collects
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, acknowledgedAfterRestore, Duration.ofSeconds(60));
                for (long id : acknowledgedAfterRestore) assertEquals("inserted", outcomes.get(id), "job " + id);
            }
        }
        System.out.printf("RestoreBesideServerIT.aForcedRestoreBesideAServerLosesNoAcknowledgedWebhook: %.1f s%n",
                (System.nanoTime() - started) / 1e9);
    }

    @Test
    void aNewerSchemaOrForeignTablesAreRefusedInOneLineAndTheLiveDatabaseStaysAsItWas() throws Exception {
        long started = System.nanoTime();
        Path db = TestDatabases.migrated(dir);
        TestDatabases.execute(db, """
                INSERT INTO nodes (uuid, hostname, cores, mem, arch, os, instance_type)
                    VALUES ('uuid-1', 'node-1', 16, 64e9, 'amd64', 'linux', 'm5.4xlarge');
                INSERT INTO jobs (pod, node, start, end, gitlab_id, job_status, ref, pkg_name, pkg_version, pkg_variants,
                    compiler_name, compiler_version, arch, stack, build_jobs, cpu_request, cpu_limit, cpu_mean, cpu_median,
                    cpu_max, cpu_min, cpu_stddev, mem_request, mem_limit, mem_mean, mem_median, mem_max, mem_min, mem_stddev)
                    VALUES ('runner-1', 1, 1, 2, 1, 'success', 'develop', 'zlib', '1.3', '{}', 'gcc', '12', 'x', 'e4s',
                    16, 1, NULL, 1, 1, 1, 1, 0.1, 1, 1, 1, 1, 1, 1, 0.1);
                """);
        Map<String, String> cli = Map.of("DB_FILE", db.toString());
        // a release with a fifth... ninety-ninth migration wrote it
        Path newer = TestDatabases.migrated(Files.createDirectory(dir.resolve("newer")));
        TestDatabases.execute(newer, """
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                    installed_by, installed_on, execution_time, success)
                    SELECT installed_rank + 1, '99', 'from a newer release', type, 'V99__newer.sql', checksum,
                    installed_by, installed_on, execution_time, success
                    FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1;
                """);
        Path foreign = dir.resolve("foreign.db");
        TestDatabases.execute(foreign, "CREATE TABLE jobs(x);\nCREATE TABLE nodes(y);\nINSERT INTO jobs VALUES (1);\n");
        List<Map<String, Object>> before = StoredRows.query(db, "SELECT * FROM jobs");

        try (GantryProcess gantry = GantryProcess.serve(dir, cli)) {
            GantryProcess.Result r = GantryProcess.run(dir, cli, COMMAND, "restore", "--force", "--from", newer.toString());
            assertRefused(r, "gantry: error: backup " + newer + " has schema version 99, which this release does not have");
            r = GantryProcess.run(dir, cli, COMMAND, "restore", "--force", "--from", foreign.toString());
            assertRefused(r, "gantry: error: backup " + foreign + " is not a Gantry database of schema version 1:"
                    + " table jobs lacks the column(s) arch, build_jobs,");
            assertEquals(200, Webhooks.get(java.net.http.HttpClient.newHttpClient(), gantry.url("/healthz")).statusCode());
        }
        assertEquals(before, StoredRows.query(db, "SELECT * FROM jobs"), "the live database as it was");
        // the live database keeps this release's newest schema version
        List<AppliedMigrations.Script> scripts = AppliedMigrations.bundledScripts();
        assertEquals(scripts.get(scripts.size() - 1).version(),
                TestDatabases.text(db, "SELECT max(CAST(version AS INTEGER)) FROM flyway_schema_history"));
        assertFalse(Files.exists(dir.resolve("backups")) && keptFiles(dir.resolve("backups")).findAny().isPresent(),
                "nothing kept aside for a restore that did not happen");
        System.out.printf("RestoreBesideServerIT.aNewerSchemaOrForeignTablesAreRefused: %.1f s%n",
                (System.nanoTime() - started) / 1e9);
    }

    private static void assertRefused(GantryProcess.Result r, String start) {
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith(start), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
    }

    private static Set<Long> queued(Path db) {
        Set<Long> ids = new TreeSet<>();
        for (Map<String, Object> row : StoredRows.query(db, "SELECT build_id FROM collection_queue")) {
            ids.add((Long) row.get("build_id"));
        }
        return ids;
    }

    private static Path keptBeforeRestore(Path backups) throws Exception {
        List<Path> kept = new ArrayList<>();
        try (Stream<Path> s = keptFiles(backups)) {
            s.forEach(kept::add);
        }
        assertEquals(1, kept.size(), "one database kept aside: " + kept);
        return kept.get(0);
    }

    private static Stream<Path> keptFiles(Path backups) throws Exception {
        return Files.list(backups).filter(p -> p.getFileName().toString().endsWith("-before-restore.db"));
    }
}
