package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.AllocationProbe;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * A disk that fills up under intake. The packaged server runs with a file size limit
 * ({@code ulimit -f}): once its database and journal reach it, every write fails with
 * EFBIG exactly as on a full disk, and SQLite reports the write failure. The server
 * must answer 503 (never 200) for every event it could not write, keep answering
 * allocations, and after a restart hold exactly the events it acknowledged.
 */
class DiskFullIT {
    private static final String HOOK_TOKEN = "disk-full-token";
    /** bash counts {@code ulimit -f} in KiB: 6 MiB for the database and its journal. */
    private static final String LIMIT = "ulimit -f 6144";

    @TempDir
    Path dir;

    @Test
    void aFullDiskGets503AndNever200ForAnEventNotOnDisk() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        Set<Long> acknowledged = new TreeSet<>();
        Set<Long> refused = new TreeSet<>();
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            try (GantryProcess gantry = GantryProcess.serve(dir, env, LIMIT);
                    AllocationProbe probe = new AllocationProbe(gantry.baseUrl(), AllocationProbe.PROMPT)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                String refusal = null;
                // 300 kB webhooks (a long commit message): the limit is reached after about twenty
                for (long id = 1; id <= 80 && refused.size() < 5; id++) {
                    JsonObject payload = Webhooks.success(id, now - 3600, now - 3000);
                    JsonObject commit = new JsonObject();
                    commit.addProperty("message", "x".repeat(300_000));
                    payload.add("commit", commit);
                    HttpResponse<String> r = hooks.post(payload.toString());
                    if (r.statusCode() == 200) {
                        acknowledged.add(id);
                    } else {
                        assertEquals(503, r.statusCode(), "a write failure is a 503: " + r.body());
                        refusal = r.body();
                        refused.add(id);
                    }
                }
                assertTrue(acknowledged.size() >= 5, "events were stored before the disk filled: " + acknowledged);
                assertEquals(5, refused.size(), "the disk filled up: " + refused);
                assertTrue(refusal.startsWith("cannot store the event: database write failed"), refusal);
                for (long id : refused) {
                    assertTrue(gantry.awaitLog("webhook for job " + id + " not stored, answered 503", Duration.ofSeconds(5)),
                            "the log names job " + id + ":\n" + gantry.logText());
                }
                assertTrue(gantry.isAlive());
                assertEquals(200, Webhooks.get(hooks.client(), gantry.url("/healthz")).statusCode(),
                        "reads still work: the database answers");
                assertTrue(probe.answered() > 0);
                assertEquals(List.of(), probe.problems(), "allocations answered throughout");
            }

            // room again (no limit): exactly the acknowledged events are there, and are collected
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, acknowledged, Duration.ofSeconds(60));
                assertEquals(acknowledged, outcomes.keySet(), "the queue holds every acknowledged event and no refused one");
                for (long id : acknowledged) {
                    assertEquals("inserted", outcomes.get(id), "job " + id);
                }
                for (long id : refused) {
                    assertFalse(StoredRows.jobs(db).containsKey(id));
                }
            }
        }
    }
}
