package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ConfigLoader;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.TestDatabases;

/** The HTTP contract, through a real server: status codes and bodies, and that bad input changes nothing. */
class HttpApiTest {
    private static final String TOKEN = "webhook-secret";
    private static final String GOOD_SPEC = "py-torch@2.2.1 ~caffe2+cuda+cudnn~debug+distributed+fbgemm+gloo+kineto~magma"
            + "~metal+mkldnn+mpi~nccl+nnpack+numa+numpy+onnx_ml+openmp+qnnpack~rocm+tensorpipe~test+valgrind+xnnpack"
            + " build_system=python_pip cuda_arch=80 arch=x86_64%gcc@11.4.0";

    @TempDir
    Path dir;

    private Application app;
    private Path db;
    private final HttpClient client = HttpClient.newHttpClient();

    private void start(Map<String, String> env) {
        Config config = new ConfigLoader(env, null).load();
        app = new Application(config, BuildInfo.load(), Clock.systemUTC());
        app.start();
    }

    @BeforeEach
    void history() {
        db = TestDatabases.migrated(dir);
        TestDatabases.execute(db, Parity.text("insert_samples.sql"));
    }

    @AfterEach
    void stop() {
        if (app != null) app.close();
    }

    private Map<String, String> collectionEnv() {
        return Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1",
                "PROMETHEUS_URL", "http://127.0.0.1:9/api/v1", "GITLAB_URL", "http://127.0.0.1:9/api/v4/projects/2",
                "GITLAB_API_TOKEN", "api", "GITLAB_WEBHOOK_TOKEN", TOKEN, "GANTRY_RECONCILE_INTERVAL_SECONDS", "0");
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> allocation(String spec) throws Exception {
        return get("/v1/allocation?spec=" + URLEncoder.encode(spec, StandardCharsets.UTF_8));
    }

    private HttpResponse<String> collect(String token, String event, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/collect"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("X-Gitlab-Token", token);
        if (event != null) b.header("X-Gitlab-Event", event);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private long rows(String table) {
        return TestDatabases.count(db, "SELECT count(*) FROM " + table);
    }

    @Test
    void allocationAnswersAsTheReference() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        HttpResponse<String> r = allocation(GOOD_SPEC);
        assertEquals(200, r.statusCode());
        assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"11779m\", \"KUBERNETES_MEMORY_REQUEST\": \"9577M\"}}", r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void aMemoryLimitFactorAddsTheLimitToEveryAnswerBackedByASample() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1",
                "GANTRY_MEMORY_LIMIT_FACTOR", "1.15"));
        // the five py-torch builds' largest mem_max is 41,186,873,344 bytes: 1.15 x that is 47,365M
        String expected = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"11779m\", \"KUBERNETES_MEMORY_REQUEST\": \"9577M\","
                + " \"KUBERNETES_MEMORY_LIMIT\": \"47365M\"}}";
        assertEquals(expected, allocation(GOOD_SPEC).body(), "from the reference queries or the index, whichever answers");
        assertEquals(expected, allocation(GOOD_SPEC).body());
        HttpResponse<String> batch = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/allocations"))
                .POST(HttpRequest.BodyPublishers.ofString("[\"" + GOOD_SPEC + "\", \"zlib@1 +shared arch=x%gcc@1\"]")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("[" + expected + ", {\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\","
                + " \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}]", batch.body(), "the default answer carries no limit");
    }

    @Test
    void allocationRefusesBadSpecsWithFourHundreds() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        assertEquals("missing spec parameter", get("/v1/allocation").body());
        assertEquals(400, get("/v1/allocation").statusCode());
        assertEquals(400, get("/v1/allocation?spec=").statusCode());
        for (String bad : new String[] {"garbage", "x@1 a=b=c arch=x%gcc@1", "x@1 ++++ arch=x%gcc@1"}) {
            HttpResponse<String> r = allocation(bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("invalid spec", r.body(), bad);
        }
        // valid specs: SQL in a compiler version is only text, and a list value requires the variant's absence
        String defaults = "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"1000m\", \"KUBERNETES_MEMORY_REQUEST\": \"2000M\"}}";
        for (String odd : new String[] {"x@1 +a arch=x%gcc@1'; DROP TABLE jobs; --", "x@1 cuda=a,b arch=x%gcc@1"}) {
            HttpResponse<String> r = allocation(odd);
            assertEquals(200, r.statusCode(), odd);
            assertEquals(defaults, r.body(), odd);
        }
        assertEquals(400, allocation("x".repeat(8000)).statusCode());
        assertEquals(414, allocation("a".repeat(9000)).statusCode());
        assertEquals(5, rows("jobs"));
    }

    @Test
    void nonAsciiVariantsAreAnsweredLikeTheReference() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        TestDatabases.execute(db, Parity.text("insert_samples.sql").replaceAll("(?m)^INSERT INTO nodes.*$", "")
                .replace("INSERT INTO jobs VALUES(678", "INSERT INTO jobs VALUES(978")
                .replace("nbogpypi", "unicode")
                .replace(",10150209", ",20150209")
                .replace("'py-torch'", "'caf\u00e9'")
                .replace("\"cuda_arch\": \"80\"", "\"cuda_arch\": \"\\u00e9t\\u00e9\""));
        String spec = GOOD_SPEC.replace("py-torch", "caf\u00e9").replace("cuda_arch=80", "cuda_arch=\u00e9t\u00e9");
        // written by another connection: the server notices within a second (at most 2 s)
        long written = System.nanoTime();
        HttpResponse<String> r = allocation(spec);
        while (r.body().contains("1000m") && System.nanoTime() - written < 2_000_000_000L) {
            Thread.sleep(20);
            r = allocation(spec);
        }
        assertEquals("{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"11779m\", \"KUBERNETES_MEMORY_REQUEST\": \"9577M\"}}", r.body());
    }

    @Test
    void healthzReportsVersionSchemaQueueAndCollection() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1", "GITLAB_URL", "http://x"));
        HttpResponse<String> r = get("/healthz");
        assertEquals(200, r.statusCode());
        var body = com.google.gson.JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals("ok", body.get("status").getAsString());
        assertEquals(BuildInfo.load().version(), body.get("version").getAsString());
        assertEquals("6", body.get("schema_version").getAsString());
        assertEquals(0, body.get("queue_depth").getAsInt());
        assertEquals("disabled: PROMETHEUS_URL, GITLAB_API_TOKEN, GITLAB_WEBHOOK_TOKEN not set", body.get("collection").getAsString());
        assertEquals("disabled: GITLAB_API_TOKEN not set", body.get("reconciliation").getAsString());
    }

    @Test
    void collectIsServiceUnavailableWithoutItsSettings() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        HttpResponse<String> r = collect(TOKEN, "Job Hook", Parity.json("collection.json").get("webhook_payload").toString());
        assertEquals(503, r.statusCode());
        assertEquals("collection disabled: PROMETHEUS_URL, GITLAB_URL, GITLAB_API_TOKEN, GITLAB_WEBHOOK_TOKEN not set", r.body());
        assertEquals(0, rows("collection_queue"));
    }

    @Test
    void collectChecksTokenThenSizeThenEventThenBody() throws Exception {
        start(collectionEnv());
        String payload = Parity.json("collection.json").get("webhook_payload").toString();
        assertEquals(401, collect(null, "Job Hook", payload).statusCode());
        assertEquals("invalid token", collect("wrong", "Job Hook", payload).body());
        assertEquals(401, collect("wrong", "Job Hook", "not json").statusCode());
        assertEquals(413, collect(TOKEN, "Job Hook", "x".repeat(1024 * 1024 + 1)).statusCode());
        assertEquals(200, collect(TOKEN, "Push Hook", "not json").statusCode());
        assertEquals(400, collect(TOKEN, "Job Hook", "not json").statusCode());
        assertEquals("invalid json", collect(TOKEN, "Job Hook", "{\"build_status\": ").body());
        assertEquals(0, rows("collection_queue"));
    }

    @Test
    void aSuccessEventWithAnUnreadableFieldIsRecordedAsSkippedNotRefused() throws Exception {
        start(collectionEnv());
        var good = Parity.json("collection.json").getAsJsonObject("webhook_payload");
        // a 4xx counts against the hook at GitLab: only a body that is no Job Hook at all gets one
        Map<String, String> cases = Map.of(
                "runner", "7", "build_stage", "3", "ref", "null",
                "build_started_at", "\"yesterday\"", "build_finished_at", "[]");
        long id = 1000;
        for (var c : cases.entrySet()) {
            var payload = good.deepCopy();
            payload.addProperty("build_id", ++id);
            payload.add(c.getKey(), com.google.gson.JsonParser.parseString(c.getValue()));
            HttpResponse<String> r = collect(TOKEN, "Job Hook", payload.toString());
            assertEquals(200, r.statusCode(), c.getKey());
            String reason = TestDatabases.text(db, "SELECT state || ':' || reason FROM collection_queue WHERE build_id=" + id);
            assertTrue(reason.startsWith("skipped:invalid event: ") && reason.contains(c.getKey()), reason);
        }
        var notAnInteger = good.deepCopy();
        notAnInteger.addProperty("build_id", "9892514");
        assertEquals("field build_id must be an integer", collect(TOKEN, "Job Hook", notAnInteger.toString()).body());
        var missing = good.deepCopy();
        missing.remove("build_id");
        HttpResponse<String> r = collect(TOKEN, "Job Hook", missing.toString());
        assertEquals(400, r.statusCode());
        assertEquals("missing field: build_id", r.body());
        assertEquals(cases.size(), rows("collection_queue"));
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("gantry_webhooks_total{result=\"invalid\"} " + cases.size() + ".0"), "recorded as skipped");
        assertTrue(metrics.contains("gantry_webhooks_total{result=\"refused\"} 2.0"), "answered 400");
    }

    @Test
    void everyTimestampFormGitLabWritesIsTheSameInstant() throws Exception {
        start(collectionEnv());
        var good = Parity.json("collection.json").getAsJsonObject("webhook_payload");
        // GitLab docs, "Webhook events" -> "Job events"; "+0200": Ruby's Time#to_s on a GitLab not set to UTC
        String[][] forms = {
            {"build_started_at", "2021-02-23 02:41:37 UTC", "build_finished_at", "2021-02-23 03:41:37 UTC"},
            {"build_started_at", "2021-02-23 04:41:37 +0200", "build_finished_at", "2021-02-23 01:41:37 -0200"},
            {"build_started_at", "2021-02-23T02:41:37Z", "build_finished_at", "2021-02-23T03:41:37.886Z"},
            {"build_started_at", "2021-02-23T04:41:37.123+02:00", "build_finished_at", "2021-02-23T03:41:37+00:00"},
            // the _iso fields win over the plain ones
            {"build_started_at_iso", "2021-02-23T02:41:37.000Z", "build_finished_at_iso", "2021-02-23T03:41:37Z",
                "build_started_at", "not a time", "build_finished_at", "2021-02-24 00:00:00 UTC"},
        };
        long id = 2000;
        for (String[] form : forms) {
            var payload = good.deepCopy();
            payload.addProperty("build_id", ++id);
            payload.addProperty("build_created_at", "2021-02-23T02:40:00.886Z");
            for (int i = 0; i < form.length; i += 2) {
                payload.addProperty(form[i], form[i + 1]);
            }
            assertEquals(200, collect(TOKEN, "Job Hook", payload.toString()).statusCode(), String.join(" ", form));
            assertEquals("1614048097 1614051697", TestDatabases.text(db,
                    "SELECT job_start || ' ' || job_end FROM collection_queue WHERE build_id=" + id), String.join(" ", form));
        }
    }

    @Test
    void unfinishedStatusesAreAcknowledgedAndDropped() throws Exception {
        start(collectionEnv());
        for (String status : new String[] {"created", "pending", "running", "failed", "canceled"}) {
            String body = "{\"build_status\": \"" + status + "\", \"build_id\": 1, \"build_started_at\": null,"
                    + " \"build_finished_at\": null, \"runner\": null}";
            assertEquals(200, collect(TOKEN, "Job Hook", body).statusCode(), status);
        }
        assertEquals(0, rows("collection_queue"));
    }

    @Test
    void anAcceptedWebhookIsOnDiskWhenAnswered() throws Exception {
        start(collectionEnv());
        String payload = Parity.json("collection.json").get("webhook_payload").toString();
        assertEquals(200, collect(TOKEN, "Job Hook", payload).statusCode());
        assertEquals(1, rows("collection_queue"));
        assertEquals(200, collect(TOKEN, "Job Hook", payload).statusCode());
        assertEquals(1, rows("collection_queue"));
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        start(Map.of("DB_FILE", db.toString(), "GANTRY_PORT", "0", "GANTRY_HOST", "127.0.0.1"));
        assertEquals(404, get("/nope").statusCode());
        assertEquals(405, get("/v1/collect").statusCode());
    }
}
