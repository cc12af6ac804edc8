package org.spack.gantry.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import org.spack.gantry.allocate.AllocationListener;
import org.spack.gantry.collect.CollectionListener;
import org.spack.gantry.collect.KillListener;
import org.spack.gantry.collect.Outcome;
import org.spack.gantry.collect.Reconciler;
import org.spack.gantry.http.HttpListener;
import org.spack.gantry.http.WebhookResult;
import org.spack.gantry.oom.OomRaise;
import org.spack.gantry.oom.PipelineReruns;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.upstream.Upstream;
import org.spack.gantry.worker.Workers;

/**
 * Everything {@code /metrics} shows, in a registry of its own (no global state): what the
 * HTTP server, the allocations, collection and reconciliation tell it, the JVM, and backups.
 */
public final class GantryMetrics implements HttpListener, AllocationListener, CollectionListener, Reconciler.Listener,
        KillListener, PipelineReruns.Listener {
    private static final int STATUSES = 600;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private boolean jvmRegistered;
    private final Map<String, AtomicReferenceArray<RequestSeries>> requestSeriesByRoute = new ConcurrentHashMap<>();
    private final Map<String, CounterDataPoint> predictionSeries = new ConcurrentHashMap<>();
    private final Counter requests;
    private final Gauge inFlight;
    private final Map<String, io.prometheus.metrics.core.datapoints.GaugeDataPoint> inFlightByRoute = new ConcurrentHashMap<>();
    private final Histogram latency;
    private final Counter outcomes;
    private final Counter retries;
    private final Counter predictions;
    private final Counter webhooks;
    private final Counter reconcileRuns;
    private final Counter reconcileQueued;
    private final Gauge reconcileLastSuccess;
    private final Counter reconcileFailures;
    private final Counter reconcileRequests;
    private final Counter reconcileBytes;
    private final Counter reconcileJobsSeen;
    private final Counter refused;
    private final Counter oomKills;
    private final Counter oomCapped;
    private final Counter oomPipelinesStarted;

    public GantryMetrics(DoubleSupplier queueDepth, DoubleSupplier oldestQueuedAgeSeconds) {
        requests = Counter.builder().name("gantry_http_requests_total").help("HTTP requests by route and status")
                .labelNames("route", "status").register(registry);
        inFlight = Gauge.builder().name("gantry_http_requests_in_flight")
                .help("Requests received and not yet answered, by route (a client that never reads its answer keeps one)")
                .labelNames("route").register(registry);
        latency = Histogram.builder().name("gantry_http_request_duration_seconds")
                .help("HTTP request latency by route and status")
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .classicOnly()
                .labelNames("route", "status").register(registry);
        refused = Counter.builder().name("gantry_http_refused_total")
                .help("Requests (and specs of a batch) refused as the client's fault, by route and reason;"
                        + " the log shows only a few a second")
                .labelNames("route", "reason").register(registry);
        webhooks = Counter.builder().name("gantry_webhooks_total")
                .help("Job Hook webhooks by what became of them: queued, duplicate, dropped (never collectable),"
                        + " invalid (a build with unreadable fields, recorded as skipped), refused (not a Job Hook body, 400),"
                        + " ignored (another event type), unauthorized, disabled, not_stored (answered 503)")
                .labelNames("result").register(registry);
        outcomes = Counter.builder().name("gantry_collection_outcomes_total")
                .help("Collection outcomes by state and reason").labelNames("state", "reason").register(registry);
        retries = Counter.builder().name("gantry_collection_retries_total")
                .help("Collections put back for another try after a transient failure, by upstream")
                .labelNames("upstream").register(registry);
        predictions = Counter.builder().name("gantry_predictions_total")
                .help("Allocations answered, by the predictor that matched").labelNames("predictor").register(registry);
        reconcileRuns = Counter.builder().name("gantry_reconcile_runs_total")
                .help("Reconciliations with the GitLab jobs API, by result: success, failure")
                .labelNames("result").register(registry);
        reconcileQueued = Counter.builder().name("gantry_reconcile_queued_total")
                .help("Jobs queued by reconciliation: finished, and delivered by no webhook").register(registry);
        reconcileLastSuccess = Gauge.builder().name("gantry_reconcile_last_success_timestamp_seconds")
                .help("When the last reconciliation completed (unix time; 0 before the first)").register(registry);
        reconcileFailures = Counter.builder().name("gantry_reconcile_failures_total")
                .help("Reconciliations that failed, by reason: gitlab_unavailable, gitlab_error, paging, internal")
                .labelNames("reason").register(registry);
        reconcileRequests = Counter.builder().name("gantry_reconcile_requests_total")
                .help("Requests reconciliation made of the GitLab jobs API").register(registry);
        reconcileBytes = Counter.builder().name("gantry_reconcile_bytes_total")
                .help("Bytes of GitLab's answers reconciliation read").register(registry);
        reconcileJobsSeen = Counter.builder().name("gantry_reconcile_jobs_seen_total")
                .help("Jobs reconciliation read in GitLab's answers").register(registry);
        reconcileRuns.labelValues("success");
        reconcileRuns.labelValues("failure");
        for (Reconciler.Failure f : Reconciler.Failure.values()) reconcileFailures.labelValues(f.label());
        // series an alert's rate() needs exist from the start, at 0, rather than appear with the first event
        for (Upstream u : Upstream.values()) retries.labelValues(u.label());
        webhooks.labelValues(WebhookResult.QUEUED.label());
        webhooks.labelValues(WebhookResult.NOT_STORED.label());
        oomKills = Counter.builder().name("gantry_oom_kills_total")
                .help("Build containers found OOM-killed (kube-state-metrics' terminated reason OOMKilled), recorded")
                .register(registry);
        oomCapped = Counter.builder().name("gantry_oom_raise_capped_total")
                .help("OOM kills of a spec past its " + OomRaise.CAP + " raises since its last successful build:"
                        + " its limit is raised no further")
                .register(registry);
        oomPipelinesStarted = Counter.builder().name("gantry_oom_pipelines_started_total")
                .help("Pipelines started to run again the OOM-killed build jobs of a failed pipeline")
                .register(registry);
        GaugeWithCallback.builder().name("gantry_queue_depth").help("Webhooks acknowledged and not yet collected")
                .callback(cb -> whileTheDatabaseAnswers(queueDepth, cb)).register(registry);
        GaugeWithCallback.builder().name("gantry_queue_oldest_age_seconds")
                .help("Age of the oldest webhook not yet collected (0 when none waits)")
                .callback(cb -> whileTheDatabaseAnswers(oldestQueuedAgeSeconds, cb)).register(registry);
    }

    /**
     * What an operator watches besides the service itself: which build runs, and the newest
     * backup in {@code backupDir}, so that "no backup for 3 hours" is an alert (the JVM and
     * the process are added by the first scrape).
     */
    public GantryMetrics withOperations(String version, String commit, java.nio.file.Path backupDir) {
        io.prometheus.metrics.core.metrics.Info.builder().name("gantry_build_info")
                .help("The running build: version and commit").labelNames("version", "commit").register(registry)
                .addLabelValues(version, commit.isEmpty() ? "unknown" : commit);
        GaugeWithCallback.builder().name("gantry_backup_last_success_timestamp_seconds")
                .help("When the newest finished backup in the backup directory was written (absent when there is none)")
                .callback(cb -> org.spack.gantry.store.Backup.newest(backupDir)
                        .ifPresent(b -> cb.call(b.written().toMillis() / 1000.0)))
                .register(registry);
        GaugeWithCallback.builder().name("gantry_backup_last_size_bytes")
                .help("Size of the newest finished backup in the backup directory")
                .callback(cb -> org.spack.gantry.store.Backup.newest(backupDir).ifPresent(b -> cb.call(b.bytes())))
                .register(registry);
        return this;
    }

    /**
     * A value read from the database, absent while the database does not answer, so that the
     * scrape still shows the rest ({@code gantry_database_up} 0 among it).
     */
    private static void whileTheDatabaseAnswers(DoubleSupplier value, GaugeWithCallback.Callback cb) {
        double v;
        try {
            v = value.getAsDouble();
        } catch (org.spack.gantry.store.DatabaseException databaseAway) {
            return;
        }
        cb.call(v);
    }

    /** {@code gantry_database_up}: 1 while the database answers a query, 0 when it does not (asked at each scrape). */
    public GantryMetrics withDatabase(java.util.function.BooleanSupplier reachable) {
        GaugeWithCallback.builder().name("gantry_database_up")
                .help("Whether the database (SQLite file or PostgreSQL) answers a query: 1 or 0")
                .callback(cb -> cb.call(reachable.getAsBoolean() ? 1 : 0))
                .register(registry);
        return this;
    }

    /**
     * The JVM and the process (memory, GC, threads, process_start_time_seconds, open file
     * descriptors), registered by the first scrape: their JMX beans take a few hundred
     * milliseconds of CPU to set up, which a server's start does not wait for.
     */
    private synchronized void registerJvmOnce() {
        if (!jvmRegistered) {
            io.prometheus.metrics.instrumentation.jvm.JvmMetrics.builder().register(registry);
            jvmRegistered = true;
        }
    }

    @Override
    public void begun(String route) {
        inFlight(route).inc();
    }

    private io.prometheus.metrics.core.datapoints.GaugeDataPoint inFlight(String route) {
        var series = inFlightByRoute.get(route);
        return series != null ? series : inFlightByRoute.computeIfAbsent(route, inFlight::labelValues);
    }

    /** {@code gantry_oom_raises_in_force}: how many specs' answers carry a raised memory limit now. */
    public GantryMetrics withOomRaises(IntSupplier raisesInForce) {
        GaugeWithCallback.builder().name("gantry_oom_raises_in_force")
                .help("Specs whose answers carry a memory limit raised after OOM kills (until a successful build)")
                .callback(cb -> cb.call(raisesInForce.getAsInt())).register(registry);
        return this;
    }

    @Override
    public void killed(OomKillStore.Recorded kill) {
        oomKills.inc();
        if (OomRaise.capped(kill.killsSinceSuccess())) {
            oomCapped.inc();
        }
    }

    @Override
    public void pipelineStarted() {
        oomPipelinesStarted.inc();
    }

    @Override
    public void request(String route, int status, double seconds) {
        inFlight(route).dec();
        RequestSeries series = requestSeries(route, status);
        series.count().inc();
        series.latency().observe(seconds);
    }

    /**
     * The series of a route and status, looked up once: labelValues costs a hash of its labels
     * on every call, a measurable share of an allocation answered from the cache.
     */
    private RequestSeries requestSeries(String route, int status) {
        AtomicReferenceArray<RequestSeries> byStatus = requestSeriesByRoute.computeIfAbsent(route,
                r -> new AtomicReferenceArray<>(STATUSES));
        int slot = Math.floorMod(status, STATUSES);
        RequestSeries series = byStatus.get(slot);
        if (series == null || series.status() != status) {
            String code = Integer.toString(status);
            // racing threads get the same data points from labelValues: either may win
            series = new RequestSeries(status, requests.labelValues(route, code), latency.labelValues(route, code));
            byStatus.set(slot, series);
        }
        return series;
    }

    private record RequestSeries(int status, CounterDataPoint count, DistributionDataPoint latency) {}

    @Override
    public void refused(String route, String reason, long count) {
        refused.labelValues(route, reason).inc(count);
    }

    @Override
    public void outcome(Outcome outcome) {
        outcomes.labelValues(outcome.state(), outcome.code()).inc();
    }

    @Override
    public void retry(Upstream upstream) {
        retries.labelValues(upstream.label()).inc();
    }

    @Override
    public void reconciled(Reconciler.RunReport run) {
        reconcileRuns.labelValues(run.succeeded() ? "success" : "failure").inc();
        reconcileRequests.inc(run.requests());
        reconcileBytes.inc(run.bytes());
        reconcileJobsSeen.inc(run.jobsSeen());
        if (run.succeeded()) {
            reconcileQueued.inc(run.queued());
            reconcileLastSuccess.set(run.at());
        } else {
            reconcileFailures.labelValues(run.failure().label()).inc();
        }
    }

    /** Whether each background worker runs and makes progress: {@code gantry_worker_up}, and when it last did. */
    public GantryMetrics withWorkers(Workers workers) {
        GaugeWithCallback.builder().name("gantry_worker_up")
                .help("1 while a background worker runs and makes progress when due, 0 when it died or is stuck")
                .labelNames("worker")
                .callback(cb -> workers.states().forEach(w -> cb.call(w.up() ? 1 : 0, w.name())))
                .register(registry);
        GaugeWithCallback.builder().name("gantry_worker_last_progress_timestamp_seconds")
                .help("When a background worker last made progress (unix time)")
                .labelNames("worker")
                .callback(cb -> workers.states().forEach(w -> cb.call(w.lastProgressAt(), w.name())))
                .register(registry);
        return this;
    }

    @Override
    public void webhook(WebhookResult result) {
        webhooks.labelValues(result.label()).inc();
    }

    @Override
    public void answered(String predictor) {
        CounterDataPoint series = predictionSeries.get(predictor);
        if (series == null) {
            series = predictionSeries.computeIfAbsent(predictor, predictions::labelValues);
        }
        series.inc();
    }

    /** The text {@code /metrics} answers with. */
    public String scrape() {
        registerJvmOnce();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
