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
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.FakeUpstream.Answer;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.upstream.HttpFetcher;

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
    private Database db;
    private Path file;
    private HttpFetcher http;
    private CollectionWorkers workers;
    private IntakeWriter intakeWriter;
    private Intake intake;

    @BeforeEach
    void setUp() {
        file = TestDatabases.migrated(dir);
        upstream = new FakeUpstream(responder(Map.of(), vectors.get("job_log").getAsString()));
        http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(5), 4);
    }

    private void start() {
        db = Database.open(file, 2);
        QueueStore queue = new QueueStore();
        Collector collector = new Collector(db, new GitLabClient(upstream.url("/api/v4/projects/2"), "api-token", http),
                new PrometheusClient(upstream.url("/prometheus/api/v1"), "", http), new JobStore(), new NodeStore());
        workers = new CollectionWorkers(db, queue, collector, new OutcomeWriter(db, queue, new JobStore(), new NodeStore(),
                JobCommitListener.NONE, CollectionListener.NONE, Clock.systemUTC()),
                new RetryPolicy(2, 0.01, 0.01), CollectionListener.NONE, Clock.systemUTC(), 2,
                new CollectionWorkers.Lease(120, false));
        workers.start();
        intakeWriter = new IntakeWriter(db, queue, workers::signal, Clock.systemUTC()).start();
        intake = new Intake(intakeWriter);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (intakeWriter != null) intakeWriter.close();
        if (workers != null) workers.close();
        if (db != null) db.close();
        http.close();
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
        long id = payload.get("build_id").getAsLong();
        intake.accept(payload.toString()).join();
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            String outcome = db.read(c -> new QueueStore().outcome(c, id));
            if (outcome != null && !outcome.startsWith("pending") && !outcome.startsWith("running")) {
                return outcome;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " was not collected in time");
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
        long id = payload.get("build_id").getAsLong();
        long deadline = System.currentTimeMillis() + 10_000;
        String outcome = null;
        while (System.currentTimeMillis() < deadline && (outcome == null || outcome.equals("pending")
                || outcome.equals("running"))) {
            Thread.sleep(20);
            outcome = db.read(c -> new QueueStore().outcome(c, id));
        }
        assertEquals("inserted", outcome);
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
            assertEquals(Intake.Decision.DROPPED, intake.accept(payload.toString()).join(), variant.getKey());
        }
        JsonObject noRunner = vectors.getAsJsonObject("webhook_payload").deepCopy();
        noRunner.add("runner", com.google.gson.JsonNull.INSTANCE);
        assertEquals(Intake.Decision.DROPPED, intake.accept(noRunner.toString()).join());
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
        assertNothingStored();
    }

    @Test
    void theSameBuildDeliveredTwiceIsCollectedOnce() throws Exception {
        start();
        JsonObject payload = vectors.getAsJsonObject("webhook_payload");
        assertEquals("inserted", outcomeAfterCollecting(payload));
        assertEquals(Intake.Decision.DUPLICATE, intake.accept(payload.toString()).join());
        assertEquals(1L, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
    }

    private static JsonObject JsonObjectOf(String s) {
        return com.google.gson.JsonParser.parseString(s).getAsJsonObject();
    }

    private void assertNothingStored() {
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM jobs"));
        assertEquals(0L, TestDatabases.count(file, "SELECT count(*) FROM nodes"));
    }

    private Map<String, Object> row(String sql) {
        return db.read(c -> {
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
        });
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
