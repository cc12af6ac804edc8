package org.spack.gantry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spack.gantry.testing.FakeUpstream.Answer;

/**
 * Prometheus and GitLab for any number of synthetic build jobs: whatever job id is
 * asked about, the answers are made up from the id, so a test can check each stored
 * row against {@link #expectedRow}. Faults and a delay can be set per job.
 */
public final class ClusterStandIn implements AutoCloseable {
    public static final String API_TOKEN = "glpat-stand-in";
    private static final int SAMPLES = 12;
    private static final Pattern JOB_ID = Pattern.compile("annotation_gitlab_ci_job_id=\"(\\d+)\"");
    private static final Pattern POD = Pattern.compile("pod=[\"']runner-(\\d+)[\"']");
    private static final Pattern NODE = Pattern.compile("node=\"node-(\\d+)\"");
    private static final Pattern JOBS = Pattern.compile("/gitlab/api/v4/projects/2/jobs");
    private static final Pattern JOB = Pattern.compile("/gitlab/api/v4/projects/2/jobs/(\\d+)");
    private static final Pattern TRACE = Pattern.compile("/gitlab/api/v4/projects/2/jobs/(\\d+)/trace");
    private static final Pattern PARAM = Pattern.compile("(?:^|&)(query|time|start|end|step)=([^&]*)");

    /** What goes wrong for one job. */
    public enum Fault {
        /** every Prometheus query about it answers HTTP 500 */
        PROMETHEUS_500,
        /** Prometheus answers with an HTML login page, as an expired PROMETHEUS_COOKIE gets */
        PROMETHEUS_HTML,
        /** Prometheus answers only after 30 s */
        PROMETHEUS_SLOW,
        /** Prometheus knows no pod for it */
        NO_DATA,
        /** GitLab refuses the API token */
        GITLAB_401,
        /** GitLab's job log answers only after 10 minutes */
        TRACE_HANGS,
        /** the pod's CPU request is "NaN", as Prometheus writes an unusable sample */
        NAN_CPU_REQUEST,
        /** the pod's memory limit is "NaN" */
        NAN_MEMORY_LIMIT
    }

    private final FakeUpstream server = new FakeUpstream(this::answer);
    private final Map<Long, Fault> faults = new ConcurrentHashMap<>();
    private volatile long prometheusDelayMs;
    private final GitLabJobsApi jobsApi = new GitLabJobsApi();

    public String prometheusUrl() {
        return server.url("/prometheus/api/v1");
    }

    public String gitlabUrl() {
        return server.url("/gitlab/api/v4/projects/2");
    }

    /** The four collection settings pointing here. */
    public Map<String, String> env(String webhookToken) {
        return Map.of("PROMETHEUS_URL", prometheusUrl(), "GITLAB_URL", gitlabUrl(), "GITLAB_API_TOKEN", API_TOKEN,
                "GITLAB_WEBHOOK_TOKEN", webhookToken);
    }

    /** The settings for a Gantry collecting from this cluster into {@code db}; a map the caller may add to. */
    public Map<String, String> env(String webhookToken, java.nio.file.Path db) {
        Map<String, String> env = new java.util.HashMap<>(env(webhookToken));
        env.put("DB_FILE", db.toString());
        return env;
    }

    /** Every Prometheus answer waits this long (a slow Prometheus). */
    public void delayPrometheus(long ms) {
        prometheusDelayMs = ms;
    }

    public void fault(long buildId, Fault fault) {
        faults.put(buildId, fault);
    }

    /** What the jobs API lists, newest first, 100 a page, as GitLab pages {@code scope[]=success}. */
    public void jobList(List<JsonObject> newestFirst) {
        jobsApi.jobs(newestFirst);
    }

    /** The jobs API, to set how it pages and fails. */
    public GitLabJobsApi jobsApi() {
        return jobsApi;
    }

    /** A job as the GitLab jobs API describes it (ISO-8601 times with milliseconds). */
    public static JsonObject apiJob(long id, String stage, String runner, long start, long end) {
        JsonObject job = new JsonObject();
        job.addProperty("id", id);
        job.addProperty("status", "success");
        job.addProperty("stage", stage);
        job.addProperty("name", "job " + id);
        job.addProperty("ref", "develop");
        job.addProperty("created_at", java.time.Instant.ofEpochSecond(start - 60).toString());
        job.addProperty("started_at", java.time.Instant.ofEpochSecond(start).plusMillis(123).toString());
        job.addProperty("finished_at", java.time.Instant.ofEpochSecond(end).plusMillis(456).toString());
        job.addProperty("duration", end - start + 0.333);
        JsonObject r = new JsonObject();
        r.addProperty("id", 7);
        r.addProperty("description", runner);
        job.add("runner", r);
        return job;
    }

    public List<FakeUpstream.Request> requests() {
        return server.requests();
    }

    private Answer answer(FakeUpstream.Request r) {
        Matcher trace = TRACE.matcher(r.path());
        if (trace.matches()) {
            long id = Long.parseLong(trace.group(1));
            if (!API_TOKEN.equals(r.headers().get("private-token")) || faults.get(id) == Fault.GITLAB_401) {
                return new Answer(401, "application/json", "{\"message\":\"401 Unauthorized\"}", 0);
            }
            if (faults.get(id) == Fault.TRACE_HANGS) {
                return new Answer(200, "text/plain", "$ spack ci rebuild\n", 600_000);
            }
            return Answer.text("$ spack ci rebuild\n==> Installing pkg-" + id % 5 + "\n");
        }
        if (JOBS.matcher(r.path()).matches()) {
            if (!API_TOKEN.equals(r.headers().get("private-token"))) {
                return new Answer(401, "application/json", "{\"message\":\"401 Unauthorized\"}", 0);
            }
            return jobsApi.answer(r);
        }
        Matcher single = JOB.matcher(r.path());
        if (single.matches()) {
            if (!API_TOKEN.equals(r.headers().get("private-token"))) {
                return new Answer(401, "application/json", "{\"message\":\"401 Unauthorized\"}", 0);
            }
            return jobsApi.single(Long.parseLong(single.group(1)));
        }
        if (!r.path().startsWith("/prometheus/api/v1/query")) {
            return new Answer(404, "text/plain", "not found", 0);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(r.query());
        while (m.find()) params.put(m.group(1), m.group(2));
        String query = params.getOrDefault("query", "");
        Long id = jobOf(query);
        Fault fault = id == null ? null : faults.get(id);
        long delay = prometheusDelayMs;
        if (fault == Fault.PROMETHEUS_500) {
            return new Answer(500, "text/plain", "internal server error", delay);
        }
        if (fault == Fault.PROMETHEUS_HTML) {
            return new Answer(200, "text/html", "<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>", delay);
        }
        if (fault == Fault.PROMETHEUS_SLOW) {
            delay = 30_000;
        }
        JsonObject data = new JsonObject();
        JsonArray result = new JsonArray();
        boolean range = r.path().endsWith("/query_range");
        data.addProperty("resultType", range ? "matrix" : "vector");
        data.add("result", result);
        if (fault != Fault.NO_DATA) {
            series(query, params, id, range, result, fault);
        }
        JsonObject root = new JsonObject();
        root.addProperty("status", "success");
        root.add("data", data);
        return new Answer(200, "application/json", root.toString(), delay);
    }

    private static Long jobOf(String query) {
        Matcher m = JOB_ID.matcher(query);
        if (m.find()) return Long.parseLong(m.group(1));
        m = POD.matcher(query);
        return m.find() ? Long.parseLong(m.group(1)) : null;
    }

    private static void series(String query, Map<String, String> params, Long id, boolean range, JsonArray out,
            Fault fault) {
        String time = params.getOrDefault("time", "0");
        if (query.startsWith("kube_pod_annotations") && id != null) {
            out.add(sample(labels("pod", pod(id), "annotation_gitlab_ci_job_id", Long.toString(id),
                    "annotation_metrics_spack_job_spec_pkg_name", "pkg-" + id % 5,
                    "annotation_metrics_spack_job_spec_pkg_version", "1." + id % 4,
                    "annotation_metrics_spack_job_spec_variants", "+shared~debug build_system=cmake",
                    "annotation_metrics_spack_job_spec_compiler_name", "gcc",
                    "annotation_metrics_spack_job_spec_compiler_version", "12.3.0",
                    "annotation_metrics_spack_job_spec_arch", "linux-ubuntu22.04-x86_64_v3",
                    "annotation_metrics_spack_ci_stack_name", "e4s",
                    "annotation_metrics_spack_job_build_jobs", "16"), time, "1"));
        } else if (query.startsWith("kube_pod_container_resource_requests") && id != null) {
            out.add(sample(resource(id, "cpu", "core"), time,
                    fault == Fault.NAN_CPU_REQUEST ? "NaN" : Double.toString(cpuRequest(id))));
            out.add(sample(resource(id, "memory", "byte"), time, Double.toString(memRequest(id))));
        } else if (query.startsWith("kube_pod_container_resource_limits") && id != null) {
            out.add(sample(resource(id, "memory", "byte"), time,
                    fault == Fault.NAN_MEMORY_LIMIT ? "NaN" : Double.toString(memLimit(id))));
        } else if (query.startsWith("container_memory_working_set_bytes") && id != null && range) {
            out.add(matrix(labels("pod", pod(id), "container", "build"), params.get("start"), memory(id)));
        } else if (query.startsWith("rate(container_cpu_usage_seconds_total") && id != null && range) {
            out.add(matrix(labels("pod", pod(id), "container", "build"), params.get("start"), cpu(id)));
        } else if (query.startsWith("kube_node_info")) {
            Matcher n = NODE.matcher(query);
            if (n.find()) out.add(sample(labels("node", "node-" + n.group(1), "system_uuid", "uuid-node-" + n.group(1)),
                    time, "1"));
        } else if (query.startsWith("kube_node_labels")) {
            Matcher n = NODE.matcher(query);
            if (n.find()) out.add(sample(labels("node", "node-" + n.group(1),
                    "label_karpenter_k8s_aws_instance_cpu", "16", "label_karpenter_k8s_aws_instance_memory", "65536",
                    "label_kubernetes_io_arch", "amd64", "label_kubernetes_io_os", "linux",
                    "label_node_kubernetes_io_instance_type", "m5.4xlarge"), time, "1"));
        }
    }

    // ---- the made-up figures of job {@code id} ----

    public static String pod(long id) {
        return "runner-" + id;
    }

    static String node(long id) {
        return "node-" + id % 3;
    }

    static double cpuRequest(long id) {
        return 0.5 + (id % 4) * 0.25;
    }

    static double memRequest(long id) {
        return 1e9 * (1 + id % 3);
    }

    static double memLimit(long id) {
        return 8e9 * (1 + id % 2);
    }

    static double[] memory(long id) {
        double[] v = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) v[i] = 2e8 + (id % 1000) * 1e5 + i * 3e7 * (1 + id % 3) + (i % 4) * 1e6;
        return v;
    }

    static double[] cpu(long id) {
        double[] v = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) v[i] = 0.5 + (i % 4) * 0.3 + (id % 7) * 0.01;
        return v;
    }

    /** Checks a stored job row (as {@link StoredRows#jobs} reads it) against what this stand-in answered. */
    public static void assertStored(long id, Map<String, Object> row) {
        assertTrue(row != null, "job " + id + " is stored");
        assertEquals(pod(id), row.get("pod"), "pod of " + id);
        assertEquals("pkg-" + id % 5, row.get("pkg_name"));
        assertEquals("{\"shared\": true, \"debug\": false, \"build_system\": \"cmake\"}", row.get("pkg_variants"));
        assertEquals(node(id), row.get("node_hostname"), "node of " + id);
        assertEquals("uuid-" + node(id), row.get("node_uuid"));
        assertClose(cpuRequest(id), row.get("cpu_request"), id + " cpu_request");
        assertEquals(null, row.get("cpu_limit"));
        assertClose(memRequest(id), row.get("mem_request"), id + " mem_request");
        assertClose(memLimit(id), row.get("mem_limit"), id + " mem_limit");
        assertStats(id + " cpu", cpu(id), row, "cpu_");
        assertStats(id + " mem", memory(id), row, "mem_");
    }

    private static void assertStats(String what, double[] values, Map<String, Object> row, String prefix) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(values).sum() / values.length;
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length;
        assertClose(mean, row.get(prefix + "mean"), what + " mean");
        assertClose((sorted[SAMPLES / 2 - 1] + sorted[SAMPLES / 2]) / 2, row.get(prefix + "median"), what + " median");
        assertClose(sorted[SAMPLES - 1], row.get(prefix + "max"), what + " max");
        assertClose(sorted[0], row.get(prefix + "min"), what + " min");
        assertClose(Math.sqrt(variance), row.get(prefix + "stddev"), what + " stddev");
    }

    private static void assertClose(double want, Object got, String what) {
        double g = ((Number) got).doubleValue();
        assertTrue(Math.abs(g - want) <= 1e-9 * Math.abs(want), what + ": stored " + g + ", expected " + want);
    }

    private static Map<String, String> resource(long id, String resource, String unit) {
        return labels("pod", pod(id), "container", "build", "node", node(id), "resource", resource, "unit", unit);
    }

    private static JsonObject sample(Map<String, String> labels, String time, String value) {
        JsonObject s = new JsonObject();
        s.add("metric", json(labels));
        JsonArray v = new JsonArray();
        v.add(Double.parseDouble(time));
        v.add(value);
        s.add("value", v);
        return s;
    }

    private static JsonObject matrix(Map<String, String> labels, String start, double[] values) {
        JsonObject s = new JsonObject();
        s.add("metric", json(labels));
        JsonArray all = new JsonArray();
        long t0 = (long) Double.parseDouble(start);
        for (int i = 0; i < values.length; i++) {
            JsonArray v = new JsonArray();
            v.add(t0 + i);
            v.add(Double.toString(values[i]));
            all.add(v);
        }
        s.add("values", all);
        return s;
    }

    private static JsonObject json(Map<String, String> labels) {
        JsonObject o = new JsonObject();
        labels.forEach(o::addProperty);
        return o;
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Override
    public void close() {
        server.close();
    }
}
