package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.HostileUpstream;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * Issue 17, items 1-3, on the packaged server: upstream answers of odd shapes are refused
 * as they arrive (no longer read whole into the heap), a next page that names itself ends
 * the run as failed, a deeply nested job is refused in one line, and the reconciliation
 * thread lives on through all of it, its failures in the log, /healthz and /metrics.
 */
class HostileAnswersIT {
    private static final String HOOK_TOKEN = "hostile-answers-token";
    private static final String PROJECT = "/gitlab/api/v4/projects/2";
    private static final long MB = 1 << 20;

    @TempDir
    Path dir;

    private static Map<String, String> env(HostileUpstream upstream, Path db) {
        return new java.util.HashMap<>(Map.of("DB_FILE", db.toString(), "GITLAB_URL", upstream.url(PROJECT),
                "GITLAB_API_TOKEN", "glpat-hostile", "GITLAB_WEBHOOK_TOKEN", HOOK_TOKEN,
                "PROMETHEUS_URL", upstream.url("/prometheus/api/v1"), "GANTRY_RECONCILE_INTERVAL_SECONDS", "2",
                "GANTRY_COLLECT_MAX_ATTEMPTS", "2", "GANTRY_COLLECT_BACKOFF_SECONDS", "0.2"));
    }

    /** {@code head}, then {@code element} and a comma {@code count} times, then {@code tail}: sent as it is made. */
    private static HostileUpstream.Reply repeated(String head, String element, long count, String tail) {
        return ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] block = (element + ",").repeat(4096).getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written < count; written += 4096) out.write(block);
            out.write(tail.getBytes(StandardCharsets.UTF_8));
        };
    }

    private static String job(long id, Instant finished) {
        return "{\"id\":" + id + ",\"status\":\"success\",\"stage\":\"stage-1\",\"ref\":\"develop\",\"created_at\":\""
                + finished.minusSeconds(900) + "\",\"started_at\":\"" + finished.minusSeconds(600) + "\",\"finished_at\":\""
                + finished + "\",\"runner\":{\"description\":\"aws\"}}";
    }

    private static String metrics(GantryProcess gantry) throws Exception {
        return Webhooks.get(java.net.http.HttpClient.newHttpClient(), gantry.url("/metrics")).body();
    }

    private static String health(GantryProcess gantry) throws Exception {
        var r = Webhooks.get(java.net.http.HttpClient.newHttpClient(), gantry.url("/healthz"));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static long metric(String text, String series) {
        var m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.E]+)$").matcher(text);
        assertTrue(m.find(), series + " in\n" + text);
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void answersOfEmptyObjectsAreRefusedAtTheirFirstElementAndServeStaysUp() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        // 6 MiB of [{},{},...] where the jobs are, 15 MiB of "result":[{},{},...] where a pod's annotations are
        try (HostileUpstream upstream = new HostileUpstream(path -> {
            if (path.equals(PROJECT + "/jobs")) return repeated("[", "{}", 2 * MB, "{}]");
            if (path.startsWith(PROJECT + "/jobs/")) return HostileUpstream.jobLog(1_000, "==> Installed zlib-ng");
            return repeated("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[", "{}", 5 * MB, "{}]}}");
        }); GantryProcess gantry = GantryProcess.serve(dir, env(upstream, db))) {
            assertTrue(gantry.awaitLog("reconciliation with the GitLab jobs API failed (2 in a row)", Duration.ofSeconds(60)),
                    gantry.logText());
            assertTrue(gantry.logText().contains("failed (1 in a row), next in 4 s: GitLab's jobs API answered element 1"
                    + " without an integer id, not a job"), gantry.logText());

            Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
            assertEquals(200, hooks.post(Webhooks.success(1001, now - 3600, now - 3000)));
            Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, List.of(1001L), Duration.ofSeconds(60));
            assertEquals("failed:Prometheus answered result element 1 without metric, not a series", outcomes.get(1001L));

            assertTrue(gantry.isAlive(), gantry.logText());
            String health = health(gantry);
            assertTrue(health.contains("failed: GitLab's jobs API answered element 1 without an integer id, not a job"), health);
            // every background loop alive: the history, the collection pool, the webhook intake, reconciliation
            assertTrue(health.contains("\"workers\":{\"history\":\"up\",\"collect\":\"up\",\"intake\":\"up\","
                    + "\"reconcile\":\"up\"}"), health);
            String metrics = metrics(gantry);
            for (String worker : List.of("history", "collect", "intake")) {
                assertEquals(1, metric(metrics, "gantry_worker_up{worker=\"" + worker + "\"}"), worker);
            }
            assertTrue(metric(metrics, "gantry_reconcile_failures_total{reason=\"gitlab_error\"}") >= 2, metrics);
            assertEquals(1, metric(metrics, "gantry_worker_up{worker=\"reconcile\"}"));
            assertTrue(metric(metrics, "gantry_reconcile_requests_total") >= 2, metrics);
            // refused at the first element: a few kilobytes read of each 6 MiB answer, not all of it
            assertTrue(metric(metrics, "gantry_reconcile_bytes_total") < metric(metrics, "gantry_reconcile_requests_total") * MB,
                    metrics);
            assertTrue(!gantry.logText().contains("OutOfMemoryError"), gantry.logText());
        }
    }

    @Test
    void aNextPageThatNamesItselfEndsTheRunAsFailedAndBackfillStopsInOneLine() throws Exception {
        Path db = dir.resolve("gantry.db");
        Instant finished = Instant.now().minusSeconds(600);
        AtomicInteger asked = new AtomicInteger();
        HostileUpstream.Reply selfLinked = ex -> {
            asked.incrementAndGet();
            String self = "http://" + ex.getRequestHeaders().getFirst("Host") + ex.getRequestURI();
            HostileUpstream.answer(200, Map.of("Content-Type", "application/json", "Link", "<" + self + ">; rel=\"next\""),
                    "[" + job(5, finished) + "," + job(4, finished) + "]").send(ex);
        };
        try (HostileUpstream upstream = new HostileUpstream(path -> selfLinked)) {
            try (GantryProcess gantry = GantryProcess.serve(dir, env(upstream, db))) {
                assertTrue(gantry.awaitLog("reconciliation with the GitLab jobs API failed (1 in a row)", Duration.ofSeconds(60)),
                        gantry.logText());
                assertTrue(gantry.logText().contains("GitLab's jobs API named page 2 the same as one already read"),
                        gantry.logText());
                assertTrue(asked.get() < 10, asked.get() + " requests");
                assertTrue(gantry.awaitLog("failed (2 in a row)", Duration.ofSeconds(60)), "the thread lives on");
                String health = health(gantry);
                assertTrue(health.contains("failed: GitLab's jobs API named page 2 the same as one already read"), health);
                String metrics = metrics(gantry);
                assertTrue(metric(metrics, "gantry_reconcile_failures_total{reason=\"paging\"}") >= 2, metrics);
                assertTrue(metric(metrics, "gantry_reconcile_runs_total{result=\"failure\"}") >= 2, metrics);
            }

            asked.set(0);
            GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(), "GITLAB_URL",
                    upstream.url(PROJECT), "GITLAB_API_TOKEN", "t"), Duration.ofSeconds(60), "backfill", "--since", "2024-01-01");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.err().matches("gantry: error: GitLab's jobs API named page 2 the same as one already read \\(http://"
                    + "127\\.0\\.0\\.1:\\d+/gitlab/api/v4/projects/2/jobs\\?\\S+\\): a cache or proxy that ignores the query"
                    + " string\\?\n"), r.err());
            assertEquals(1, asked.get(), "page 1, and no more");
        }
    }

    @Test
    void anOffsetPageThatComesBackToPageOneStopsBackfill() throws Exception {
        Path db = dir.resolve("gantry.db");
        Instant finished = Instant.now().minusSeconds(600);
        // an older GitLab: keyset refused, and a next page that is page 1 again
        try (HostileUpstream upstream = new HostileUpstream(path -> ex -> {
            if (ex.getRequestURI().getQuery().contains("pagination=keyset")) {
                HostileUpstream.answer(405, Map.of("Content-Type", "application/json"),
                        "{\"error\":\"Keyset pagination is not yet available for this type of request\"}").send(ex);
            } else {
                HostileUpstream.answer(200, Map.of("Content-Type", "application/json", "X-Next-Page", "1"),
                        "[" + job(5, finished) + "]").send(ex);
            }
        })) {
            GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", migrated(db), "GITLAB_URL",
                    upstream.url(PROJECT), "GITLAB_API_TOKEN", "t"), Duration.ofSeconds(60), "backfill", "--since", "2024-01-01");
            assertEquals(1, r.exit(), r.out() + r.err());
            // the log's INFO line on the refused keyset, then one line for the refusal
            assertTrue(r.err().endsWith("\ngantry: error: GitLab's jobs API named page 2 the same as one already read (http://"
                    + upstream.url(PROJECT).substring(7) + "/jobs?scope%5B%5D=success&per_page=100&page=1): a cache or proxy"
                    + " that ignores the query string?\n"), r.err());
            assertTrue(!r.err().contains("\tat "), r.err());
            assertEquals(2, upstream.requests().size(), "keyset refused, page 1, and no more");
        }
    }

    @Test
    void aDeeplyNestedJobIsRefusedInOneLineAndReconciliationGoesOn() throws Exception {
        Path db = dir.resolve("gantry.db");
        Instant finished = Instant.now().minusSeconds(600);
        // an eligible job, finished in the window, with 10,000 nested lists where its artifacts are
        String job = job(7, finished);
        String nested = "[" + job.substring(0, job.length() - 1) + ",\"artifacts\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}]";
        AtomicInteger nestedServed = new AtomicInteger();
        try (HostileUpstream upstream = new HostileUpstream(path -> ex -> {
            boolean hostile = nestedServed.get() < 1 || ex.getRequestHeaders().getFirst("PRIVATE-TOKEN").equals("backfill");
            if (hostile && path.equals(PROJECT + "/jobs")) {
                nestedServed.incrementAndGet();
                HostileUpstream.answer(200, Map.of("Content-Type", "application/json"), nested).send(ex);
            } else if (path.equals(PROJECT + "/jobs") && ex.getRequestURI().getQuery().contains("success")) {
                HostileUpstream.answer(200, Map.of("Content-Type", "application/json"), "[" + job(8, finished) + "]").send(ex);
            } else {
                HostileUpstream.answer(200, Map.of("Content-Type", "application/json"), "[]").send(ex);
            }
        }); GantryProcess gantry = GantryProcess.serve(dir, env(upstream, db))) {
            assertTrue(gantry.awaitLog("reconciliation queued 1 job(s) that no webhook delivered", Duration.ofSeconds(60)),
                    "a later run succeeds: " + gantry.logText());
            String log = gantry.logText();
            assertTrue(log.contains("reconciliation with the GitLab jobs API failed (1 in a row), next in 4 s: GitLab's jobs"
                    + " API answered JSON nested deeper than 32 levels at line 1 column "), log);
            assertTrue(!log.contains("StackOverflowError") && !log.contains("\tat "), "one line, no stack trace:\n" + log);
            String health = health(gantry);
            assertTrue(health.contains("succeeded"), health);
            assertEquals(1, metric(metrics(gantry), "gantry_reconcile_failures_total{reason=\"gitlab_error\"}"));

            GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(), "GITLAB_URL",
                    upstream.url(PROJECT), "GITLAB_API_TOKEN", "backfill"), Duration.ofSeconds(60), "backfill", "--since",
                    "2024-01-01");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.err().startsWith("gantry: error: GitLab's jobs API answered JSON nested deeper than 32 levels"),
                    r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }

    private String migrated(Path db) throws IOException, InterruptedException {
        GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60), "migrate");
        assertEquals(0, r.exit(), r.err());
        return db.toString();
    }
}
