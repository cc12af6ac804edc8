package org.spack.gantry.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.NodeRow;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The reference's collection steps for one finished job: the ghost check against
 * GitLab, then Prometheus for the pod's annotations, resources, usage and node.
 * Reads the database but writes nothing; {@link CollectionWorkers} stores the result.
 */
public final class Collector {
    private static final Logger log = LoggerFactory.getLogger(Collector.class);

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
    public sealed interface Result permits Found, Skipped {}

    public record Found(CollectedJob collected) implements Result {}

    public record Skipped(String reason) implements Result {}

    public Result collect(WebhookEvent e) throws UpstreamException {
        String ineligible = Eligibility.skipReason(e);
        if (ineligible != null) return new Skipped(ineligible);
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

    private CollectedJob gather(WebhookEvent e) throws UpstreamException, MissingData {
        double mid = e.midpoint();
        JobMetrics.Annotations a = metrics.annotations(e.buildId(), mid);
        JobMetrics.Resources r = metrics.resources(a.pod(), mid);
        UsageStats mem = metrics.memoryUsage(a.pod(), e.startedAt(), e.finishedAt());
        UsageStats cpu = metrics.cpuUsage(a.pod(), e.startedAt(), e.finishedAt());
        String uuid = metrics.nodeUuid(r.node(), mid);
        NodeRow newNode = db.read(c -> nodes.findByUuid(c, uuid)) != null ? null : metrics.nodeLabels(r.node(), uuid, mid);
        JobRow job = new JobRow(a.pod(), e.startedAt(), e.finishedAt(), e.buildId(), e.status(), e.ref(),
                a.pkgName(), a.pkgVersion(), a.variantsJson(), a.compilerName(), a.compilerVersion(), a.arch(),
                a.stack(), a.buildJobs(), r.cpuRequest(), r.cpuLimit(),
                cpu.mean(), cpu.median(), cpu.max(), cpu.min(), cpu.stddev(),
                r.memRequest(), r.memLimit(), mem.mean(), mem.median(), mem.max(), mem.min(), mem.stddev());
        return new CollectedJob(job, uuid, newNode);
    }
}
