package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * Issue 11's scenario, on the packaged server: while Gantry is down 40 jobs finish and
 * their webhooks find nobody; started again, it finds and collects them by itself within
 * two reconciliation intervals, each once, and jobs that did come by webhook are not
 * collected twice.
 */
class ReconcileIT {
    private static final String HOOK_TOKEN = "reconcile-token";
    private static final int INTERVAL = 5;
    private static final String SUCCESSFUL_RUNS = "gantry_reconcile_runs_total{result=\"success\"}";

    @TempDir
    Path dir;

    @Test
    void jobsFinishedWhileGantryWasDownAreCollectedWithoutAnOperator() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            List<JsonObject> list = new ArrayList<>();
            Set<Long> missed = new TreeSet<>();
            for (long id = 7_039; id >= 7_000; id--) {
                long end = now - 120 - (7_039 - id) * 60;
                list.add(ClusterStandIn.apiJob(id, "stage-" + id % 3, "aws-" + id % 2, end - 900, end));
                missed.add(id);
            }
            cluster.jobList(list);
            // Gantry is down: GitLab's deliveries are refused
            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            Webhooks nobody = new Webhooks("http://127.0.0.1:" + closedPort, HOOK_TOKEN);
            for (JsonObject job : list.subList(0, 4)) {
                long id = job.get("id").getAsLong();
                try {
                    nobody.post(Webhooks.success(id, now - 1_000, now - 200));
                    throw new AssertionError("a delivery reached a stopped Gantry");
                } catch (ConnectException refused) {
                    // as GitLab sees it: a failed delivery, not retried
                }
            }

            Set<Long> delivered = new TreeSet<>();
            Map<String, String> env = new HashMap<>(cluster.env(HOOK_TOKEN, db));
            env.put("GANTRY_RECONCILE_INTERVAL_SECONDS", Integer.toString(INTERVAL));
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                long started = System.nanoTime();
                // meanwhile, new jobs arrive by webhook as usual, and only then appear in the jobs API
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                List<JsonObject> withDelivered = new ArrayList<>();
                for (long id = 7_104; id >= 7_100; id--) {
                    long end = now - 30;
                    assertEquals(200, hooks.post(Webhooks.success(id, end - 600, end)));
                    withDelivered.add(ClusterStandIn.apiJob(id, "stage-1", "aws", end - 600, end));
                    delivered.add(id);
                }
                withDelivered.addAll(list);
                cluster.jobList(withDelivered);

                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, missed, Duration.ofSeconds(2L * INTERVAL));
                double took = (System.nanoTime() - started) / 1e9;
                for (long id : missed) {
                    assertEquals("inserted", outcomes.get(id), "job " + id);
                }
                StoredRows.awaitOutcomes(db, delivered, Duration.ofSeconds(30));
                // a second run and more sees everything stored or queued: awaited by the runs' count, not a sleep
                MetricsText.await(gantry.baseUrl(), SUCCESSFUL_RUNS, n -> n >= 2, Duration.ofSeconds(60));

                String metrics = Webhooks.get(hooks.client(), gantry.url("/metrics")).body();
                assertTrue(metrics.contains("gantry_reconcile_queued_total 40.0"), metrics);
                assertTrue(metrics.contains("gantry_reconcile_runs_total{result=\"failure\"} 0.0"), metrics);
                assertTrue(metrics.matches("(?s).*gantry_reconcile_runs_total\\{result=\"success\"} [2-9]\\.0.*"), metrics);
                assertTrue(metrics.matches("(?s).*gantry_reconcile_last_success_timestamp_seconds 1\\.[0-9]+E9.*"), metrics);
                String health = Webhooks.get(hooks.client(), gantry.url("/healthz")).body();
                assertTrue(health.contains("\"reconciliation\":\"enabled: every 5 s"), health);
                assertTrue(gantry.logText().contains("reconciliation queued 40 job(s) that no webhook delivered"),
                        gantry.logText());
                System.out.printf("reconciliation: 40 missed jobs collected %.1f s after the start (interval %d s)%n",
                        took, INTERVAL);
            }

            Map<Long, Map<String, Object>> jobs = StoredRows.jobs(db);
            Set<Long> all = new TreeSet<>(missed);
            all.addAll(delivered);
            assertEquals(all, jobs.keySet());
            for (long id : all) {
                ClusterStandIn.assertStored(id, jobs.get(id));
            }
            // each collected once: one log read per job
            Map<String, Long> traces = new HashMap<>();
            for (FakeUpstream.Request r : cluster.requests()) {
                if (r.path().endsWith("/trace")) traces.merge(r.path(), 1L, Long::sum);
            }
            assertEquals(all.size(), traces.size());
            assertTrue(traces.values().stream().allMatch(n -> n == 1), traces.toString());
            assertEquals(List.of(Map.of("source", "reconcile", "n", 40L), Map.of("source", "webhook", "n", 5L)),
                    StoredRows.query(db, "SELECT source, count(*) AS n FROM collection_queue GROUP BY source ORDER BY source"));

            // a restart reconciles again at once and queues nothing twice
            int before = cluster.requests().size();
            try (GantryProcess again = GantryProcess.serve(dir, env)) {
                // the run after the restart has ended (not a sleep that a slow run outlasts), having asked GitLab
                MetricsText.await(again.baseUrl(), SUCCESSFUL_RUNS, n -> n >= 1, Duration.ofSeconds(60));
                assertTrue(cluster.requests().subList(before, cluster.requests().size()).stream()
                        .anyMatch(r -> r.path().endsWith("/jobs")), "the restarted server asked the jobs API");
                String metrics = MetricsText.scrape(again.baseUrl());
                assertEquals(0.0, MetricsText.value(metrics, "gantry_reconcile_queued_total").orElseThrow(), metrics);
                assertEquals(List.of(Map.of("n", 45L)), StoredRows.query(db, "SELECT count(*) AS n FROM collection_queue"));
            }
        }
    }
}
