package org.spack.gantry.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.ExactSpec;
import org.spack.gantry.store.OomKillRow;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The reference's collection steps for one finished job: the ghost check against
 * GitLab, then Prometheus for the pod's annotations, resources, usage and node; and for a
 * failed build job, whether Kubernetes killed its container for exceeding its memory limit.
 * Reads the database but writes nothing; {@link CollectionWorkers} stores the result.
 */
public final class Collector {
    private static final Logger log = LoggerFactory.getLogger(Collector.class);
    /** The outcome of a failed job that was not OOM-killed. */
    static final String NOT_OOM_KILLED = "not OOM-killed";

    private final Database db;
    private final GitLabClient gitlab;
    private final JobMetrics metrics;
    private final JobStore jobs;
    private final NodeStore nodes;

    public Collector(Database db, GitLabClient gitlab, PrometheusClient prometheus, JobStore jobs, NodeStore nodes) {
        this.db = db;
        this.gitlab = gitlab;
        this.metrics = new JobMetrics(prometheus);
        this.jobs = jobs;
        this.nodes = nodes;
    }

    /** What to store, or why nothing is stored. Transient upstream failures are thrown. */
    public sealed interface Result permits Found, Killed, Skipped {}

    public record Found(CollectedJob collected) implements Result {}

    /** A failed build job whose container was OOM-killed: the kill to record. */
    public record Killed(OomKillRow kill) implements Result {}

    public record Skipped(String reason) implements Result {}

    public Result collect(JobEvent e) throws UpstreamException {
        if (db.read(c -> jobs.exists(c, e.buildId()))) return new Skipped("already stored");

        if (gitlab.jobLogContains(e.buildId(), "No need to rebuild")) {
            log.info("job {} is a ghost (nothing was rebuilt), skipping", e.buildId());
            return new Skipped("ghost job");
        }
        try {
            return new Found(gather(e));
        } catch (MissingData missing) {
            log.info("job {} skipped: {}", e.buildId(), missing.getMessage());
            return new Skipped(missing.getMessage());
        }
    }

    /**
     * A failed build job: was its build container OOM-killed? Its pod's annotations name
     * the spec; kube-state-metrics' termination reason, over the job's run and the time
     * Prometheus needs to scrape its end, tells.
     */
    public Result collectFailure(FailedJob f) throws UpstreamException {
        double mid = (f.startedAt() + f.finishedAt()) / 2.0;
        JobMetrics.Annotations a;
        try {
            a = metrics.annotations(f.buildId(), mid);
        } catch (MissingData missing) {
            log.info("failed job {} skipped: {}", f.buildId(), missing.getMessage());
            return new Skipped(missing.getMessage());
        }
        if (!metrics.oomKilled(a.pod(), f.startedAt(), f.dueAt())) {
            return new Skipped(NOT_OOM_KILLED);
        }
        JobMetrics.Memory m = metrics.memory(a.pod(), mid);
        return new Killed(new OomKillRow(f.buildId(), f.pipelineId(), f.ref(), a.pod(),
                new ExactSpec(a.pkgName(), a.pkgVersion(), a.variantsJson(), a.compilerName(), a.compilerVersion(),
                        a.arch()), m.request(), m.limit(), f.finishedAt()));
    }

    private CollectedJob gather(JobEvent e) throws UpstreamException, MissingData {
        double mid = e.midpoint();
        JobMetrics.Annotations a = metrics.annotations(e.buildId(), mid);
        JobMetrics.Resources r = metrics.resources(a.pod(), mid);
        UsageStats mem = metrics.memoryUsage(a.pod(), e.startedAt(), e.finishedAt());
        UsageStats cpu = metrics.cpuUsage(a.pod(), e.startedAt(), e.finishedAt());
        String uuid = metrics.nodeUuid(r.node(), mid);
        Long storedNode = db.read(c -> nodes.findByUuid(c, uuid));
        CollectedJob.Node node = storedNode != null ? new CollectedJob.StoredNode(storedNode)
                : new CollectedJob.NewNode(metrics.nodeLabels(r.node(), uuid, mid));
        JobRow job = new JobRow(a.pod(), e.startedAt(), e.finishedAt(), e.buildId(), JobEvent.STATUS, e.ref(),
                a.pkgName(), a.pkgVersion(), a.variantsJson(), a.compilerName(), a.compilerVersion(), a.arch(),
                a.stack(), a.buildJobs(), r.cpuRequest(), r.cpuLimit(),
                cpu.mean(), cpu.median(), cpu.max(), cpu.min(), cpu.stddev(),
                r.memRequest(), r.memLimit(), mem.mean(), mem.median(), mem.max(), mem.min(), mem.stddev());
        String unusable = unusableValue(job);
        if (unusable != null) throw new MissingData("unusable value: " + unusable);
        return new CollectedJob(job, node);
    }

    /** The first number that cannot be stored (NaN or infinite: Prometheus writes "NaN", "+Inf"), or null. */
    static String unusableValue(JobRow j) {
        String[] names = {"cpu_request", "cpu_mean", "cpu_median", "cpu_max", "cpu_min", "cpu_stddev",
            "mem_request", "mem_limit", "mem_mean", "mem_median", "mem_max", "mem_min", "mem_stddev"};
        double[] values = {j.cpuRequest(), j.cpuMean(), j.cpuMedian(), j.cpuMax(), j.cpuMin(), j.cpuStddev(),
            j.memRequest(), j.memLimit(), j.memMean(), j.memMedian(), j.memMax(), j.memMin(), j.memStddev()};
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) return names[i] + " is " + values[i];
        }
        if (j.cpuLimit() != null && !Double.isFinite(j.cpuLimit())) return "cpu_limit is " + j.cpuLimit();
        return null;
    }
}
