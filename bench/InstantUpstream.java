// Prometheus and GitLab answering at once, for measuring how fast Gantry collects.
// A single-file program: java bench/InstantUpstream.java PORT [--silent]
// --silent accepts every request and never answers: collection then waits on its
// timeout and leaves the machine to intake, which is what bench/intake.sh measures.
// Prometheus is at http://127.0.0.1:PORT/prometheus/api/v1, GitLab at
// http://127.0.0.1:PORT/gitlab/api/v4/projects/2. Whatever job id is asked about,
// the answers are made up from it (a pod per job, three nodes), so every job collects.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class InstantUpstream {
    private static final Pattern JOB = Pattern.compile("annotation_gitlab_ci_job_id=\"(\\d+)\"");
    private static final Pattern POD = Pattern.compile("pod=[\"']runner-(\\d+)[\"']");
    private static final Pattern NODE = Pattern.compile("node=\"node-(\\d+)\"");
    private static final Pattern PARAM = Pattern.compile("(?:^|&)(query|time|start)=([^&]*)");

    public static void main(String[] args) throws IOException {
        // without it the JDK server's separate header and body writes wait for delayed ACKs (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        boolean silent = args.length > 1 && args[1].equals("--silent");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(silent ? Executors.newCachedThreadPool() : Executors.newFixedThreadPool(8));
        server.createContext("/", silent ? ex -> sleepForever() : InstantUpstream::handle);
        server.start();
        System.out.println((silent ? "silent" : "instant") + " upstream on 127.0.0.1:" + port);
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String raw = ex.getRequestURI().getRawQuery();
        String query = raw == null ? "" : URLDecoder.decode(raw, StandardCharsets.UTF_8);
        String body;
        String type = "application/json";
        if (path.endsWith("/trace")) {
            body = "==> Installing\n";
            type = "text/plain";
        } else {
            body = prometheus(query, path.endsWith("/query_range"));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static String prometheus(String query, boolean range) {
        String q = "";
        String time = "0";
        String start = "0";
        Matcher p = PARAM.matcher(query);
        while (p.find()) {
            switch (p.group(1)) {
                case "query" -> q = p.group(2);
                case "time" -> time = p.group(2);
                default -> start = p.group(2);
            }
        }
        long id = find(JOB, q, find(POD, q, -1));
        String result;
        if (q.startsWith("kube_pod_annotations")) {
            result = "{\"metric\":{\"pod\":\"runner-" + id + "\",\"annotation_gitlab_ci_job_id\":\"" + id + "\","
                    + "\"annotation_metrics_spack_job_spec_pkg_name\":\"pkg-" + id % 50 + "\","
                    + "\"annotation_metrics_spack_job_spec_pkg_version\":\"1." + id % 4 + "\","
                    + "\"annotation_metrics_spack_job_spec_variants\":\"+shared~debug build_system=cmake\","
                    + "\"annotation_metrics_spack_job_spec_compiler_name\":\"gcc\","
                    + "\"annotation_metrics_spack_job_spec_compiler_version\":\"12.3.0\","
                    + "\"annotation_metrics_spack_job_spec_arch\":\"linux-ubuntu22.04-x86_64_v3\","
                    + "\"annotation_metrics_spack_ci_stack_name\":\"e4s\","
                    + "\"annotation_metrics_spack_job_build_jobs\":\"16\"},\"value\":[" + time + ",\"1\"]}";
        } else if (q.startsWith("kube_pod_container_resource_requests")) {
            result = resource(id, "cpu", "core", time, "1.5") + "," + resource(id, "memory", "byte", time, "2000000000");
        } else if (q.startsWith("kube_pod_container_resource_limits")) {
            result = resource(id, "memory", "byte", time, "16000000000");
        } else if (q.startsWith("container_memory_working_set_bytes")) {
            result = matrix(id, start, 2e8, 3e7);
        } else if (q.startsWith("rate(container_cpu_usage_seconds_total")) {
            result = matrix(id, start, 0.5, 0.3);
        } else if (q.startsWith("kube_node_info")) {
            long n = find(NODE, q, 0);
            result = "{\"metric\":{\"node\":\"node-" + n + "\",\"system_uuid\":\"uuid-node-" + n + "\"},\"value\":[" + time + ",\"1\"]}";
        } else if (q.startsWith("kube_node_labels")) {
            long n = find(NODE, q, 0);
            result = "{\"metric\":{\"node\":\"node-" + n + "\",\"label_karpenter_k8s_aws_instance_cpu\":\"16\","
                    + "\"label_karpenter_k8s_aws_instance_memory\":\"65536\",\"label_kubernetes_io_arch\":\"amd64\","
                    + "\"label_kubernetes_io_os\":\"linux\",\"label_node_kubernetes_io_instance_type\":\"m5.4xlarge\"},"
                    + "\"value\":[" + time + ",\"1\"]}";
        } else {
            result = "";
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"" + (range ? "matrix" : "vector") + "\",\"result\":["
                + result + "]}}";
    }

    private static String resource(long id, String resource, String unit, String time, String value) {
        return "{\"metric\":{\"pod\":\"runner-" + id + "\",\"container\":\"build\",\"node\":\"node-" + id % 3
                + "\",\"resource\":\"" + resource + "\",\"unit\":\"" + unit + "\"},\"value\":[" + time + ",\"" + value + "\"]}";
    }

    /** A range answer of 60 samples (a minute of a job at the 1 s step Gantry asks for) that varies. */
    private static String matrix(long id, String start, double base, double step) {
        long t0 = (long) Double.parseDouble(start);
        StringBuilder sb = new StringBuilder("{\"metric\":{\"pod\":\"runner-" + id + "\",\"container\":\"build\"},\"values\":[");
        for (int i = 0; i < 60; i++) {
            if (i > 0) sb.append(',');
            sb.append('[').append(t0 + i).append(",\"").append(base + (i % 7) * step + id % 11).append("\"]");
        }
        return sb.append("]}").toString();
    }

    private static long find(Pattern p, String q, long dflt) {
        Matcher m = p.matcher(q);
        return m.find() ? Long.parseLong(m.group(1)) : dflt;
    }
}
