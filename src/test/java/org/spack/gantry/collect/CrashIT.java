package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.store.Database;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * The promise of intake: a webhook answered 200 is collected, whatever happens to the
 * process, and no webhook is answered 200 before its event is committed. Runs the
 * packaged server and kills it with SIGKILL.
 */
class CrashIT {
    private static final String HOOK_TOKEN = "crash-test-token";
    private static final long FIRST = 500_000;
    private static final int ELIGIBLE = 240;

    @TempDir
    Path dir;

    /**
     * A burst of webhooks while Prometheus is slow; the server is killed the moment the
     * last answer arrives, then started again.
     */
    @Test
    void everyAcknowledgedJobIsStoredExactlyOnceAfterAKillDuringABurst() throws Exception {
        Path db = dir.resolve("gantry.db");
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            // slow enough that most of the burst is still queued when the process dies
            cluster.delayPrometheus(150);
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            env.put("GANTRY_COLLECT_WORKERS", "4");

            List<JsonObject> burst = burst();
            Map<Long, Integer> answers = new HashMap<>();
            int killedWithUnfinished;
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                ExecutorService senders = Executors.newFixedThreadPool(32);
                try {
                    List<Future<Integer>> sent = new ArrayList<>();
                    for (JsonObject p : burst) {
                        sent.add(senders.submit(() -> hooks.post(p)));
                    }
                    for (int i = 0; i < burst.size(); i++) {
                        int status = sent.get(i).get();
                        answers.merge(burst.get(i).get("build_id").getAsLong(), status, Math::max);
                    }
                } finally {
                    senders.shutdownNow();
                }
                gantry.kill();
                killedWithUnfinished = unfinished(db);
            }
            assertTrue(answers.values().stream().allMatch(s -> s == 200), "every webhook answered 200: " + answers);
            assertTrue(killedWithUnfinished > ELIGIBLE / 2,
                    "the kill came while most events were still queued (" + killedWithUnfinished + " unfinished)");

            cluster.delayPrometheus(0);
            Set<Long> eligible = eligibleIds();
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, eligible, Duration.ofSeconds(120));
                for (long id : eligible) {
                    assertEquals("inserted", outcomes.get(id), "outcome of " + id);
                }
                assertEquals(eligible, outcomes.keySet(), "nothing but the eligible jobs was ever queued");
                assertTrue(again.logText().contains("were being collected when Gantry last stopped; collecting them again"),
                        "the restart says it took back the events the kill interrupted:\n" + again.logText());
            }
            Map<Long, Map<String, Object>> jobs = StoredRows.jobs(db);
            assertEquals(eligible, jobs.keySet(), "exactly the acknowledged eligible jobs are stored");
            assertEquals((long) ELIGIBLE, StoredRows.query(db, "SELECT count(*) AS n FROM jobs").get(0).get("n"),
                    "each once");
            for (long id : eligible) {
                ClusterStandIn.assertStored(id, jobs.get(id));
            }
        }
    }

    @Test
    void aWebhookIsAnsweredOnlyOnceItsEventIsCommitted() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                CompletableFuture<HttpResponse<String>> first;
                try (Connection lock = Database.open(db, false); Statement st = lock.createStatement()) {
                    // another writer holds the database: no commit can happen
                    st.execute("BEGIN IMMEDIATE");
                    first = hooks.postAsync(Webhooks.success(1, now - 3600, now - 3000).toString());
                    MetricsText.await(gantry.baseUrl(), IN_FLIGHT, n -> n == 1, Duration.ofSeconds(30));
                    assertFalse(first.isDone(), "no answer while the event cannot be committed");
                    st.execute("ROLLBACK");
                }
                assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode(), "answered once committed");
                assertEquals(1, StoredRows.query(db, "SELECT * FROM collection_queue WHERE build_id = 1").size());

                CompletableFuture<HttpResponse<String>> second;
                try (Connection lock = Database.open(db, false); Statement st = lock.createStatement()) {
                    st.execute("BEGIN IMMEDIATE");
                    second = hooks.postAsync(Webhooks.success(2, now - 3600, now - 3000).toString());
                    MetricsText.await(gantry.baseUrl(), IN_FLIGHT, n -> n == 1, Duration.ofSeconds(30));
                    assertFalse(second.isDone());
                    gantry.kill();
                    st.execute("ROLLBACK");
                }
                ExecutionException lost = assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS),
                        "killed before the commit: GitLab sees a failed delivery, not a 200");
                assertTrue(lost.getCause() instanceof IOException, lost.toString());
            }
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                StoredRows.awaitOutcomes(db, List.of(1L), Duration.ofSeconds(30));
                assertEquals(Set.of(1L), StoredRows.outcomes(db).keySet(),
                        "the answered event is there, the unanswered one is not");
            }
        }
    }

    /** A webhook received and waiting for its commit. */
    private static final String IN_FLIGHT = "gantry_http_requests_in_flight{route=\"/v1/collect\"}";

    /** Events not yet collected when the process died. */
    private static int unfinished(Path db) {
        return ((Long) StoredRows.query(db,
                "SELECT count(*) AS n FROM collection_queue WHERE state IN ('pending', 'running')").get(0).get("n")).intValue();
    }

    private static Set<Long> eligibleIds() {
        Set<Long> ids = new TreeSet<>();
        for (long i = 0; i < ELIGIBLE; i++) ids.add(FIRST + i);
        return ids;
    }

    /**
     * 240 eligible jobs, 30 of them delivered twice, and 45 events that must never be
     * stored or queued (unfinished, not a build stage, a uo runner, no runner), shuffled.
     */
    private static List<JsonObject> burst() {
        long now = System.currentTimeMillis() / 1000;
        List<JsonObject> all = new ArrayList<>();
        for (long id : eligibleIds()) {
            all.add(Webhooks.success(id, now - 3600, now - 1800));
            if (id % 8 == 0) all.add(Webhooks.success(id, now - 3600, now - 1800));
        }
        for (long i = 0; i < 45; i++) {
            JsonObject p = Webhooks.success(FIRST + 100_000 + i, now - 3600, now - 1800);
            switch ((int) (i % 4)) {
                case 0 -> p.addProperty("build_status", "running");
                case 1 -> p.addProperty("build_stage", "generate");
                case 2 -> p.getAsJsonObject("runner").addProperty("description", "uo-runner-7");
                default -> p.add("runner", JsonNull.INSTANCE);
            }
            all.add(p);
        }
        Collections.shuffle(all, new Random(42));
        return all;
    }
}
