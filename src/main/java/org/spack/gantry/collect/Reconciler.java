package org.spack.gantry.collect;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.config.ReconcileSetting;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.HostLock;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.upstream.UpstreamException;
import org.spack.gantry.worker.Worker;

/**
 * Finds by itself the jobs no webhook delivered (GitLab does not redeliver, and disables a
 * hook after 4 failures in a row): every interval, one {@link FrontierRun}, which queues
 * every successful job that finished since the previous run and asks GitLab only for what
 * changed since. The frontier is kept in the database, so a restart, a restore or an
 * upgrade goes on where the last completed run left off. Each run's cost (requests, bytes,
 * jobs seen) and outcome are recorded, reported to the {@link Listener} and logged.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** A previous release's covered instant is trusted less this: jobs reached its jobs API late, and clocks differ. */
    static final long OVERLAP_SECONDS = 15 * 60;
    /** After failures, wait up to this many intervals before the next run. */
    private static final int MAX_BACKOFF_FACTOR = 8;
    /** The longest one answer, with its tries, may take before the worker counts as stuck. */
    private static final Duration PATIENCE = Duration.ofMinutes(15);

    /** One run as the metrics count it. */
    public record RunReport(boolean succeeded, Failure failure, int queued, long requests, long bytes, long jobsSeen,
            double at) {}

    /** Why a run failed, as a metric label. */
    public enum Failure {
        /** GitLab could not be reached, or answered 5xx or 429, every try */
        GITLAB_UNAVAILABLE("gitlab_unavailable"),
        /** GitLab answered what will not change by asking again: 401, 404, a page that is not a list of jobs */
        GITLAB_ERROR("gitlab_error"),
        /** paging went wrong: a next page that repeats, ids that stop decreasing, too many pages */
        PAGING("paging"),
        /** a fault in Gantry or its database */
        INTERNAL("internal");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static Failure of(Throwable e) {
            if (e instanceof JobsWalk.Stopped) return PAGING;
            if (e instanceof UpstreamException u) return u.isTransient() ? GITLAB_UNAVAILABLE : GITLAB_ERROR;
            return INTERNAL;
        }
    }

    /** Told of each run, for metrics. */
    public interface Listener {
        void reconciled(RunReport report);

        Listener NONE = report -> {};
    }

    /**
     * The PostgreSQL advisory lock key of the reconciliation role ({@link HostLock}): one host of
     * a fleet runs it. Every release must use the same number.
     */
    public static final long HOST_LOCK = 0x67616e7472790001L;

    private final JobsScan scan;
    private final Database db;
    private final HostLock role;
    private final ReconciliationStore store;
    private final ReconcileSetting.Every setting;
    private final Listener listener;
    private final Runnable onQueued;
    private final Worker worker;
    private final Clock clock;
    private volatile boolean running = true;
    private Thread thread;

    /** @param role held by the one host of a fleet that reconciles ({@link HostLock#ALWAYS_HELD} on SQLite) */
    public Reconciler(JobsScan scan, Database db, HostLock role, ReconciliationStore store, ReconcileSetting.Every setting,
            Listener listener, Runnable onQueued, Worker worker, Clock clock) {
        this.scan = scan.announcing(seconds -> worker.progressed(Duration.ofMillis(Math.round(seconds * 1000)).plus(PATIENCE)));
        this.db = db;
        this.role = role;
        this.store = store;
        this.setting = setting;
        this.listener = listener;
        this.onQueued = onQueued;
        this.worker = worker;
        this.clock = clock;
    }

    public Reconciler start() {
        thread = worker.start("reconcile", PATIENCE, this::loop);
        return this;
    }

    private void loop() {
        int failures = 0;
        boolean holding = false;
        while (running) {
            try {
                boolean holds = role.tryHold();
                if (holds != holding) {
                    log.info(holds ? "reconciliation runs on this host (it holds the reconciliation lock)"
                            : "reconciliation runs on another host");
                    holding = holds;
                }
                if (holds) runOnce();
                failures = 0;
            } catch (InterruptedException e) {
                return;
            } catch (UpstreamException e) {
                failures++;
                log.warn("reconciliation with the GitLab jobs API failed ({} in a row), next in {} s: {}", failures,
                        delay(failures), e.getMessage());
            } catch (Throwable e) {
                // a fault in Gantry, not in GitLab's answer: once, with where it happened; the next run may fare better
                failures++;
                log.error("reconciliation failed ({} in a row), next in {} s: {}", failures, delay(failures), e, e);
            }
            long delay = delay(failures);
            worker.progressed(Duration.ofSeconds(delay).plus(PATIENCE));
            try {
                Thread.sleep(delay * 1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long delay(int failures) {
        return setting.intervalSeconds() * Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(failures, 3));
    }

    /** One run: queues what is missing, moves the frontier, records what it cost. */
    int runOnce() throws UpstreamException, InterruptedException {
        double started = now();
        RunCost cost = new RunCost(() -> worker.progressed(PATIENCE));
        FrontierRun.Result result;
        try {
            Started run = run(started, cost);
            result = run.result();
            db.write(c -> {
                if (run.fromScratch()) {
                    store.restart(c, result.newestId(), result.listedAt(), result.unfinished(), now());
                } else {
                    store.advance(c, result.newestId(), result.listedAt(), result.settled(), result.added(), now());
                }
                store.completed(c, new ReconciliationStore.Progress(started, now(), result.queued()));
                store.recordRun(c, new ReconciliationStore.Run(started, now(), true, null, cost.requests(), cost.bytes(),
                        cost.jobsSeen(), result.queued()));
                return null;
            });
        } catch (Throwable e) {
            if (!(e instanceof InterruptedException)) failed(started, cost, e);
            throw e;
        }
        listener.reconciled(new RunReport(true, null, result.queued(), cost.requests(), cost.bytes(), cost.jobsSeen(), now()));
        String figures = cost.requests() + " request(s), " + kib(cost.bytes()) + " KiB read, " + cost.jobsSeen()
                + " job(s) seen, " + result.singles() + " looked up alone; " + result.unfinished().size()
                + " unfinished build(s) followed";
        if (result.queued() > 0) {
            // WARN: webhooks were lost; GitLab disables a hook after 4 failed deliveries in a row
            log.warn("reconciliation queued {} job(s) that no webhook delivered ({}); if this repeats, check the"
                    + " project's webhook in GitLab (it is disabled after 4 failed deliveries)", result.queued(), figures);
            onQueued.run();
        } else {
            log.debug("reconciliation found nothing missing ({})", figures);
        }
        return result.queued();
    }

    /** A run's result; from scratch when there was no frontier to go on from. */
    private record Started(FrontierRun.Result result, boolean fromScratch) {}

    private Started run(double started, RunCost cost) throws UpstreamException, InterruptedException {
        FrontierRun run = scan.frontierRun(clock, cost);
        Optional<ReconciliationStore.Frontier> frontier = db.read(store::frontier);
        long lookbackStart = (long) Math.floor(started) - setting.lookbackHours() * 3600L;
        if (frontier.isPresent() && frontier.get().listedAt() >= lookbackStart) {
            return new Started(run.from(frontier.get()), false);
        }
        // a previous release (or this one, before its frontier went stale) covered up to here
        long since = lookbackStart;
        ReconciliationStore.Progress covered = db.read(store::progress);
        if (covered != null) {
            long coveredFrom = (long) Math.floor(covered.coveredUntil()) - OVERLAP_SECONDS;
            if (coveredFrom < lookbackStart) {
                log.warn("reconciliation last completed at {}, longer ago than GANTRY_RECONCILE_LOOKBACK_HOURS ({} h):"
                        + " it looks back to {} only; for what finished before, run 'gantry backfill --since {}'",
                        Instant.ofEpochSecond((long) covered.coveredUntil()), setting.lookbackHours(),
                        Instant.ofEpochSecond(lookbackStart), Instant.ofEpochSecond(coveredFrom));
            }
            since = Math.max(since, coveredFrom);
        }
        return new Started(run.first(scan, since, JobsScan.DEFAULT_MAX_BUILD_HOURS * 3600L), true);
    }

    /** Records and reports a failed run; what was queued stays queued, the frontier stays where it was. */
    private void failed(double started, RunCost cost, Throwable e) {
        Failure failure = Failure.of(e);
        String reason = e instanceof UpstreamException ? e.getMessage() : e.toString();
        try {
            db.write(c -> {
                store.recordRun(c, new ReconciliationStore.Run(started, now(), false, reason, cost.requests(), cost.bytes(),
                        cost.jobsSeen(), 0));
                return null;
            });
        } catch (RuntimeException notRecorded) {
            e.addSuppressed(notRecorded);
        }
        listener.reconciled(new RunReport(false, failure, 0, cost.requests(), cost.bytes(), cost.jobsSeen(), now()));
    }

    /** One line for {@code /healthz} and {@code gantry info}: the setting, the last run and what it cost, the frontier. */
    public static String describe(ReconcileSetting setting, ReconciliationStore.Status status, double now) {
        if (!(setting instanceof ReconcileSetting.Every)) return setting.describe();
        StringBuilder line = new StringBuilder(setting.describe());
        Optional<ReconciliationStore.Run> last = status.lastRun();
        ReconciliationStore.Progress completed = status.lastCompleted();
        if (last.isEmpty() && completed == null) return line.append("; no run completed yet").toString();
        if (last.isPresent()) {
            ReconciliationStore.Run run = last.get();
            line.append("; last run ").append(Math.round(now - run.finishedAt())).append(" s ago (")
                    .append(Instant.ofEpochSecond((long) run.finishedAt())).append(") ")
                    .append(run.succeeded() ? "succeeded" : "failed: " + run.reason()).append(", ")
                    .append(run.requests()).append(" request(s), ").append(kib(run.bytes())).append(" KiB read, ")
                    .append(run.jobsSeen()).append(" job(s) seen, ").append(run.queued()).append(" queued");
            if (!run.succeeded()) {
                line.append(completed == null ? "; no run completed yet"
                        : "; last completed " + Math.round(now - completed.lastSuccessAt()) + " s ago");
            }
        } else {
            line.append("; last completed ").append(Math.round(now - completed.lastSuccessAt())).append(" s ago (")
                    .append(Instant.ofEpochSecond((long) completed.lastSuccessAt())).append("), ")
                    .append(completed.lastQueued()).append(" job(s) queued");
        }
        if (status.newestId() != null) {
            line.append("; frontier at job ").append(status.newestId()).append(", ").append(status.unfinished())
                    .append(" unfinished build(s) followed");
        }
        return line.toString();
    }

    private static long kib(long bytes) {
        return (bytes + 1023) / 1024;
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    @Override
    public void close() {
        running = false;
        worker.stopping();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        role.close();
    }
}
