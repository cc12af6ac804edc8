package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * Issue 10 item 1: an event whose collection kills the process (here: the process is
 * killed with SIGKILL each time it collects it) is not taken again forever. Each claim
 * counts a try; after GANTRY_COLLECT_MAX_ATTEMPTS the event ends failed, with a reason.
 */
class KilledWhileCollectingIT {
    private static final String HOOK_TOKEN = "killed-token";
    private static final int MAX_ATTEMPTS = 3;
    private static final long JOB = 880_001;

    @TempDir
    Path dir;

    @Test
    void anEventTheProcessDiesCollectingEndsFailedAfterTheMaximumTries() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            cluster.fault(JOB, ClusterStandIn.Fault.TRACE_HANGS);
            Map<String, String> env = new HashMap<>(cluster.env(HOOK_TOKEN, db));
            env.put("GANTRY_COLLECT_MAX_ATTEMPTS", Integer.toString(MAX_ATTEMPTS));
            env.put("GANTRY_RECONCILE_INTERVAL_SECONDS", "0");
            int kills = 0;
            // bounded: at most MAX_ATTEMPTS + 2 starts
            for (int start = 0; start < MAX_ATTEMPTS + 2; start++) {
                try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                    if (start == 0) {
                        assertEquals(200, new Webhooks(gantry.baseUrl(), HOOK_TOKEN).post(Webhooks.success(JOB, now - 900, now - 60)));
                    }
                    String state = awaitStateOtherThanPending(db, Duration.ofSeconds(20));
                    if (!"running".equals(state)) break;
                    gantry.kill();
                    kills++;
                }
            }
            List<Map<String, Object>> row = StoredRows.query(db,
                    "SELECT state, reason, attempts FROM collection_queue WHERE build_id = ?", JOB);
            assertEquals("failed", row.get(0).get("state"), row.toString());
            assertEquals(MAX_ATTEMPTS, kills, "killed at each try, then never taken again");
            assertEquals((long) MAX_ATTEMPTS, ((Number) row.get(0).get("attempts")).longValue());
            assertTrue(row.get(0).get("reason").toString().startsWith("interrupted: the process stopped while collecting it"),
                    row.toString());
        }
    }

    private static String awaitStateOtherThanPending(Path db, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = null;
        while (System.nanoTime() < deadline) {
            List<Map<String, Object>> rows = StoredRows.query(db, "SELECT state FROM collection_queue WHERE build_id = ?", JOB);
            state = rows.isEmpty() ? null : (String) rows.get(0).get("state");
            if (state != null && !state.equals("pending")) return state;
            Thread.sleep(50);
        }
        return state;
    }
}
