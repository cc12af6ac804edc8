package org.spack.gantry.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spack.gantry.testing.OpenMetrics.Point;

/**
 * The series a Spack build pod leaves in a cluster's Prometheus, in kube-state-metrics'
 * and cAdvisor's names and labels (kube-state-metrics docs, "Pod Metrics"): its
 * annotations, the build container's requests and limits, its termination reason, its
 * memory and CPU use, and its node.
 */
public final class BuildPodSeries {
    private static final String SPEC = "annotation_metrics_spack_job_spec_";
    private static final long SCRAPE = 15;

    /** The spec a pod's annotations name, as Spack's runner writes them. */
    public record Spec(String pkg, String version, String variants, String compiler, String compilerVersion, String arch) {}

    /** A node of the cluster. */
    public record Node(String hostname, String uuid, int cores, int memoryMb) {}

    private final OpenMetrics om;

    public BuildPodSeries(OpenMetrics om) {
        this.om = om;
    }

    /** A build pod from {@code start} to {@code end}: annotations, requests and limits of its build container. */
    public BuildPodSeries pod(long buildId, String pod, Spec s, Node node, long start, long end, double cpuRequest,
            double memRequest, double memLimit) {
        long from = start - 60;
        long to = end + 60;
        om.constant("kube_pod_annotations", labels("namespace", "pipeline", "pod", pod, "uid", "uid-" + pod,
                "annotation_gitlab_ci_job_id", Long.toString(buildId),
                SPEC + "pkg_name", s.pkg(), SPEC + "pkg_version", s.version(), SPEC + "variants", s.variants(),
                SPEC + "compiler_name", s.compiler(), SPEC + "compiler_version", s.compilerVersion(), SPEC + "arch", s.arch(),
                "annotation_metrics_spack_ci_stack_name", "e4s", "annotation_metrics_spack_job_build_jobs", "16"),
                1, from, to, SCRAPE);
        om.constant("kube_pod_container_resource_requests", resource(pod, node, "cpu", "core"), cpuRequest, from, to, SCRAPE);
        om.constant("kube_pod_container_resource_requests", resource(pod, node, "memory", "byte"), memRequest, from, to, SCRAPE);
        om.constant("kube_pod_container_resource_limits", resource(pod, node, "memory", "byte"), memLimit, from, to, SCRAPE);
        return this;
    }

    /**
     * The build container terminated at {@code at} for {@code reason} ({@code OOMKilled},
     * {@code Error}): kube_pod_container_status_terminated_reason is 1 from then until the
     * runner deletes the pod a minute later. The pod is never restarted, so
     * kube_pod_container_status_last_terminated_reason has no series for it.
     */
    public BuildPodSeries terminated(String pod, long at, String reason) {
        om.constant("kube_pod_container_status_terminated_reason", labels("namespace", "pipeline", "pod", pod,
                "uid", "uid-" + pod, "container", "build", "reason", reason), 1, at, at + 60, SCRAPE);
        return this;
    }

    /** The build container's working set (bytes, one sample a scrape) and a CPU counter at about {@code cores}. */
    public BuildPodSeries usage(String pod, long start, long end, List<Double> memory, double cores) {
        List<Point> mem = new ArrayList<>();
        for (int i = 0; i < memory.size(); i++) {
            mem.add(new Point(start + i * SCRAPE, memory.get(i)));
        }
        om.series("container_memory_working_set_bytes", "gauge", cadvisor(pod), mem);
        List<Point> cpu = new ArrayList<>();
        double used = 100;
        int i = 0;
        for (long t = start - 120; t <= end + 30; t += SCRAPE, i++) {
            cpu.add(new Point(t, used));
            // a compile's use varies (the reference finds a constant one unusable)
            used += cores * (1 + 0.3 * Math.sin(i / 4.0)) * SCRAPE;
        }
        om.series("container_cpu_usage_seconds", "counter", cadvisor(pod), cpu);
        return this;
    }

    public BuildPodSeries node(Node n, long from, long to) {
        om.constant("kube_node_info", labels("node", n.hostname(), "system_uuid", n.uuid()), 1, from, to, 30);
        om.constant("kube_node_labels", labels("node", n.hostname(),
                "label_karpenter_k8s_aws_instance_cpu", Integer.toString(n.cores()),
                "label_karpenter_k8s_aws_instance_memory", Integer.toString(n.memoryMb()),
                "label_kubernetes_io_arch", "amd64", "label_kubernetes_io_os", "linux",
                "label_node_kubernetes_io_instance_type", "m5.8xlarge"), 1, from, to, 30);
        return this;
    }

    private static Map<String, String> resource(String pod, Node node, String resource, String unit) {
        return labels("namespace", "pipeline", "pod", pod, "uid", "uid-" + pod, "container", "build",
                "node", node.hostname(), "resource", resource, "unit", unit);
    }

    private static Map<String, String> cadvisor(String pod) {
        return labels("namespace", "pipeline", "pod", pod, "container", "build", "job", "kubelet",
                "metrics_path", "/metrics/cadvisor");
    }

    private static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
