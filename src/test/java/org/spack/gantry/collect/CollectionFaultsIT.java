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
import org.spack.gantry.testing.AllocationProbe;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.ClusterStandIn.Fault;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.Processes;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * What an operator sees when Prometheus or GitLab misbehave: every event ends in one
 * recorded outcome with its reason, the log says what went wrong, and the server keeps
 * answering allocations throughout. Runs the packaged server.
 */
class CollectionFaultsIT {
    private static final String HOOK_TOKEN = "faults-token";

    @TempDir
    Path dir;

    private Map<String, String> env(ClusterStandIn cluster, Path db) {
        Map<String, String> env = cluster.env(HOOK_TOKEN, db);
        // short enough for a test, long enough not to trip on a busy machine
        env.put("GANTRY_HTTP_TIMEOUT_SECONDS", "2");
        env.put("GANTRY_COLLECT_MAX_ATTEMPTS", "3");
        env.put("GANTRY_COLLECT_BACKOFF_SECONDS", "0.2");
        return env;
    }

    @Test
    void eachUpstreamFaultEndsInOneOutcomeWithAClearLogLine() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            cluster.fault(801, Fault.PROMETHEUS_500);
            cluster.fault(802, Fault.PROMETHEUS_HTML);
            cluster.fault(803, Fault.PROMETHEUS_SLOW);
            cluster.fault(804, Fault.NO_DATA);
            cluster.fault(805, Fault.GITLAB_401);
            cluster.fault(807, Fault.NAN_CPU_REQUEST);
            cluster.fault(808, Fault.NAN_MEMORY_LIMIT);
            try (GantryProcess gantry = GantryProcess.serve(dir, env(cluster, db));
                    AllocationProbe probe = new AllocationProbe(gantry.baseUrl(), AllocationProbe.PROMPT)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                for (long id = 801; id <= 808; id++) {
                    assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)), "webhook " + id);
                }
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, List.of(801L, 802L, 803L, 804L, 805L, 806L, 807L, 808L),
                        Duration.ofSeconds(60));

                assertEquals("failed:Prometheus answered HTTP 500", outcomes.get(801L));
                assertEquals("failed:Prometheus answered with something other than JSON (text/html);"
                        + " is PROMETHEUS_COOKIE expired?", outcomes.get(802L));
                assertEquals("failed:Prometheus did not answer within 2 s", outcomes.get(803L));
                assertEquals("skipped:annotation data is missing", outcomes.get(804L));
                assertEquals("failed:GitLab answered HTTP 401 (is GITLAB_API_TOKEN valid?)", outcomes.get(805L));
                assertEquals("inserted", outcomes.get(806L), "a healthy job is collected alongside");
                // issue 10 item 5: a NaN was bound as NULL, INSERT OR IGNORE swallowed it and said "already stored"
                assertEquals("skipped:unusable value: cpu_request is NaN", outcomes.get(807L));
                assertEquals("skipped:unusable value: mem_limit is NaN", outcomes.get(808L));
                ClusterStandIn.assertStored(806, StoredRows.jobs(db).get(806L));
                assertEquals(1, StoredRows.jobs(db).size());

                // transient failures are tried the configured number of times, a 401 once
                assertEquals(Map.of(801L, 3L, 802L, 3L, 803L, 3L, 804L, 1L, 805L, 1L, 806L, 1L, 807L, 1L, 808L, 1L), attempts(db));

                String log = gantry.logText();
                for (String line : List.of(
                        "job 801 not collected: Prometheus answered HTTP 500 (gave up after 3 tries)",
                        "job 802 not collected: Prometheus answered with something other than JSON (text/html);"
                                + " is PROMETHEUS_COOKIE expired? (gave up after 3 tries)",
                        "job 803 not collected: Prometheus did not answer within 2 s (gave up after 3 tries)",
                        "job 804 skipped: annotation data is missing",
                        "job 805 not collected: GitLab answered HTTP 401 (is GITLAB_API_TOKEN valid?)"
                                + " (not retried: the answer will not change)",
                        "job 801: Prometheus answered HTTP 500; try 1 of 3 failed, next in")) {
                    assertTrue(log.contains(line), "the log says: " + line + "\n--- log:\n" + log);
                }
                assertTrue(!log.contains(ClusterStandIn.API_TOKEN), "the API token never reaches the log");

                String metrics = Webhooks.get(hooks.client(), gantry.url("/metrics")).body();
                for (String line : List.of(
                        "gantry_collection_outcomes_total{reason=\"prometheus_unavailable\",state=\"failed\"} 3.0",
                        "gantry_collection_outcomes_total{reason=\"gitlab_error\",state=\"failed\"} 1.0",
                        "gantry_collection_outcomes_total{reason=\"annotation data is missing\",state=\"skipped\"} 1.0",
                        "gantry_collection_outcomes_total{reason=\"inserted\",state=\"inserted\"} 1.0",
                        "gantry_collection_outcomes_total{reason=\"unusable value\",state=\"skipped\"} 2.0",
                        "gantry_collection_retries_total{upstream=\"prometheus\"} 6.0")) {
                    assertTrue(metrics.contains(line), "/metrics has " + line + "\n" + metrics);
                }

                assertTrue(gantry.isAlive());
                assertEquals(200, Webhooks.get(hooks.client(), gantry.url("/healthz")).statusCode());
                assertTrue(probe.answered() > 20, "allocations were asked all along: " + probe.answered());
                assertEquals(List.of(), probe.problems(), "every allocation answered 200 promptly");
            }
        }
    }

    @Test
    void prometheusDownForTheWholeRunFailsTheJobAfterItsTries() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = env(cluster, db);
            // nobody listens there
            env.put("PROMETHEUS_URL", "http://127.0.0.1:" + Processes.freePort() + "/api/v1");
            try (GantryProcess gantry = GantryProcess.serve(dir, env);
                    AllocationProbe probe = new AllocationProbe(gantry.baseUrl(), AllocationProbe.PROMPT)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                assertEquals(200, hooks.post(Webhooks.success(901, now - 3600, now - 3000)));
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, List.of(901L), Duration.ofSeconds(30));

                assertTrue(outcomes.get(901L).startsWith("failed:Prometheus refused the connection"), outcomes.toString());
                assertEquals(Map.of(901L, 3L), attempts(db));
                assertTrue(gantry.awaitLog("job 901 not collected: Prometheus refused the connection", Duration.ofSeconds(5)),
                        gantry.logText());
                assertEquals(0, StoredRows.jobs(db).size());
                assertTrue(gantry.isAlive());
                assertEquals(List.of(), probe.problems());
            }
        }
    }

    private static Map<Long, Long> attempts(Path db) {
        Map<Long, Long> out = new HashMap<>();
        for (Map<String, Object> row : StoredRows.query(db, "SELECT build_id, attempts FROM collection_queue")) {
            out.put((Long) row.get("build_id"), (Long) row.get("attempts"));
        }
        return out;
    }
}
