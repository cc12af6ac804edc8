package org.spack.gantry.collect;

import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.HostLock;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * Finds by itself the jobs no webhook delivered (GitLab does not redeliver, and disables a
 * hook after 4 failures in a row): every interval, the jobs API's successful jobs finished
 * since the last completed run (less an overlap) are queued unless stored or queued.
 * Where it got to is kept in the database, so a restart neither repeats nor skips a window;
 * the first run ever, and a gap longer than that, look back {@code lookbackSeconds}.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** Jobs that finished just before a run may reach the jobs API after it, and clocks differ. */
    static final long OVERLAP_SECONDS = 15 * 60;
    /** After failures, wait up to this many intervals before the next run. */
    private static final int MAX_BACKOFF_FACTOR = 8;

    /** Told of each run, for metrics. */
    public interface Listener {
        /** @param result {@code success} or {@code failure} */
        void reconciled(String result, int queued, double at);

        Listener NONE = (result, queued, at) -> {};
    }

    /**
     * The PostgreSQL advisory lock key of the reconciliation role ({@link org.spack.gantry.store.HostLock}):
     * one host of a fleet runs it. Every release must use the same number.
     */
    public static final long HOST_LOCK = 0x67616e7472790001L;

    private final JobsScan scan;
    private final Database db;
    private final HostLock role;
    private final ReconciliationStore store;
    private final long intervalSeconds;
    private final long lookbackSeconds;
    private final Listener listener;
    private final Runnable onQueued;
    private final Clock clock;
    private final Thread thread = new Thread(this::loop, "reconcile");
    private volatile boolean running = true;

    public Reconciler(JobsScan scan, Database db, HostLock role, ReconciliationStore store, long intervalSeconds,
            long lookbackSeconds, Listener listener, Runnable onQueued, Clock clock) {
        this.scan = scan;
        this.db = db;
        this.role = role;
        this.store = store;
        this.intervalSeconds = intervalSeconds;
        this.lookbackSeconds = lookbackSeconds;
        this.listener = listener;
        this.onQueued = onQueued;
        this.clock = clock;
        thread.setDaemon(true);
    }

    public Reconciler start() {
        thread.start();
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
            } catch (UpstreamException | RuntimeException e) {
                failures++;
                listener.reconciled("failure", 0, now());
                log.warn("reconciliation with the GitLab jobs API failed ({} in a row), next in {} s: {}", failures,
                        delay(failures), e.getMessage());
            }
            try {
                Thread.sleep(delay(failures) * 1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private long delay(int failures) {
        return intervalSeconds * Math.min(MAX_BACKOFF_FACTOR, 1L << Math.min(failures, 3));
    }

    /** One run: queues what is missing in the window and records how far it got. */
    int runOnce() throws UpstreamException, InterruptedException {
        double started = now();
        long until = (long) Math.floor(started);
        ReconciliationStore.Progress last = db.read(store::progress);
        long since = until - lookbackSeconds;
        if (last != null) {
            since = Math.max(since, (long) Math.floor(last.coveredUntil()) - OVERLAP_SECONDS);
        }
        JobsScan.Progress p = scan.run(since, until, JobsScan.DEFAULT_MAX_BUILD_HOURS * 3600L, "reconcile", false,
                JobsScan.ProgressListener.NONE);
        db.write(c -> {
            store.completed(c, new ReconciliationStore.Progress(until, now(), p.queued()));
            return null;
        });
        listener.reconciled("success", p.queued(), now());
        if (p.queued() > 0) {
            // WARN: webhooks were lost; GitLab disables a hook after 4 failed deliveries in a row
            log.warn("reconciliation queued {} job(s) that no webhook delivered (finished {} .. {}; {} job(s) on {} page(s));"
                    + " if this repeats, check the project's webhook in GitLab (it is disabled after 4 failed deliveries)",
                    p.queued(), Instant.ofEpochSecond(since), Instant.ofEpochSecond(until), p.seen(), p.page());
            onQueued.run();
        } else {
            log.debug("reconciliation found nothing missing ({} job(s) on {} page(s))", p.seen(), p.page());
        }
        return p.queued();
    }

    /** One line for {@code /healthz} and {@code gantry info}: the setting, and the last completed run. */
    public static String describe(String configured, ReconciliationStore.Progress last, double now) {
        if (!configured.startsWith("enabled")) return configured;
        if (last == null) return configured + "; no run completed yet";
        return configured + "; last completed " + Math.round(now - last.lastSuccessAt()) + " s ago ("
                + Instant.ofEpochSecond((long) last.lastSuccessAt()) + "), " + last.lastQueued() + " job(s) queued";
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        role.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
