package org.spack.gantry;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.allocate.Allocations;
import org.spack.gantry.allocate.AnswerRule;
import org.spack.gantry.allocate.AnswerRules;
import org.spack.gantry.collect.Collection;
import org.spack.gantry.collect.CollectionWorkers;
import org.spack.gantry.collect.Collector;
import org.spack.gantry.collect.IntakeWriter;
import org.spack.gantry.collect.JobsScan;
import org.spack.gantry.collect.KillListener;
import org.spack.gantry.collect.OutcomeWriter;
import org.spack.gantry.collect.Reconciler;
import org.spack.gantry.collect.Reconciliation;
import org.spack.gantry.collect.RetryPolicy;
import org.spack.gantry.config.Config;
import org.spack.gantry.config.ReconcileSetting;
import org.spack.gantry.explain.Explainer;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.gitlab.GitLabPipelines;
import org.spack.gantry.http.Health;
import org.spack.gantry.http.LogText;
import org.spack.gantry.http.Server;
import org.spack.gantry.metrics.GantryMetrics;
import org.spack.gantry.oom.OomRaises;
import org.spack.gantry.oom.OomRecovery;
import org.spack.gantry.oom.PipelineReruns;
import org.spack.gantry.oom.RaisesFollower;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.ReferencePredictor;
import org.spack.gantry.prometheus.PrometheusClient;
import org.spack.gantry.release.BuildInfo;
import org.spack.gantry.store.AppliedMigrations;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.Migrations;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.worker.Workers;

/**
 * The running service, composed here and nowhere else: the database, the history and
 * the allocations answered from it, collection, reconciliation, and the HTTP server
 * with its routes; started in that order and stopped in the reverse.
 */
public final class Application implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Application.class);
    /** How long a stop waits for requests under way: a webhook waits for its commit, never long. */
    private static final long REQUEST_GRACE_MS = 5_000;
    /** How long a stop lets collections finish before abandoning them to the queue. */
    private static final long COLLECTION_GRACE_MS = 5_000;

    private final Config config;
    private final Clock clock;
    private final Database db;
    private final QueueStore queue = new QueueStore();
    private final GantryMetrics metrics;
    private final Workers workers;
    private final LiveHistory history;
    private final HttpFetcher http;
    private final OomRecovery oom;
    private final Collection collection;
    private final Reconciliation reconciliation;
    private final Server server;

    public Application(Config config, BuildInfo build, Clock clock) {
        this.config = config;
        this.clock = clock;
        String schema = migrated(config, clock);
        int cores = Runtime.getRuntime().availableProcessors();
        this.db = Database.open(config.database(), Math.max(4, cores * 2));
        this.metrics = new GantryMetrics(() -> db.read(queue::depth), this::oldestQueuedAgeSeconds)
                .withOperations(build.version(), build.commit(), config.backupDir())
                .withDatabase(db::reachable);
        this.workers = new Workers(clock);
        metrics.withWorkers(workers);
        // the collection's job writer tells it of each commit (JobCommitListener)
        this.history = new LiveHistory(db, workers.register("history"));
        this.http = HttpFetcher.withTimeout(config.httpTimeoutSeconds(), config.collectWorkers() * 2 + 2);
        this.oom = oomRecovery();
        metrics.withOomRaises(oom.raises()::inForce);
        AnswerRule rule = AnswerRules.of(config, oom.raises());
        ReferencePredictor reference = new ReferencePredictor(db);
        Allocations allocations = new Allocations(history, reference, rule, Allocations.defaultCacheBytes(), metrics);
        this.collection = collection();
        this.reconciliation = reconciliation();
        this.server = new Server(config.host(), config.port(), Server.ioThreads(cores), Math.max(8, cores * 8), metrics)
                .allocations(allocations)
                .explanations(new Explainer(reference, rule))
                .webhooks(collection, config.gitlabWebhookToken())
                .health(build.version(), () -> health(schema, allocations))
                .metrics(metrics::scrape);
    }

    /** What /healthz reports; throws when the database does not answer. */
    private Health health(String schema, Allocations allocations) {
        ReconciliationStore progress = new ReconciliationStore();
        return db.read(c -> new Health(db.describe(), schema, queue.depth(c), allocations.fromMemory() ? "memory" : "database",
                collection.status(), Reconciler.describe(reconciliation.setting(), progress.status(c), now()),
                workers.states()));
    }

    /**
     * The schema version, after applying what is pending (Flyway takes a second to start: on
     * SQLite only then; on a shared PostgreSQL it always looks, under its lock).
     */
    private static String migrated(Config config, Clock clock) {
        String upToDate = config.sharedDatabase() ? null : new AppliedMigrations().upToDateVersion(config.dbFile());
        return upToDate != null ? upToDate : new Migrations(config.database(),
                new Backup(config.dbFile(), config.backupDir(), clock)).migrate().schemaVersion();
    }

    /** On while answers carry a memory limit; it reruns failed pipelines only with collection on. */
    private OomRecovery oomRecovery() {
        if (!config.oomTracking()) {
            return new OomRecovery.Off("answers carry no memory limit (GANTRY_LIMITS, GANTRY_MEMORY_LIMIT_FACTOR unset)");
        }
        OomRaises raises = new OomRaises(db.read(new OomKillStore()::inForce));
        OomRecovery.On on;
        if (!config.collectionEnabled()) {
            on = new OomRecovery.On(raises);
        } else {
            PipelineReruns reruns = new PipelineReruns(db, new GitLabPipelines(config.gitlabUrl(), config.gitlabApiToken(),
                    http), config.oomRerunPipelines(), retryPolicy(), metrics, workers.register("oom-reruns"),
                    Duration.ofSeconds(config.httpTimeoutSeconds()), clock);
            on = new OomRecovery.On(raises, reruns, config.oomRerunPipelines());
        }
        return config.sharedDatabase() ? on.followingOtherHosts(new RaisesFollower(db, raises, workers.register("oom-raises")))
                : on;
    }

    /** On with every collection setting; off, saying which are missing, otherwise. */
    private Collection collection() {
        if (!config.collectionEnabled()) {
            return new Collection.Off(config.missingCollectionSettings());
        }
        JobStore jobs = new JobStore();
        NodeStore nodes = new NodeStore();
        Collector collector = new Collector(db, gitlab(), new PrometheusClient(config.prometheusUrl(),
                config.prometheusCookie(), http), jobs, nodes);
        JobCommitListener committed = (id, row) -> {
            history.committed(id, row);
            oom.committed(id, row);
        };
        KillListener killed = kill -> {
            oom.killed(kill);
            metrics.killed(kill);
        };
        OutcomeWriter outcomes = new OutcomeWriter(db, queue, jobs, nodes, committed, killed, metrics, clock);
        CollectionWorkers collecting = new CollectionWorkers(db, queue, collector, outcomes, retryPolicy(), metrics, clock,
                config.collectWorkers(), new CollectionWorkers.Lease(config.collectLeaseSeconds(), config.sharedDatabase()),
                workers.register("collect"));
        return new Collection.On(new IntakeWriter(db, queue, () -> {
            collecting.signal();
            oom.wake();
        }, workers.register("intake"), clock), collecting, http::abort, config.oomTracking());
    }

    /** Needs only the GitLab API: it queues, and a server with collection on collects. */
    private Reconciliation reconciliation() {
        ReconcileSetting setting = config.reconciliation();
        if (!(setting instanceof ReconcileSetting.Every every)) {
            return new Reconciliation.Off((ReconcileSetting.Off) setting);
        }
        JobsScan scan = new JobsScan(gitlab(), db, queue, new JobStore(), retryPolicy(), JobsScan.Sleeper.THREAD, clock);
        return new Reconciliation.On(new Reconciler(scan, db, db.hostLock(Reconciler.HOST_LOCK), new ReconciliationStore(),
                every, metrics, collection::wake, workers.register("reconcile"), clock), every);
    }

    private GitLabClient gitlab() {
        return new GitLabClient(config.gitlabUrl(), config.gitlabApiToken(), http);
    }

    private RetryPolicy retryPolicy() {
        return new RetryPolicy(config.collectMaxAttempts(), config.collectBackoffSeconds(),
                Math.max(config.collectBackoffSeconds(), 300));
    }

    private double oldestQueuedAgeSeconds() {
        Double oldest = db.read(queue::oldestWaitingSince);
        return oldest == null ? 0 : Math.max(0, now() - oldest);
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    public void start() {
        collection.start();
        oom.start();
        server.start();
        reconciliation.start();
        // once serving: the reference queries answer (exactly, only slower) until the index is
        // loaded, so neither the size of the history nor the loading's CPU delays the start
        history.start();
        log.info("gantry listening on {}:{} (database {}, collection {}, OOM recovery {})", config.host(), server.port(),
                LogText.escape(db.describe()), collection.status(), oom.status());
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
        collection.stop(COLLECTION_GRACE_MS);
        reconciliation.stop();
        oom.stop();
        http.close();
        oom.close();
        history.close();
        db.close();
        log.info("gantry stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }
}
