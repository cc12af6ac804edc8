package org.spack.gantry;

import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.collect.CollectionWorkers;
import org.spack.gantry.collect.Collector;
import org.spack.gantry.collect.Intake;
import org.spack.gantry.collect.IntakeWriter;
import org.spack.gantry.collect.JobsScan;
import org.spack.gantry.collect.Reconciler;
import org.spack.gantry.collect.OutcomeWriter;
import org.spack.gantry.collect.RetryPolicy;
import org.spack.gantry.config.Config;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.http.GantryMetrics;
import org.spack.gantry.http.HealthHandler;
import org.spack.gantry.http.Server;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.AppliedMigrations;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.Migrations;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.upstream.HttpFetcher;

/** The running service: database, predictor, collection and HTTP, started and stopped in order. */
public final class Application implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Application.class);
    /** How long a stop waits for requests under way: a webhook waits for its commit, never long. */
    private static final long REQUEST_GRACE_MS = 5_000;
    /** How long a stop lets collections finish before abandoning them to the queue. */
    private static final long COLLECTION_GRACE_MS = 5_000;

    private final Config config;
    private final Database db;
    private final HttpFetcher http;
    private final CollectionWorkers workers;
    private final IntakeWriter intakeWriter;
    private final Server server;
    private final LiveHistory history;
    private final Reconciler reconciler;

    public Application(Config config, BuildInfo build, Clock clock) {
        this.config = config;
        // Flyway takes about a second to start: only when the database is not already up to date
        String upToDate = config.sharedDatabase() ? null : new AppliedMigrations().upToDateVersion(config.dbFile());
        String schema = upToDate != null ? upToDate : new Migrations(config.database(),
                new Backup(config.dbFile(), config.backupDir(), clock)).migrate().schemaVersion();
        int cores = Runtime.getRuntime().availableProcessors();
        this.db = Database.open(config.database(), Math.max(4, cores * 2));
        QueueStore queue = new QueueStore();
        JobStore jobs = new JobStore();
        NodeStore nodes = new NodeStore();
        // the collection's job writer tells it of each commit (JobCommitListener)
        this.history = new LiveHistory(db);
        GantryMetrics metrics = new GantryMetrics(
                () -> db.read(queue::depth),
                () -> {
                    Double oldest = db.read(queue::oldestWaitingSince);
                    return oldest == null ? 0 : Math.max(0, clock.millis() / 1000.0 - oldest);
                }).withOperations(build.version(), build.commit(), config.backupDir()).withDatabase(db::reachable);

        Intake intake = null;
        if (config.collectionEnabled()) {
            Timeout timeout = Timeout.ofSeconds(config.httpTimeoutSeconds());
            this.http = new HttpFetcher(Timeout.ofSeconds(Math.min(5, config.httpTimeoutSeconds())), timeout,
                    config.collectWorkers() * 2);
            Collector collector = new Collector(db,
                    new GitLabClient(config.gitlabUrl(), config.gitlabApiToken(), http),
                    new PrometheusClient(config.prometheusUrl(), config.prometheusCookie(), http),
                    jobs, nodes);
            RetryPolicy retry = new RetryPolicy(config.collectMaxAttempts(), config.collectBackoffSeconds(),
                    Math.max(config.collectBackoffSeconds(), 300));
            OutcomeWriter outcomes = new OutcomeWriter(db, queue, jobs, nodes, history, metrics, clock);
            this.workers = new CollectionWorkers(db, queue, collector, outcomes, retry, metrics, clock,
                    config.collectWorkers(), new CollectionWorkers.Lease(config.collectLeaseSeconds(), config.sharedDatabase()));
            this.intakeWriter = new IntakeWriter(db, queue, workers::signal, clock).start();
            intake = new Intake(intakeWriter);
        } else {
            // reconciliation needs only the GitLab API
            this.http = config.reconciliationEnabled() ? new HttpFetcher(
                    Timeout.ofSeconds(Math.min(5, config.httpTimeoutSeconds())), Timeout.ofSeconds(config.httpTimeoutSeconds()), 2)
                    : null;
            this.workers = null;
            this.intakeWriter = null;
            log.warn("collection is {}: /v1/collect answers 503 until they are set", config.collectionStatus());
        }
        ReconciliationStore reconciliation = new ReconciliationStore();
        if (config.reconciliationEnabled()) {
            JobsScan scan = new JobsScan(new GitLabClient(config.gitlabUrl(), config.gitlabApiToken(), http), db, queue, jobs,
                    new RetryPolicy(config.collectMaxAttempts(), config.collectBackoffSeconds(),
                            Math.max(config.collectBackoffSeconds(), 300)), JobsScan.Sleeper.THREAD, clock);
            CollectionWorkers toWake = workers;
            this.reconciler = new Reconciler(scan, db, db.hostLock(Reconciler.HOST_LOCK), reconciliation,
                    config.reconcileIntervalSeconds(),
                    config.reconcileLookbackHours() * 3600L, metrics, () -> {
                        if (toWake != null) toWake.signal();
                    }, clock);
        } else {
            this.reconciler = null;
            log.info("reconciliation with the GitLab jobs API is {}", config.reconciliationStatus());
        }
        this.server = new Server(config.host(), config.port(), Server.ioThreads(cores), Math.max(8, cores * 8),
                new Server.Routes(history, new ReferencePredictor(db), intake, config.gitlabWebhookToken(),
                        config.collectionEnabled() ? null : config.collectionStatus(),
                        build.version(), config.collectionStatus(),
                        () -> db.read(c -> new HealthHandler.DatabaseState(db.describe(), schema, queue.depth(c),
                                Reconciler.describe(config.reconciliationStatus(), reconciliation.progress(c),
                                        clock.millis() / 1000.0))),
                        metrics, config.memoryLimit()));
    }

    public void start() {
        if (workers != null) {
            workers.start();
        }
        server.start();
        if (reconciler != null) {
            reconciler.start();
        }
        // once serving: the reference queries answer (exactly, only slower) until the index is
        // loaded, so neither the size of the history nor the loading's CPU delays the start
        history.start();
        log.info("gantry listening on {}:{} (database {}, collection {})", config.host(), server.port(),
                db.describe(), config.collectionStatus());
    }

    /** Whether allocations are answered from the in-memory history yet (it loads after the start). */
    public boolean answersFromMemory() {
        return history.index() != null;
    }

    public int port() {
        return server.port();
    }

    /**
     * Stops accepting (503 to new requests), answers the requests under way, lets
     * collections under way finish or puts them back in the queue, closes the database.
     */
    @Override
    public void close() {
        long started = System.nanoTime();
        server.shutdown(REQUEST_GRACE_MS);
        if (intakeWriter != null) {
            intakeWriter.close();
        }
        if (workers != null) {
            int released = workers.stop(COLLECTION_GRACE_MS, http::abort);
            if (released > 0) {
                log.info("{} collection(s) under way were put back in the queue for the next start", released);
            }
        }
        if (http != null) {
            try {
                http.close();
            } catch (java.io.IOException ignored) {
                // shutting down
            }
        }
        if (reconciler != null) {
            reconciler.close();
        }
        history.close();
        db.close();
        log.info("gantry stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
