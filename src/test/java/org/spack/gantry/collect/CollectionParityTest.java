package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.Database;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.FakeUpstream.Answer;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.Webhooks;

/** Replays the reference's captured collection through real HTTP and compares the stored rows. */
class CollectionParityTest {
    private static final String[] QUERY_MARKERS = {
        "kube_pod_annotations", "kube_pod_container_resource_requests", "kube_pod_container_resource_limits",
        "container_memory_working_set_bytes", "container_cpu_usage_seconds_total", "kube_node_info", "kube_node_labels"
    };

    @TempDir
    Path dir;

    private final JsonObject vectors = Parity.json("collection.json");
    private FakeUpstream upstream;
    private Path file;
    private Application app;
    private Webhooks webhooks;

    @BeforeEach
    void setUp() {
        file = TestDatabases.migrated(dir);
        upstream = new FakeUpstream(responder(Map.of(), vectors.get("job_log").getAsString()));
    }

    /** The server as `serve` wires it, collecting from the stand-ins. */
    private void start() {
        app = new Application(new ConfigLoader(Map.ofEntries(Map.entry("DB_FILE", file.toString()),
                Map.entry("GANTRY_HOST", "127.0.0.1"), Map.entry("GANTRY_PORT", "0"),
                Map.entry("PROMETHEUS_URL", upstream.url("/prometheus/api/v1")),
                Map.entry("GITLAB_URL", upstream.url("/api/v4/projects/2")), Map.entry("GITLAB_API_TOKEN", "api-token"),
                Map.entry("GITLAB_WEBHOOK_TOKEN", "hook-token"), Map.entry("GANTRY_COLLECT_WORKERS", "2"),
                Map.entry("GANTRY_COLLECT_MAX_ATTEMPTS", "2"), Map.entry("GANTRY_COLLECT_BACKOFF_SECONDS", "0.01"),
                Map.entry("GANTRY_RECONCILE_INTERVAL_SECONDS", "0")), null).load(),
                BuildInfo.load(), Clock.systemUTC());
        app.start();
        webhooks = new Webhooks("http://127.0.0.1:" + app.port(), "hook-token");
    }

    @AfterEach
    void tearDown() {
        if (app != null) app.close();
        upstream.close();
    }

    /** Answers each Prometheus query with its captured response, or with an override by marker. */
    private Function<FakeUpstream.Request, Answer> responder(Map<String, JsonObject> overrides, String jobLog) {
        JsonArray captured = vectors.getAsJsonArray("prometheus_responses_in_query_order");
        return req -> {
            if (req.path().endsWith("/trace")) {
                assertEquals("api-token", req.headers().get("private-token"));
                return Answer.text(jobLog);
            }
            for (int i = 0; i < QUERY_MARKERS.length; i++) {
                if (req.query().contains(QUERY_MARKERS[i])) {
                    JsonObject response = overrides.getOrDefault(QUERY_MARKERS[i],
                            captured.get(i).getAsJsonObject().getAsJsonObject("response"));
                    return Answer.json(response.toString());
                }
            }
            return new Answer(404, "text/plain", "unexpected " + req.path() + "?" + req.query(), 0);
        };
    }

    private String outcomeAfterCollecting(JsonObject payload) throws Exception {
        assertEquals(200, webhooks.post(payload));
        return outcomeOf(payload.get("build_id").getAsLong());
    }

    /** The outcome the queue records for the build ({@code state} or {@code state:reason}), once it has one. */
    private String outcomeOf(long id) throws InterruptedException {
        String sql = "SELECT state || coalesce(':' || reason, '') FROM collection_queue WHERE build_id=" + id;
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            String outcome = TestDatabases.text(file, sql);
            if (outcome != null && !outcome.startsWith("pending") && !outcome.startsWith("running")) {
                return outcome;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " was not collected in time");
    }

    /** How many webhooks /metrics counts with this result. */
    private double webhooksCounted(String result) throws Exception {
        String metrics = Webhooks.get(webhooks.client(), "http://127.0.0.1:" + app.port() + "/metrics").body();
        String prefix = "gantry_webhooks_total{result=\"" + result + "\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

    @Test
    void storesExactlyTheReferenceRows() throws Exception {
        start();
        assertEquals("inserted", outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload")));
        assertRowEquals(vectors.getAsJsonObject("expected_job_row"), row("SELECT * FROM jobs"));
        assertRowEquals(vectors.getAsJsonObject("expected_node_row"), row("SELECT * FROM nodes"));
    }

    @Test
    void anEventThePreviousReleaseQueuedAsAWebhookBodyIsCollectedTheSame() throws Exception {
        JsonObject payload = vectors.getAsJsonObject("webhook_payload");
        // a row as release 3 of the schema wrote it: the body only, none of the job's facts in columns
        TestDatabases.execute(file, "INSERT INTO collection_queue (build_id, payload, state, attempts, received_at,"
                + " next_attempt_at) VALUES (" + payload.get("build_id").getAsLong() + ", '"
                + payload.toString().replace("'", "''") + "', 'pending', 0, 0, 0)");
        start();
        assertEquals("inserted", outcomeOf(payload.get("build_id").getAsLong()));
        assertRowEquals(vectors.getAsJsonObject("expected_job_row"), row("SELECT * FROM jobs"));
    }

    @Test
    void asksPrometheusTheReferenceQueriesInOrder() throws Exception {
        start();
        outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload"));
        List<String> queries = new ArrayList<>();
        for (FakeUpstream.Request r : upstream.requests()) {
            if (r.path().startsWith("/prometheus")) queries.add(r.path() + "?" + r.query());
        }
        String pod = "runner-hwwb-i3u-project-2-concurrent-1-s10tq41z";
        assertEquals(List.of(
                "/prometheus/api/v1/query?query=kube_pod_annotations{annotation_gitlab_ci_job_id=\"9892514\"}&time=1706117733",
                "/prometheus/api/v1/query?query=kube_pod_container_resource_requests{container=\"build\", pod=\"" + pod + "\"}&time=1706117733",
                "/prometheus/api/v1/query?query=kube_pod_container_resource_limits{container=\"build\", pod=\"" + pod + "\"}&time=1706117733",
                "/prometheus/api/v1/query_range?query=container_memory_working_set_bytes{container=\"build\", pod=\"" + pod + "\"}&start=1706117046&end=1706118420&step=1s",
                "/prometheus/api/v1/query_range?query=rate(container_cpu_usage_seconds_total{pod='" + pod + "', container='build'}[90s])&start=1706117046&end=1706118420&step=1s",
                "/prometheus/api/v1/query?query=kube_node_info{node=\"ip-192-168-86-107.ec2.internal\"}&time=1706117733",
                "/prometheus/api/v1/query?query=kube_node_labels{node=\"ip-192-168-86-107.ec2.internal\"}&time=1706117733"),
                queries);
    }

    @Test
    void reusesAStoredNodeByUuid() throws Exception {
        TestDatabases.execute(file, Parity.text("upstream_node_row.sql"));
        start();
        assertEquals("inserted", outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload")));
        assertEquals(2L, row("SELECT node FROM jobs").get("node"));
        assertEquals(1L, TestDatabases.count(file, "SELECT count(*) FROM nodes"));
        assertTrue(upstream.requests().stream().noneMatch(r -> r.query().contains("kube_node_labels")));
    }

    @Test
    void skipsAJobAlreadyStored() throws Exception {
        TestDatabases.execute(file, Parity.text("upstream_node_row.sql"));
        TestDatabases.execute(file, Parity.text("upstream_job_row.sql"));
        start();
        assertEquals("skipped:already stored", outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload")));
        assertEquals(1L, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
        assertTrue(upstream.requests().isEmpty(), "nothing is asked of GitLab or Prometheus");
    }

    @Test
    void skipsAGhostJob() throws Exception {
        upstream.respondWith(responder(Map.of(), vectors.get("ghost_job_log").getAsString()));
        start();
        assertEquals("skipped:ghost job", outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload")));
        assertNothingStored();
    }

    @Test
    void eachMissingPieceOfPrometheusDataStoresNothing() throws Exception {
        start();
        JsonObject empty = JsonObjectOf("{\"status\": \"success\", \"data\": {\"resultType\": \"vector\", \"result\": []}}");
        long id = 1;
        for (String marker : QUERY_MARKERS) {
            upstream.respondWith(responder(Map.of(marker, empty), vectors.get("job_log").getAsString()));
            JsonObject payload = vectors.getAsJsonObject("webhook_payload").deepCopy();
            payload.addProperty("build_id", id++);
            String outcome = outcomeAfterCollecting(payload);
            assertTrue(outcome.startsWith("skipped:"), marker + " -> " + outcome);
            assertNothingStored();
        }
    }

    @Test
    void theInvalidMemorySeriesStoresNothing() throws Exception {
        upstream.respondWith(responder(Map.of("container_memory_working_set_bytes",
                vectors.getAsJsonObject("invalid_memory_usage_response")), vectors.get("job_log").getAsString()));
        start();
        assertEquals("skipped:memory usage data is invalid",
                outcomeAfterCollecting(vectors.getAsJsonObject("webhook_payload")));
        assertNothingStored();
    }

    @Test
    void eachSkippedPayloadVariantStoresNothingAndQueuesNothing() throws Exception {
        start();
        for (Map.Entry<String, JsonElement> variant :
                vectors.getAsJsonObject("payload_variants_that_must_be_skipped").entrySet()) {
            JsonObject payload = vectors.getAsJsonObject("webhook_payload").deepCopy();
            payload.add(variant.getKey(), variant.getValue());
            assertEquals(200, webhooks.post(payload), variant.getKey());
        }
        JsonObject noRunner = vectors.getAsJsonObject("webhook_payload").deepCopy();
        noRunner.add("runner", com.google.gson.JsonNull.INSTANCE);
        assertEquals(200, webhooks.post(noRunner));
        int variants = vectors.getAsJsonObject("payload_variants_that_must_be_skipped").size();
        assertEquals(variants + 1, webhooksCounted("dropped"));
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
        assertNothingStored();
    }

    @Test
    void theSameBuildDeliveredTwiceIsCollectedOnce() throws Exception {
        start();
        JsonObject payload = vectors.getAsJsonObject("webhook_payload");
        assertEquals("inserted", outcomeAfterCollecting(payload));
        assertEquals(200, webhooks.post(payload));
        assertEquals(1, webhooksCounted("duplicate"));
        assertEquals(1L, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
    }

    private static JsonObject JsonObjectOf(String s) {
        return com.google.gson.JsonParser.parseString(s).getAsJsonObject();
    }

    private void assertNothingStored() {
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM nodes"));
    }

    private Map<String, Object> row(String sql) throws java.sql.SQLException {
        try (java.sql.Connection c = Database.open(file, true)) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                assertTrue(rs.next(), "a row for " + sql);
                ResultSetMetaData md = rs.getMetaData();
                Map<String, Object> out = new java.util.LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    out.put(md.getColumnName(i), v instanceof Integer n ? Long.valueOf(n) : v);
                }
                return out;
            }
        }
    }

    static void assertRowEquals(JsonObject expected, Map<String, Object> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
            Object got = actual.get(e.getKey());
            JsonElement want = e.getValue();
            if (want.isJsonNull()) {
                assertNull(got, e.getKey());
            } else if (want.getAsJsonPrimitive().isString()) {
                assertEquals(want.getAsString(), got, e.getKey());
            } else {
                double w = want.getAsDouble();
                double g = ((Number) got).doubleValue();
                assertTrue(Math.abs(w - g) <= 1e-9 * Math.max(Math.abs(w), 1e-300), e.getKey() + ": " + w + " vs " + g);
            }
        }
    }
}
