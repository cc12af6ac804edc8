package org.spack.gantry.oom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.spec.Variants;
import org.spack.gantry.testing.BuildPodSeries;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.FakeUpstream.Answer;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.OpenMetrics;
import org.spack.gantry.testing.PrometheusServer;
import org.spack.gantry.testing.RequiresPrometheus;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.Webhooks;

/**
 * The whole OOM loop, run by the packaged server ({@code gantry.run serve}) with
 * GANTRY_LIMITS and GANTRY_OOM_RERUN_PIPELINES on, against a real Prometheus holding a
 * cluster's series in kube-state-metrics' names and labels, and a GitLab stand-in that
 * sends the documented Job Hook and Pipeline Hook bodies and takes
 * {@code POST /projects/:id/pipeline}. The killed pods ran with the limits the server
 * answered before each kill, as Spack would have applied them.
 */
@ExtendWith(RequiresPrometheus.class)
class OomLoopIT {
    private static final String TOKEN = "hook-secret";
    private static final String API_TOKEN = "glpat-oom-loop";
    private static final BuildPodSeries.Spec HDF5 = new BuildPodSeries.Spec("hdf5", "1.14.3", "+cxx+fortran~java+mpi api=default,v18",
            "gcc", "12.3.0", "linux-ubuntu22.04-x86_64_v3");
    private static final String SPEC = "hdf5@1.14.3 +cxx+fortran~java+mpi api=default,v18 arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0";
    private static final BuildPodSeries.Node NODE = new BuildPodSeries.Node("ip-10-0-1-17.ec2.internal",
            "ec2a1b2c-0001-4d6e-9f00-000000000017", 32, 131072);
    /** The history's largest mem_max: limits mode answers 1.2 x that. */
    private static final double HISTORY_MEM_MAX = 6.0e9;

    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis() / 1000;

    @Test
    void killsRaiseTheLimitFailedPipelinesRunOnceAndASuccessEndsTheRaise() throws Exception {
        PrometheusServer.assumeInstalled();
        long l0 = Math.round(1.2 * HISTORY_MEM_MAX / 1e6); // 7,200 MB
        long[] limits = {l0, Math.round(1.2 * l0), Math.round(1.2 * Math.round(1.2 * l0)), 0};
        limits[3] = Math.round(1.2 * limits[2]);

        // the cluster: four OOM-killed builds of the spec, each at the limit answered before it, a build that
        // failed otherwise, and a later successful build
        OpenMetrics om = new OpenMetrics();
        BuildPodSeries cluster = new BuildPodSeries(om).node(NODE, now - 5 * 3600, now);
        long[] killed = {5001, 5002, 5003, 5004};
        for (int i = 0; i < 4; i++) {
            long start = start(i);
            cluster.pod(killed[i], pod(killed[i]), HDF5, NODE, start, start + 480, 4, 4e9, limits[i] * 1e6)
                    .terminated(pod(killed[i]), start + 470, "OOMKilled");
        }
        long otherFailure = 5100;
        cluster.pod(otherFailure, pod(otherFailure), HDF5, NODE, start(4), start(4) + 300, 4, 4e9, limits[3] * 1e6)
                .terminated(pod(otherFailure), start(4) + 290, "Error");
        long success = 5200;
        long successStart = start(5);
        List<Double> memory = new ArrayList<>();
        for (int i = 0; i <= 40; i++) memory.add(3.0e9 + i * 2.5e7); // peaks at 4 GB, under the history's 6 GB
        cluster.pod(success, pod(success), HDF5, NODE, successStart, successStart + 600, 4, 4e9, limits[3] * 1e6)
                .usage(pod(success), successStart, successStart + 600, memory, 3.0);

        Path db = TestDatabases.migrated(dir);
        TestDatabases.execute(db, history());
        AtomicLong pipelines = new AtomicLong(20_000);
        List<FakeUpstream.Request> started = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (PrometheusServer prometheus = PrometheusServer.start(om, dir);
                FakeUpstream gitlab = new FakeUpstream(r -> gitlab(r, pipelines, started))) {
            Map<String, String> env = new HashMap<>(Map.of("PROMETHEUS_URL", prometheus.apiUrl(),
                    "GITLAB_URL", gitlab.url("/api/v4/projects/2"), "GITLAB_API_TOKEN", API_TOKEN,
                    "GITLAB_WEBHOOK_TOKEN", TOKEN, "DB_FILE", db.toString(), "GANTRY_RECONCILE_INTERVAL_SECONDS", "0",
                    "GANTRY_LIMITS", "true", "GANTRY_OOM_RERUN_PIPELINES", "true"));
            try (GantryProcess gantry = GantryProcess.serve(dir, env)) {
                Webhooks hooks = new Webhooks(gantry.baseUrl(), TOKEN);

                // a spec with history gets limits; asked twice, the second answer is the kept one
                JsonObject first = answer(gantry);
                assertEquals(first, answer(gantry));
                assertEquals(l0 + "M", first.get("KUBERNETES_MEMORY_LIMIT").getAsString(), "1.2 x the history's mem_max");
                assertEquals("custom", first.get("CI_JOB_SIZE").getAsString());
                assertEquals(4, first.get("SPACK_BUILD_JOBS").getAsInt(), "the mean CPU request, 3.6 cores, rounded");
                assertEquals("7000m", first.get("KUBERNETES_CPU_LIMIT").getAsString(), "the mean cpu_max");

                // a build that failed otherwise changes nothing, and its pipeline is not run again
                assertEquals(200, hooks.post(Webhooks.failed(otherFailure, start(4), start(4) + 300, 9100)));
                assertEquals("skipped:not OOM-killed", awaitOutcome(db, otherFailure));
                assertEquals(first, answer(gantry));
                assertEquals(200, hooks.postPipeline(failedPipeline(9100, otherFailure, start(4), start(4) + 300)));
                assertEquals("not_oom", awaitPipeline(db, 9100));

                for (int i = 0; i < 4; i++) {
                    long id = killed[i];
                    long pipeline = 9001 + i;
                    if (i != 2) {
                        assertEquals(200, hooks.post(Webhooks.failed(id, start(i), start(i) + 480, pipeline)));
                        assertTrue(awaitOutcome(db, id).startsWith("oom_killed:kill " + (i + 1) + " since"),
                                StoredRows.outcomes(db).toString());
                    }
                    // GitLab delivers the Pipeline Hook twice; the third kill arrives by it alone (its Job Hook lost)
                    JsonObject hook = failedPipeline(pipeline, id, start(i), start(i) + 480);
                    assertEquals(200, hooks.postPipeline(hook));
                    assertEquals(200, hooks.postPipeline(hook));
                    String outcome = awaitPipeline(db, pipeline);
                    assertTrue(awaitOutcome(db, id).startsWith("oom_killed:kill " + (i + 1) + " since"));
                    JsonObject after = answer(gantry);
                    if (i < 3) {
                        assertEquals(limits[i + 1] + "M", after.get("KUBERNETES_MEMORY_LIMIT").getAsString(),
                                "kill " + (i + 1) + " raises the next answer's limit 1.2 x the killed one");
                        assertEquals("started", outcome, "pipeline " + pipeline);
                    } else {
                        assertEquals(limits[3] + "M", after.get("KUBERNETES_MEMORY_LIMIT").getAsString(),
                                "a fourth kill raises no further");
                        assertEquals("capped", outcome, "past the three raises: not run again");
                    }
                    assertEquals(first.get("KUBERNETES_MEMORY_REQUEST"), after.get("KUBERNETES_MEMORY_REQUEST"));
                    assertEquals(first.get("KUBERNETES_CPU_LIMIT"), after.get("KUBERNETES_CPU_LIMIT"));
                }
                // exactly one new pipeline for each of the three failed pipelines under the cap, on their ref
                assertEquals(3, started.size(), started.toString());
                for (FakeUpstream.Request r : started) {
                    assertEquals("POST", r.method());
                    assertEquals("ref=develop", r.query());
                    assertEquals(API_TOKEN, r.headers().get("private-token"));
                }
                assertEquals(3L, StoredRows.query(db, "SELECT count(*) AS n FROM failed_pipelines WHERE state='started'"
                        + " AND new_pipeline_id IS NOT NULL").get(0).get("n"));
                String metrics = MetricsText.scrape(gantry.baseUrl());
                assertEquals(4.0, MetricsText.value(metrics, "gantry_oom_kills_total").getAsDouble());
                assertEquals(3.0, MetricsText.value(metrics, "gantry_oom_pipelines_started_total").getAsDouble());
                assertEquals(1.0, MetricsText.value(metrics, "gantry_oom_raise_capped_total").getAsDouble());
                assertEquals(1.0, MetricsText.value(metrics, "gantry_oom_raises_in_force").getAsDouble());
                for (int i = 0; i < 3; i++) {
                    assertTrue(gantry.awaitLog("WARN PipelineReruns - started pipeline " + (20_001 + i)
                            + " on develop to run again the OOM-killed build job(s) [" + killed[i] + "] of failed pipeline "
                            + (9001 + i), Duration.ofSeconds(5)), gantry.logText());
                }

                // a later successful build of the spec ends the raise
                assertEquals(200, hooks.post(Webhooks.success(success, successStart, successStart + 600)));
                assertEquals("inserted", awaitOutcome(db, success));
                assertEquals(l0 + "M", answer(gantry).get("KUBERNETES_MEMORY_LIMIT").getAsString());
                MetricsText.await(gantry.baseUrl(), "gantry_oom_raises_in_force", v -> v == 0, Duration.ofSeconds(5));
                assertEquals("success", StoredRows.jobs(db).get(success).get("job_status"));
                assertEquals(6L, StoredRows.query(db, "SELECT count(*) AS n FROM jobs").get(0).get("n"),
                        "jobs holds the successful builds only");

                GantryProcess.Result info = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(), "GANTRY_LIMITS", "true",
                        "GANTRY_OOM_RERUN_PIPELINES", "true"), Duration.ofSeconds(60), "info");
                assertTrue(info.out().contains("OOM kills:          4 in the last 24 hours (1 past the 3 raises)"), info.out());
                assertTrue(info.out().contains("raises in force:    0 spec(s)"), info.out());
                assertTrue(info.out().contains("3 started"), info.out());
            }
        }
    }

    /** The answer's variables for the spec. */
    private static JsonObject answer(GantryProcess gantry) throws Exception {
        var r = Webhooks.get(java.net.http.HttpClient.newHttpClient(),
                gantry.url("/v1/allocation?spec=" + URLEncoder.encode(SPEC, StandardCharsets.UTF_8).replace("+", "%20")));
        assertEquals(200, r.statusCode(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("variables");
    }

    private static String awaitOutcome(Path db, long buildId) throws InterruptedException {
        return StoredRows.awaitOutcomes(db, List.of(buildId), Duration.ofSeconds(30)).get(buildId);
    }

    private static String awaitPipeline(Path db, long pipelineId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var rows = StoredRows.query(db, "SELECT state FROM failed_pipelines WHERE pipeline_id=?", pipelineId);
            if (!rows.isEmpty() && !List.of("pending", "starting").contains(rows.get(0).get("state"))) {
                return (String) rows.get(0).get("state");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pipeline " + pipelineId + " has no outcome: "
                + StoredRows.query(db, "SELECT * FROM failed_pipelines"));
    }

    private static JsonObject failedPipeline(long pipelineId, long failedJob, long start, long end) {
        JsonObject hook = Webhooks.pipeline(pipelineId, "develop", "failed");
        hook.getAsJsonArray("builds").add(Webhooks.pipelineBuild(failedJob, "stage-1", "failed", start, end, "aws"));
        hook.getAsJsonArray("builds").add(Webhooks.pipelineBuild(failedJob + 50, "stage-1", "success", start, end, "aws"));
        return hook;
    }

    /** GitLab: job logs (nothing is a ghost) and the pipelines API. */
    private static Answer gitlab(FakeUpstream.Request r, AtomicLong pipelines, List<FakeUpstream.Request> started) {
        if (!API_TOKEN.equals(r.headers().get("private-token"))) {
            return new Answer(401, "application/json", "{\"message\":\"401 Unauthorized\"}", 0);
        }
        if (r.path().matches("/api/v4/projects/2/jobs/\\d+/trace")) {
            return Answer.text("==> Installing hdf5\n[+] /opt/spack/hdf5-1.14.3\n");
        }
        if (r.path().equals("/api/v4/projects/2/pipeline") && r.method().equals("POST")) {
            started.add(r);
            long id = pipelines.incrementAndGet();
            String ref = r.query().replaceFirst("^ref=", "");
            // GitLab docs, Pipelines API, "Create a new pipeline": 201 and the pipeline
            return new Answer(201, "application/json", "{\"id\": " + id + ", \"iid\": " + (id % 1000) + ", \"project_id\": 2,"
                    + " \"sha\": \"a91957a858320c0e17f3a0eca7cfacbff50ea29a\", \"ref\": \"" + ref + "\", \"status\": \"created\","
                    + " \"source\": \"api\", \"created_at\": \"2026-01-01T00:00:00.000Z\", \"web_url\":"
                    + " \"https://gitlab.example.com/spack/spack/-/pipelines/" + id + "\"}", 0);
        }
        return new Answer(404, "application/json", "{\"message\":\"404 Not found\"}", 0);
    }

    private long start(int i) {
        return now - 4 * 3600 + i * 1800L;
    }

    private static String pod(long id) {
        return "runner-hdf5-" + id;
    }

    /** Five successful develop builds of the spec; the newest used the most memory. */
    private String history() {
        String variants = Variants.parse(HDF5.variants()).json().replace("'", "''");
        StringBuilder sql = new StringBuilder("INSERT INTO nodes (id, uuid, hostname, cores, mem, arch, os, instance_type)"
                + " VALUES (1, 'old-node', 'old', 32, 1e11, 'amd64', 'linux', 'm5');\n");
        for (int i = 0; i < 5; i++) {
            long end = now - 10 * 3600 + i * 600L;
            double memMax = i == 4 ? HISTORY_MEM_MAX : 5.0e9 + i * 1e8;
            sql.append("INSERT INTO jobs (pod, node, start, \"end\", gitlab_id, job_status, ref, pkg_name, pkg_version,"
                    + " pkg_variants, compiler_name, compiler_version, arch, stack, build_jobs, cpu_request, cpu_limit,"
                    + " cpu_mean, cpu_median, cpu_max, cpu_min, cpu_stddev, mem_request, mem_limit, mem_mean, mem_median,"
                    + " mem_max, mem_min, mem_stddev) VALUES ('runner-old-" + i + "', 1, " + (end - 1200) + ", " + end + ", "
                    + (4000 + i) + ", 'success', 'develop', 'hdf5', '1.14.3', '" + variants + "', 'gcc', '12.3.0',"
                    + " 'linux-ubuntu22.04-x86_64_v3', 'e4s', 16, 4, NULL, " + (3.4 + i * 0.1) + ", 3.5, 7.0, 0.5, 1.0,"
                    + " 4e9, 16e9, " + (4.0e9 + i * 1e8) + ", 4e9, " + memMax + ", 1e9, 5e8);\n");
        }
        return sql.toString();
    }
}
