package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.MonitoringFiles;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/** What {@code /metrics} tells the Prometheus that watches Gantry, after some real traffic. */
class MetricsIT {
    private static final String HOOK_TOKEN = "metrics-token";

    @TempDir
    Path dir;

    @Test
    void metricsCountRequestsQueueOutcomesRetriesAndPredictors() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            env.put("GANTRY_COLLECT_BACKOFF_SECONDS", "0.2");
            // every opt-in part on, so that every series the alerts and the dashboard read is served
            env.put("GANTRY_LIMITS", "true");
            env.put("GANTRY_OOM_RERUN_PIPELINES", "true");
            cluster.delayPrometheus(3_000);
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                // five builds of pkg-0 (ids = 0 mod 5) of different versions: a prediction afterwards
                List<Long> ids = List.of(500L, 505L, 510L, 515L, 520L);
                for (long id : ids) {
                    assertEquals(200, hooks.post(Webhooks.success(id, now - 3600, now - 3000)));
                }
                assertEquals(200, hooks.post(Webhooks.success(500, now - 3600, now - 3000)), "a duplicate");
                var unfinished = Webhooks.success(600, now - 3600, now - 3000);
                unfinished.addProperty("build_status", "running");
                assertEquals(200, hooks.post(unfinished));
                assertEquals(401, new Webhooks(gantry.baseUrl(), "wrong").post(Webhooks.success(601, now - 60, now)));

                // while Prometheus is slow, the queue shows up, its oldest event waiting a second and more
                MetricsText.await(gantry.baseUrl(), "gantry_queue_oldest_age_seconds", age -> age >= 1, Duration.ofSeconds(30));
                String busy = metrics(hooks, gantry);
                assertTrue(value(busy, "gantry_queue_depth") >= 1, busy);
                assertTrue(value(busy, "gantry_queue_oldest_age_seconds") >= 1, busy);

                cluster.delayPrometheus(0);
                StoredRows.awaitOutcomes(db, ids, Duration.ofSeconds(60));

                String spec = "pkg-0@1.0 +shared~debug build_system=cmake arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0";
                assertEquals(200, allocation(hooks, gantry, spec).statusCode());
                assertEquals(200, allocation(hooks, gantry, "nothing@1.0 +x arch=linux-x%gcc@1").statusCode());
                assertEquals(400, allocation(hooks, gantry, "not a spec").statusCode());
                // the hourly timer's backup, beside the running server
                GantryProcess.Result backup = GantryProcess.run(dir, env, Duration.ofSeconds(60), "backup");
                assertEquals(0, backup.exit(), backup.err());

                String text = metrics(hooks, gantry);
                for (String line : List.of(
                        "gantry_http_requests_total{route=\"/v1/collect\",status=\"200\"} 7.0",
                        "gantry_http_requests_total{route=\"/v1/collect\",status=\"401\"} 1.0",
                        "gantry_http_requests_total{route=\"/v1/allocation\",status=\"200\"} 2.0",
                        "gantry_http_requests_total{route=\"/v1/allocation\",status=\"400\"} 1.0",
                        "gantry_http_request_duration_seconds_count{route=\"/v1/allocation\",status=\"200\"} 2",
                        "gantry_http_request_duration_seconds_bucket{route=\"/v1/collect\",status=\"200\",le=\"+Inf\"} 7",
                        "gantry_webhooks_total{result=\"queued\"} 5.0",
                        "gantry_webhooks_total{result=\"duplicate\"} 1.0",
                        "gantry_webhooks_total{result=\"dropped\"} 1.0",
                        "gantry_webhooks_total{result=\"unauthorized\"} 1.0",
                        "gantry_webhooks_total{result=\"not_stored\"} 0.0",
                        "gantry_collection_retries_total{upstream=\"prometheus\"} 0.0",
                        "gantry_collection_retries_total{upstream=\"gitlab\"} 0.0",
                        "gantry_collection_outcomes_total{reason=\"inserted\",state=\"inserted\"} 5.0",
                        "gantry_predictions_total{predictor=\"exact:2\"} 1.0",
                        "gantry_predictions_total{predictor=\"default\"} 1.0",
                        "gantry_queue_depth 0.0",
                        "gantry_queue_oldest_age_seconds 0.0")) {
                    assertTrue(text.contains(line + "\n"), "/metrics has: " + line + "\n---\n" + text);
                }
                // the JVM and process, and the build
                for (String family : List.of("jvm_memory_used_bytes{area=\"heap\"}", "jvm_threads_current ",
                        "jvm_gc_collection_seconds_count{", "process_start_time_seconds ", "process_open_fds ",
                        "gantry_build_info{commit=\"")) {
                    assertTrue(text.contains("\n" + family), "/metrics has " + family + "\n---\n" + text);
                }
                assertPromtoolFindsNothing(text);
                assertEverySeriesTheAlertsAndTheDashboardReadIsExposed(text);
                // every request is timed: the histogram's buckets end in +Inf and count them all
                assertTrue(value(text, "gantry_http_request_duration_seconds_sum{route=\"/v1/collect\",status=\"200\"}") > 0);
            }
        }
    }

    @Test
    void retriesAreCountedByUpstream() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            cluster.fault(700, ClusterStandIn.Fault.PROMETHEUS_500);
            Map<String, String> env = cluster.env(HOOK_TOKEN, db);
            env.put("GANTRY_COLLECT_MAX_ATTEMPTS", "4");
            env.put("GANTRY_COLLECT_BACKOFF_SECONDS", "0.1");
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                assertEquals(200, hooks.post(Webhooks.success(700, now - 3600, now - 3000)));
                StoredRows.awaitOutcomes(db, List.of(700L), Duration.ofSeconds(30));
                String text = metrics(hooks, gantry);
                assertTrue(text.contains("gantry_collection_retries_total{upstream=\"prometheus\"} 3.0\n"), text);
                assertTrue(text.contains(
                        "gantry_collection_outcomes_total{reason=\"prometheus_unavailable\",state=\"failed\"} 1.0\n"), text);
            }
        }
    }

    private static String metrics(Webhooks hooks, GantryProcess gantry) throws Exception {
        HttpResponse<String> r = Webhooks.get(hooks.client(), gantry.url("/metrics"));
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    /** {@code promtool check metrics}: the exposition is valid and follows Prometheus' naming conventions. */
    private void assertPromtoolFindsNothing(String text) throws Exception {
        if (!org.spack.gantry.testing.Processes.onPath("promtool") && System.getenv("CI") == null) return;
        Path file = java.nio.file.Files.writeString(dir.resolve("metrics.txt"), text);
        org.spack.gantry.testing.Processes.Result r = org.spack.gantry.testing.Processes.run(dir, Map.of(),
                List.of("sh", "-c", "promtool check metrics < " + file));
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("", (r.out() + r.err()).strip(), "promtool's remarks");
    }

    /**
     * Metrics that other work adds at the same time as the alert rules and the dashboard that
     * read them: reconciliation's cost (issue 18), the workers (17), OOM kills (19), the
     * database (20). They may be absent until that work lands; every other name must be served.
     */
    /** A rule or a panel reading a series Gantry does not serve would stay silent or empty forever. */
    private static void assertEverySeriesTheAlertsAndTheDashboardReadIsExposed(String text) {
        List<String> missing = new ArrayList<>();
        for (String name : MonitoringFiles.metricNamesUsed()) {
            boolean served = Pattern.compile("^" + Pattern.quote(name) + "[{ ]", Pattern.MULTILINE).matcher(text).find();
            if (!served) missing.add(name);
        }
        assertEquals(List.of(), missing, "read by packaging/prometheus or packaging/grafana, not in /metrics:\n" + text);
    }

    private static HttpResponse<String> allocation(Webhooks hooks, GantryProcess gantry, String spec) throws Exception {
        return hooks.client().send(HttpRequest.newBuilder(URI.create(gantry.url("/v1/allocation?spec="
                + URLEncoder.encode(spec, StandardCharsets.UTF_8)))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        List<Double> found = new ArrayList<>();
        while (m.find()) found.add(Double.parseDouble(m.group(1)));
        assertEquals(1, found.size(), series + " once in:\n" + text);
        return found.get(0);
    }
}
