package org.spack.gantry.collect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.prometheus.Series;
import org.spack.gantry.spec.Variants;
import org.spack.gantry.store.NodeRow;
import org.spack.gantry.upstream.UpstreamException;

/** The Prometheus queries of collection, in the reference's PromQL, and what they must return. */
final class JobMetrics {
    private static final String SPEC = "annotation_metrics_spack_job_spec_";
    static final String OOM_SIGNAL = "kube_pod_container_status_terminated_reason";

    private final PrometheusClient prometheus;

    JobMetrics(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    record Annotations(String pod, long buildJobs, String arch, String pkgName, String pkgVersion, String variantsJson,
            String compilerName, String compilerVersion, String stack) {}

    record Resources(double cpuRequest, double memRequest, Double cpuLimit, double memLimit, String node) {}

    Annotations annotations(long gitlabId, double time) throws UpstreamException, MissingData {
        List<Series> res = prometheus.instant(PrometheusClient.selector("kube_pod_annotations",
                Map.of("annotation_gitlab_ci_job_id", Long.toString(gitlabId))), time);
        if (res.isEmpty()) throw new MissingData("annotation data is missing");
        Map<String, String> a = res.get(0).labels();
        String buildJobs = a.getOrDefault("annotation_metrics_spack_job_build_jobs", "16");
        long jobs;
        try {
            jobs = Long.parseLong(buildJobs.strip());
        } catch (NumberFormatException e) {
            throw new MissingData("invalid annotation annotation_metrics_spack_job_build_jobs: " + buildJobs, e);
        }
        return new Annotations(
                need(a, "pod"), jobs, need(a, SPEC + "arch"), need(a, SPEC + "pkg_name"), need(a, SPEC + "pkg_version"),
                variantsJson(need(a, SPEC + "variants")),
                need(a, SPEC + "compiler_name"), need(a, SPEC + "compiler_version"),
                need(a, "annotation_metrics_spack_ci_stack_name"));
    }

    private static String variantsJson(String variants) throws MissingData {
        try {
            return Variants.parse(variants).json();
        } catch (RuntimeException e) {
            throw new MissingData("invalid variants annotation: " + e.getMessage(), e);
        }
    }

    Resources resources(String pod, double time) throws UpstreamException, MissingData {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("container", "build");
        filters.put("pod", pod);
        Map<String, Double> requests = byResource(
                prometheus.instant(PrometheusClient.selector("kube_pod_container_resource_requests", filters), time));
        if (requests.isEmpty()) throw new MissingData("resource data is missing");
        List<Series> limitsRes =
                prometheus.instant(PrometheusClient.selector("kube_pod_container_resource_limits", filters), time);
        if (limitsRes.isEmpty()) throw new MissingData("missing limits");
        String node = limitsRes.get(0).label("node");
        if (node == null) throw new MissingData("missing node label");
        Map<String, Double> limits = byResource(limitsRes);
        return new Resources(
                resource(requests, "cpu", "request"), resource(requests, "memory", "request"),
                limits.get("cpu"), resource(limits, "memory", "limit"), node);
    }

    /**
     * Whether the pod's build container was OOM-killed at any time from {@code start} to
     * {@code end}: kube-state-metrics' {@code kube_pod_container_status_terminated_reason}
     * ("the reason the container is currently in terminated state") with
     * {@code reason="OOMKilled"}. Not {@code ..._last_terminated_reason}, which describes
     * the state before a restart, and a runner's build container is never restarted.
     */
    boolean oomKilled(String pod, double start, double end) throws UpstreamException {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("container", "build");
        filters.put("pod", pod);
        filters.put("reason", "OOMKilled");
        for (Series s : prometheus.range(PrometheusClient.selector(OOM_SIGNAL, filters), start, end)) {
            for (Series.Sample sample : s.samples()) {
                try {
                    if (sample.asDouble() >= 1) return true;
                } catch (NumberFormatException notANumber) {
                    // not a state kube-state-metrics reports
                }
            }
        }
        return false;
    }

    /** The build container's memory request and limit in bytes, each null when it had none. */
    record Memory(Double request, Double limit) {}

    Memory memory(String pod, double time) throws UpstreamException {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("container", "build");
        filters.put("pod", pod);
        filters.put("resource", "memory");
        return new Memory(first(prometheus.instant(PrometheusClient.selector("kube_pod_container_resource_requests",
                filters), time)), first(prometheus.instant(PrometheusClient.selector("kube_pod_container_resource_limits",
                filters), time)));
    }

    private static Double first(List<Series> res) {
        for (Series s : res) {
            try {
                double v = s.samples().get(0).asDouble();
                if (Double.isFinite(v)) return v;
            } catch (NumberFormatException | IndexOutOfBoundsException unusable) {
                // the next series, if any
            }
        }
        return null;
    }

    UsageStats memoryUsage(String pod, double start, double end) throws UpstreamException, MissingData {
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("container", "build");
        filters.put("pod", pod);
        return usage("memory", prometheus.range(
                PrometheusClient.selector("container_memory_working_set_bytes", filters), start, end));
    }

    UsageStats cpuUsage(String pod, double start, double end) throws UpstreamException, MissingData {
        String query = "rate(container_cpu_usage_seconds_total{pod='" + PrometheusClient.escape(pod, '\'')
                + "', container='build'}[90s])";
        return usage("cpu", prometheus.range(query, start, end));
    }

    String nodeUuid(String hostname, double time) throws UpstreamException, MissingData {
        List<Series> res = prometheus.instant(
                PrometheusClient.selector("kube_node_info", Map.of("node", hostname)), time);
        if (res.isEmpty()) throw new MissingData("node info is missing");
        return need(res.get(0).labels(), "system_uuid");
    }

    NodeRow nodeLabels(String hostname, String uuid, double time) throws UpstreamException, MissingData {
        List<Series> res = prometheus.instant(
                PrometheusClient.selector("kube_node_labels", Map.of("node", hostname)), time);
        if (res.isEmpty()) throw new MissingData("node labels are missing");
        Map<String, String> l = res.get(0).labels();
        return new NodeRow(uuid, hostname,
                number(l, "label_karpenter_k8s_aws_instance_cpu"),
                // the label is in MB; every other memory figure is in bytes
                number(l, "label_karpenter_k8s_aws_instance_memory") * 1_000_000,
                need(l, "label_kubernetes_io_arch"), need(l, "label_kubernetes_io_os"),
                need(l, "label_node_kubernetes_io_instance_type"));
    }

    private static UsageStats usage(String what, List<Series> res) throws MissingData {
        if (res.isEmpty() || res.get(0).samples().isEmpty()) throw new MissingData(what + " usage data is missing");
        List<Series.Sample> samples = res.get(0).samples();
        double[] values = new double[samples.size()];
        for (int i = 0; i < values.length; i++) {
            try {
                values[i] = samples.get(i).asDouble();
            } catch (NumberFormatException e) {
                throw new MissingData(what + " usage data is invalid", e);
            }
        }
        UsageStats stats = UsageStats.of(values);
        if (stats.unusable()) throw new MissingData(what + " usage data is invalid");
        return stats;
    }

    /** The last value per resource, as the reference keeps the last of duplicates. */
    private static Map<String, Double> byResource(List<Series> res) throws MissingData {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Series s : res) {
            String resource = s.label("resource");
            if (resource == null) throw new MissingData("missing resource label");
            try {
                out.put(resource, s.samples().get(0).asDouble());
            } catch (NumberFormatException e) {
                throw new MissingData("invalid " + resource + " value");
            }
        }
        return out;
    }

    private static double resource(Map<String, Double> values, String resource, String kind) throws MissingData {
        Double v = values.get(resource);
        if (v == null) throw new MissingData("missing " + resource + " " + kind);
        return v;
    }

    private static String need(Map<String, String> labels, String name) throws MissingData {
        String v = labels.get(name);
        if (v == null) throw new MissingData("missing label " + name);
        return v;
    }

    private static double number(Map<String, String> labels, String name) throws MissingData {
        String v = need(labels, name);
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new MissingData("invalid label " + name + ": " + v);
        }
    }
}
