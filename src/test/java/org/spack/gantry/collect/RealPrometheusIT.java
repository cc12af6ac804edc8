package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.Application;
import org.spack.gantry.config.Config;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.FakeUpstream.Answer;
import org.spack.gantry.testing.OpenMetrics;
import org.spack.gantry.testing.OpenMetrics.Point;
import org.spack.gantry.testing.PrometheusServer;
import org.spack.gantry.testing.RequiresPrometheus;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * Collection against a real Prometheus: the series a Kubernetes cluster would hold for
 * a few build jobs are written as OpenMetrics, turned into blocks by promtool and
 * served by Prometheus; Gantry collects the jobs through its own HTTP client and the
 * stored rows must equal what the test computes from the same data. GitLab is a
 * stand-in that checks the API token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RequiresPrometheus.class)
class RealPrometheusIT {
    private static final String API_TOKEN = "glpat-real-prometheus-it";
    private static final String HOOK_TOKEN = "hook-secret";
    /** How often kube-state-metrics and cAdvisor would be scraped. */
    private static final long SCRAPE = 15;
    private static final String SPEC = "annotation_metrics_spack_job_spec_";

    record Node(String hostname, String uuid, int cores, int memoryMb, String arch, String instanceType) {}

    /** A build job and the series its pod left; no usage series when {@code memory} is empty. */
    record Job(long buildId, String pod, Node node, long start, long end, String pkg, String version,
            String variants, String variantsJson, String compiler, String compilerVersion, String arch, String stack,
            long buildJobs, double cpuRequest, Double cpuLimit, double memRequest, double memLimit,
            List<Point> memory, List<Point> cpuCounter) {}

    @TempDir
    static Path dir;

    private final long now = System.currentTimeMillis() / 1000;
    private final Node nodeA = new Node("ip-10-0-1-17.ec2.internal", "ec2a1b2c-0001-4d6e-9f00-000000000017", 32, 131072,
            "amd64", "m5.8xlarge");
    private final Node nodeB = new Node("ip-10-0-2-42.ec2.internal", "ec2a1b2c-0002-4d6e-9f00-000000000042", 16, 65536,
            "arm64", "m7g.4xlarge");
    private final List<Job> collectable = List.of(
            job(7001, "runner-gmsh-7001", nodeA, now - 3 * 3600, 2400, 4.0, 3.0),
            job(7002, "runner-hdf5-7002", nodeA, now - 2 * 3600 + 11, 1500, null, 1.5),
            job(7003, "runner-zlib-7003", nodeB, now - 100 * 60 - 3, 907, null, 0.6));
    /** Annotated, with requests and a node, but its pod never reported usage. */
    private final Job noUsage = withoutUsage(job(7004, "runner-empty-7004", nodeB, now - 80 * 60, 600, null, 1.0));
    /** No pod of this job exists at all. */
    private final long noPod = 7005;
    /** A job that rebuilt nothing: GitLab's log says so, whatever Prometheus holds. */
    private final Job ghost = job(7006, "runner-ghost-7006", nodeA, now - 70 * 60, 300, null, 1.0);

    private PrometheusServer prometheus;
    private FakeUpstream gitlab;
    private Application gantry;
    private Path db;
    private Map<Long, String> outcomes;

    @BeforeAll
    void collectEveryJob() throws Exception {
        PrometheusServer.assumeInstalled();
        OpenMetrics series = new OpenMetrics();
        List<Job> withSeries = new ArrayList<>(collectable);
        withSeries.add(noUsage);
        withSeries.add(ghost);
        for (Job j : withSeries) {
            writeSeries(series, j);
        }
        for (Node n : List.of(nodeA, nodeB)) {
            writeNode(series, n, now - 4 * 3600, now);
        }
        prometheus = PrometheusServer.start(series, dir);

        gitlab = new FakeUpstream(req -> {
            if (!API_TOKEN.equals(req.headers().get("private-token"))) {
                return new Answer(401, "application/json", "{\"message\":\"401 Unauthorized\"}", 0);
            }
            if (req.path().equals("/api/v4/projects/2/jobs/" + ghost.buildId() + "/trace")) {
                return Answer.text("==> gmsh: Executing phase: 'install'\nNo need to rebuild gmsh, found hash match\n");
            }
            if (req.path().matches("/api/v4/projects/2/jobs/\\d+/trace")) {
                return Answer.text("==> Installing gmsh\n[+] /opt/spack/linux/gmsh-4.8.4\n");
            }
            return new Answer(404, "application/json", "{\"message\":\"404 Not found\"}", 0);
        });
        db = dir.resolve("gantry.db");
        gantry = new Application(new Config(prometheus.apiUrl(), null, gitlab.url("/api/v4/projects/2"), API_TOKEN,
                HOOK_TOKEN, db, db.resolveSibling("backups"), "127.0.0.1", 0, "warn", "text", false, 2, 3, 0.2, 10, 0, 24, MemoryLimit.NONE,
                new org.spack.gantry.store.DatabaseLocation.SqliteFile(db), 120, false, false), BuildInfo.load(), Clock.systemUTC());
        gantry.start();

        Webhooks hooks = new Webhooks("http://127.0.0.1:" + gantry.port(), HOOK_TOKEN);
        List<Long> ids = new ArrayList<>();
        for (Job j : withSeries) {
            assertEquals(200, hooks.post(Webhooks.success(j.buildId(), j.start(), j.end())));
            ids.add(j.buildId());
        }
        assertEquals(200, hooks.post(Webhooks.success(noPod, now - 3600, now - 3000)));
        ids.add(noPod);
        outcomes = StoredRows.awaitOutcomes(db, ids, Duration.ofSeconds(60));
    }

    @AfterAll
    void stopEverything() {
        if (gantry != null) gantry.close();
        if (gitlab != null) gitlab.close();
        if (prometheus != null) prometheus.close();
    }

    @Test
    void eachCollectableJobIsStoredWithTheStatisticsOfItsSeries() throws Exception {
        Map<Long, Map<String, Object>> rows = StoredRows.jobs(db);
        for (Job j : collectable) {
            Map<String, Object> row = rows.get(j.buildId());
            assertTrue(row != null, "job " + j.buildId() + " stored; outcomes: " + outcomes);
            String what = "job " + j.buildId() + " ";
            assertEquals(j.pod(), row.get("pod"), what + "pod");
            assertEquals(j.start(), row.get("start"), what + "start");
            assertEquals(j.end(), row.get("end"), what + "end");
            assertEquals("success", row.get("job_status"));
            assertEquals("develop", row.get("ref"));
            assertEquals(j.pkg(), row.get("pkg_name"));
            assertEquals(j.version(), row.get("pkg_version"));
            assertEquals(j.variantsJson(), row.get("pkg_variants"), what + "variants");
            assertEquals(j.compiler(), row.get("compiler_name"));
            assertEquals(j.compilerVersion(), row.get("compiler_version"));
            assertEquals(j.arch(), row.get("arch"));
            assertEquals(j.stack(), row.get("stack"));
            assertEquals(j.buildJobs(), row.get("build_jobs"));
            assertEquals(j.cpuRequest(), (Double) row.get("cpu_request"), what + "cpu_request");
            assertEquals(j.cpuLimit(), row.get("cpu_limit"), what + "cpu_limit");
            assertEquals(j.memRequest(), (Double) row.get("mem_request"), what + "mem_request");
            assertEquals(j.memLimit(), (Double) row.get("mem_limit"), what + "mem_limit");

            // memory: the series written, as a range query with a 1 s step samples it
            // (each step sees the newest sample at or before it)
            assertStats(what + "mem", memoryAtEachStep(j), row, "mem_");
            // CPU: Prometheus's own answer to the same rate() query (its extrapolation decides the values)
            double[] rate = prometheus.rangeValues("rate(container_cpu_usage_seconds_total{pod='" + j.pod()
                    + "', container='build'}[90s])", j.start(), j.end(), 1);
            assertEquals(j.end() - j.start() + 1, rate.length, what + "one CPU value per step");
            assertStats(what + "cpu", rate, row, "cpu_");
            // and that answer is the counter written: the mean of its true 90 s rates, give or take
            // what Prometheus's extrapolation at the window edges changes
            double cpuMean = (Double) row.get("cpu_mean");
            double written = meanWindowRate(j, 90);
            assertTrue(Math.abs(cpuMean - written) < 0.03 * written,
                    what + "cpu_mean " + cpuMean + " vs the written counter's " + written);

            assertEquals(j.node().uuid(), row.get("node_uuid"));
            assertEquals(j.node().hostname(), row.get("node_hostname"));
            assertEquals((double) j.node().cores(), (Double) row.get("node_cores"));
            assertEquals(j.node().memoryMb() * 1_000_000.0, (Double) row.get("node_mem"), "node memory in bytes");
            assertEquals(j.node().arch(), row.get("node_arch"));
            assertEquals("linux", row.get("node_os"));
            assertEquals(j.node().instanceType(), row.get("node_instance_type"));
            assertEquals("inserted", outcomes.get(j.buildId()));
        }
    }

    @Test
    void jobsSharingANodeShareItsRow() {
        assertEquals(2L, StoredRows.query(db, "SELECT count(*) AS n FROM nodes").get(0).get("n"));
        assertEquals(List.of(7001L, 7002L, 7003L), new ArrayList<>(StoredRows.jobs(db).keySet()));
    }

    @Test
    void jobsWithoutUsableDataAreSkippedWithTheReason() {
        assertEquals("skipped:memory usage data is missing", outcomes.get(noUsage.buildId()));
        assertEquals("skipped:annotation data is missing", outcomes.get(noPod));
        assertEquals("skipped:ghost job", outcomes.get(ghost.buildId()));
        assertEquals(Set.of(7001L, 7002L, 7003L), StoredRows.jobs(db).keySet());
    }

    @Test
    void everyGitLabCallCarriedTheApiToken() {
        List<FakeUpstream.Request> calls = gitlab.requests();
        assertEquals(6, calls.size(), "one log per queued job: " + calls);
        for (FakeUpstream.Request r : calls) {
            assertEquals(API_TOKEN, r.headers().get("private-token"), r.path());
        }
    }

    private static void assertStats(String what, double[] values, Map<String, Object> row, String prefix) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double sum = 0;
        double compensation = 0;
        for (double v : values) {
            // Kahan: the sum of thousands of byte counts must not lose the last digits
            double y = v - compensation;
            double t = sum + y;
            compensation = (t - sum) - y;
            sum = t;
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("mean", mean);
        expected.put("median", n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2);
        expected.put("max", sorted[n - 1]);
        expected.put("min", sorted[0]);
        expected.put("stddev", Math.sqrt(squares / n));
        assertTrue(expected.get("stddev") > 0, what + " varies");
        expected.forEach((stat, want) -> {
            double got = (Double) row.get(prefix + stat);
            assertTrue(Math.abs(got - want) <= 1e-9 * Math.abs(want), what + "_" + stat + ": stored " + got + ", expected " + want);
        });
    }

    /** The counter's mean increase per second over each step's window, interpolating between samples. */
    private static double meanWindowRate(Job j, long window) {
        double sum = 0;
        for (long t = j.start(); t <= j.end(); t++) {
            sum += (counterAt(j, t) - counterAt(j, t - window)) / window;
        }
        return sum / (j.end() - j.start() + 1);
    }

    private static double counterAt(Job j, double t) {
        List<Point> c = j.cpuCounter();
        for (int i = 1; i < c.size(); i++) {
            Point a = c.get(i - 1);
            Point b = c.get(i);
            if (t <= b.time()) {
                return a.value() + (b.value() - a.value()) * (t - a.time()) / (b.time() - a.time());
            }
        }
        throw new IllegalArgumentException("no counter sample after " + t);
    }

    private static double[] memoryAtEachStep(Job j) {
        TreeMap<Long, Double> byTime = new TreeMap<>();
        j.memory().forEach(p -> byTime.put(p.time(), p.value()));
        double[] out = new double[(int) (j.end() - j.start() + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = byTime.floorEntry(j.start() + i).getValue();
        }
        return out;
    }

    // ---- the cluster's series ----

    private static Job job(long buildId, String pod, Node node, long start, long seconds, Double cpuLimit, double cpuRequest) {
        long end = start + seconds;
        List<Point> memory = new ArrayList<>();
        // a build's working set: climbs while compiling, with a sawtooth per compile unit
        for (long t = start, i = 0; t <= end; t += SCRAPE, i++) {
            double mib = 300 + 12 * i * SCRAPE / 60.0 + 180 * ((i * 7 + buildId) % 11) / 10.0;
            memory.add(new Point(t, Math.round(mib * 1_048_576)));
        }
        List<Point> cpu = new ArrayList<>();
        // the counter starts before the build (the pod's set-up) and its slope varies
        double used = 4321.5;
        for (long t = start - 120, i = 0; t <= end + 30; t += SCRAPE, i++) {
            double rate = cpuRequest * (1.0 + 0.6 * Math.sin(i / 4.0) + 0.2 * ((i + buildId) % 3));
            cpu.add(new Point(t, used));
            used += rate * SCRAPE;
        }
        String[] pkg = switch ((int) (buildId % 3)) {
            case 0 -> new String[] {"zlib", "1.3.1", "+optimize+pic~shared build_system=makefile",
                    "{\"optimize\": true, \"pic\": true, \"shared\": false, \"build_system\": \"makefile\"}"};
            case 1 -> new String[] {"gmsh", "4.8.4", "+cgns~eigen+mpi build_system=cmake build_type=Release",
                    "{\"cgns\": true, \"eigen\": false, \"mpi\": true, \"build_system\": \"cmake\", \"build_type\": \"Release\"}"};
            default -> new String[] {"hdf5", "1.14.3", "+cxx+fortran~java api=default,v18",
                    "{\"cxx\": true, \"fortran\": true, \"java\": false, \"api\": [\"default\", \"v18\"]}"};
        };
        return new Job(buildId, pod, node, start, end, pkg[0], pkg[1], pkg[2], pkg[3], "gcc", "12.3.0",
                node.arch().equals("amd64") ? "linux-ubuntu22.04-x86_64_v3" : "linux-ubuntu22.04-neoverse_v1",
                "e4s", 8 + buildId % 9, cpuRequest, cpuLimit, (buildId % 4 + 1) * 1e9, 64e9, memory, cpu);
    }

    private static Job withoutUsage(Job j) {
        return new Job(j.buildId(), j.pod(), j.node(), j.start(), j.end(), j.pkg(), j.version(), j.variants(),
                j.variantsJson(), j.compiler(), j.compilerVersion(), j.arch(), j.stack(), j.buildJobs(), j.cpuRequest(),
                j.cpuLimit(), j.memRequest(), j.memLimit(), List.of(), List.of());
    }

    private static void writeSeries(OpenMetrics om, Job j) {
        long from = j.start() - 60;
        long to = j.end() + 60;
        Map<String, String> annotations = labels("namespace", "pipeline", "pod", j.pod(),
                "annotation_gitlab_ci_job_id", Long.toString(j.buildId()),
                SPEC + "pkg_name", j.pkg(), SPEC + "pkg_version", j.version(), SPEC + "variants", j.variants(),
                SPEC + "compiler_name", j.compiler(), SPEC + "compiler_version", j.compilerVersion(),
                SPEC + "arch", j.arch(), "annotation_metrics_spack_ci_stack_name", j.stack(),
                "annotation_metrics_spack_job_build_jobs", Long.toString(j.buildJobs()));
        om.constant("kube_pod_annotations", annotations, 1, from, to, SCRAPE);
        for (String container : List.of("build", "helper")) {
            boolean build = container.equals("build");
            // the helper container's figures must never be taken for the build's
            om.constant("kube_pod_container_resource_requests", resource(j, container, "cpu", "core"),
                    build ? j.cpuRequest() : 0.1, from, to, SCRAPE);
            om.constant("kube_pod_container_resource_requests", resource(j, container, "memory", "byte"),
                    build ? j.memRequest() : 1e8, from, to, SCRAPE);
            if (build && j.cpuLimit() != null) {
                om.constant("kube_pod_container_resource_limits", resource(j, container, "cpu", "core"),
                        j.cpuLimit(), from, to, SCRAPE);
            }
            om.constant("kube_pod_container_resource_limits", resource(j, container, "memory", "byte"),
                    build ? j.memLimit() : 2e8, from, to, SCRAPE);
        }
        if (j.memory().isEmpty()) return;
        om.series("container_memory_working_set_bytes", "gauge", cadvisor(j, "build"), j.memory());
        List<Point> helperMemory = new ArrayList<>();
        for (Point p : j.memory()) helperMemory.add(new Point(p.time(), 5e7 + p.time() % 7));
        om.series("container_memory_working_set_bytes", "gauge", cadvisor(j, "helper"), helperMemory);
        om.series("container_cpu_usage_seconds", "counter", cadvisor(j, "build"), j.cpuCounter());
    }

    private static void writeNode(OpenMetrics om, Node n, long from, long to) {
        om.constant("kube_node_info", labels("node", n.hostname(), "system_uuid", n.uuid(),
                "kernel_version", "6.1.0-18-cloud-amd64", "container_runtime_version", "containerd://1.7.2"), 1, from, to, 30);
        om.constant("kube_node_labels", labels("node", n.hostname(),
                "label_karpenter_k8s_aws_instance_cpu", Integer.toString(n.cores()),
                "label_karpenter_k8s_aws_instance_memory", Integer.toString(n.memoryMb()),
                "label_kubernetes_io_arch", n.arch(), "label_kubernetes_io_os", "linux",
                "label_node_kubernetes_io_instance_type", n.instanceType()), 1, from, to, 30);
    }

    private static Map<String, String> resource(Job j, String container, String resource, String unit) {
        return labels("namespace", "pipeline", "pod", j.pod(), "container", container, "node", j.node().hostname(),
                "resource", resource, "unit", unit);
    }

    private static Map<String, String> cadvisor(Job j, String container) {
        return labels("namespace", "pipeline", "pod", j.pod(), "container", container, "job", "kubelet",
                "metrics_path", "/metrics/cadvisor");
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
