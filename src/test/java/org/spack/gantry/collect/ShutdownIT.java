package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * SIGTERM, as systemd and every deploy send it, while collections wait on a Prometheus
 * that takes a minute to answer: the server must exit within a bounded time, put the
 * events under way back in the queue without counting the interrupted try, close the
 * database cleanly, and collect them after the restart.
 */
class ShutdownIT {
    private static final String HOOK_TOKEN = "shutdown-token";
    private static final Set<Long> JOBS = Set.of(11L, 12L, 13L, 14L, 15L);

    @TempDir
    Path dir;

    @Test
    void sigtermStopsWithinBoundedTimeAndPutsCollectionsUnderWayBack() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            cluster.delayPrometheus(60_000);
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            env.put("GANTRY_COLLECT_WORKERS", "2");
            // longer than the delay: the calls are really under way when the signal comes
            env.put("GANTRY_HTTP_TIMEOUT_SECONDS", "120");
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                for (long id : JOBS) {
                    assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                }
                awaitRunning(db, 2);

                // what systemd allows before it kills the service (TimeoutStopSec in gantry.service)
                Integer exit = gantry.terminate(Duration.ofSeconds(30));
                assertNotNull(exit, "stopped within 30 s of SIGTERM:\n" + gantry.logText());
                assertEquals(143, exit, "the exit status of a process that stopped on SIGTERM");
                String log = gantry.logText();
                assertTrue(log.contains("2 collection(s) under way were put back in the queue for the next start"), log);
                assertTrue(log.contains("put back in the queue: Gantry is stopping"), log);
                assertTrue(log.contains("gantry stopped in"), log);
            }
            assertEquals(0, StoredRows.query(db, "SELECT * FROM collection_queue WHERE state <> 'pending'"
                    + " OR attempts <> 0").size(), "every event waits in the queue, no try counted");
            assertTrue(!Files.exists(Path.of(db + "-wal")) || Files.size(Path.of(db + "-wal")) == 0,
                    "the database was closed cleanly (its journal checkpointed and removed)");

            cluster.delayPrometheus(0);
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, JOBS, Duration.ofSeconds(30));
                for (long id : JOBS) {
                    assertEquals("inserted", outcomes.get(id));
                    ClusterStandIn.assertStored(id, StoredRows.jobs(db).get(id));
                }
            }
        }
    }

    private static void awaitRunning(Path db, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Map<String, Object>> running = List.of();
        while (System.nanoTime() < deadline) {
            running = StoredRows.query(db, "SELECT build_id FROM collection_queue WHERE state = 'running'");
            if (running.size() == count) return;
            Thread.sleep(50);
        }
        throw new AssertionError(count + " collections under way expected, found " + running);
    }
}
