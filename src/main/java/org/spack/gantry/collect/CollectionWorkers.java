package org.spack.gantry.collect;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.store.FailedJobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.UpstreamException;
import org.spack.gantry.worker.Wakeup;
import org.spack.gantry.worker.Worker;

/**
 * Threads that take acknowledged events from the queue, collect them and record
 * exactly one outcome each. The job, its node and the outcome are written in one
 * transaction, so a crash leaves an event either done or still queued.
 */
public final class CollectionWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionWorkers.class);
    private static final long IDLE_POLL_MS = 1_000;
    private static final long ABANDON_WAIT_MS = 3_000;
    /** The longest one collection (its Prometheus queries, each with its timeout) may take before the pool counts as stuck. */
    private static final Duration PATIENCE = Duration.ofMinutes(15);

    private final Database db;
    private final QueueStore queue;
    private final Collector collector;
    private final OutcomeWriter writer;
    private final JobEventReader reader = new JobEventReader();
    private final FailedJobStore failedJobs = new FailedJobStore();
    private final RetryPolicy retry;
    private final CollectionListener listener;
    private final Clock clock;
    private final int threadCount;
    private final double leaseSeconds;
    private final boolean sharedDatabase;
    /** The claims this process holds, whose leases it renews. */
    private final java.util.Map<Long, QueueStore.Claimed> held = new java.util.concurrent.ConcurrentHashMap<>();
    private final Worker worker;
    private Thread renewer;
    private final Wakeup wakeup = new Wakeup();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private final AtomicInteger released = new AtomicInteger();

    public CollectionWorkers(Database db, QueueStore queue, Collector collector, OutcomeWriter writer,
            RetryPolicy retry, CollectionListener listener, Clock clock, int threadCount, Lease lease, Worker worker) {
        this.db = db;
        this.worker = worker;
        this.queue = queue;
        this.collector = collector;
        this.writer = writer;
        this.retry = retry;
        this.listener = listener;
        this.clock = clock;
        this.threadCount = threadCount;
        this.leaseSeconds = lease.seconds();
        this.sharedDatabase = lease.sharedDatabase();
    }

    /**
     * How long a claim holds an event before another process may take it over; renewed every
     * third of it while the collection runs. With a shared database (PostgreSQL) the events
     * other hosts left running are theirs until their leases expire; with this host's own
     * file, those running at the start were left by this host's previous process.
     */
    public record Lease(double seconds, boolean sharedDatabase) {}

    public void start() {
        QueueStore.Released released = sharedDatabase ? new QueueStore.Released(0, 0)
                : db.write(c -> queue.releaseRunning(c, retry.maxAttempts(), now()));
        if (released.requeued() > 0) {
            log.warn("{} event(s) were being collected when Gantry last stopped; collecting them again",
                    released.requeued());
        }
        if (released.failed() > 0) {
            // each of these was being collected at every one of its tries when the process died
            log.error("{} event(s) failed: the process stopped while collecting them {} times",
                    released.failed(), retry.maxAttempts());
            for (int i = 0; i < released.failed(); i++) {
                listener.outcome(Outcome.failed("interrupted", "interrupted"));
            }
        }
        running = true;
        renewer = worker.start("collect-leases", PATIENCE, this::renewLeases);
        for (int i = 0; i < threadCount; i++) {
            threads.add(worker.start("collect-" + (i + 1), this::loop));
        }
    }

    /** Wakes the idle workers: events were just queued. */
    public void signal() {
        wakeup.signal();
    }

    private void loop() {
        while (running) {
            // any thread's progress is the pool's: stuck threads show once every one of them is
            worker.progressed(PATIENCE);
            QueueStore.Claimed claimed;
            try {
                int[] abandoned = new int[1];
                claimed = db.write(c -> {
                    abandoned[0] = queue.failAbandoned(c, retry.maxAttempts(), now());
                    return queue.claimNext(c, now(), now() + leaseSeconds, retry.maxAttempts());
                });
                if (abandoned[0] > 0) {
                    log.error("{} event(s) failed: a process stopped while collecting them {} times", abandoned[0],
                            retry.maxAttempts());
                    for (int i = 0; i < abandoned[0]; i++) listener.outcome(Outcome.failed("interrupted", "interrupted"));
                }
            } catch (RuntimeException e) {
                log.error("cannot claim an event from the collection queue", e);
                sleepUntilWoken();
                continue;
            }
            if (claimed == null) {
                sleepUntilWoken();
                continue;
            }
            // the job id on every line logged while collecting it (a field of its own in JSON lines)
            held.put(claimed.buildId(), claimed);
            try (org.slf4j.MDC.MDCCloseable job = org.slf4j.MDC.putCloseable("job", Long.toString(claimed.buildId()))) {
                process(claimed);
            } catch (RuntimeException e) {
                if (e.getCause() instanceof QueueStore.LostClaimException lost) {
                    // another process took it over after this one's lease expired: the outcome is its to record
                    log.warn("job {}: {}; nothing of this try was written", claimed.buildId(), lost.getMessage());
                } else {
                    // the outcome could not be written (the database refused it): the event stays claimed
                    // and is collected again once its lease expires; this thread carries on
                    log.error("job {}: cannot record the outcome of its collection", claimed.buildId(), e);
                    sleepUntilWoken();
                }
            } finally {
                held.remove(claimed.buildId());
            }
        }
    }

    private void process(QueueStore.Claimed claimed) {
        long id = claimed.buildId();
        Collector.Result result;
        try {
            if (claimed.failed()) {
                FailedJob failed = failedJob(claimed);
                if (failed == null) return;
                result = collector.collectFailure(failed);
            } else {
                JobEvent event = event(claimed);
                if (event == null) return;
                result = collector.collect(event);
            }
        } catch (UpstreamException e) {
            upstreamFailed(claimed, e);
            return;
        } catch (RuntimeException e) {
            log.error("job {}: unexpected error while collecting", id, e);
            writer.finish(claimed, Outcome.failed("internal error: " + e, "internal_error"));
            return;
        }
        writer.write(claimed, result);
    }

    /** A failed job's facts, as they arrived; null when finished here. */
    private FailedJob failedJob(QueueStore.Claimed claimed) {
        FailedJobStore.Facts f = db.read(c -> failedJobs.facts(c, claimed.buildId()));
        if (f == null) {
            writer.finish(claimed, Outcome.failed("the failed job's facts are missing", "invalid_payload"));
            return null;
        }
        return new FailedJob(f.buildId(), f.start(), f.end(), f.ref(), f.pipelineId());
    }

    /** The claimed job; for a row a previous release queued (a webhook body only), read from it. Null when finished here. */
    private JobEvent event(QueueStore.Claimed claimed) {
        if (claimed.startedAt() != null && claimed.finishedAt() != null && claimed.ref() != null) {
            return new JobEvent(claimed.buildId(), claimed.startedAt(), claimed.finishedAt(), claimed.ref());
        }
        Admission a;
        try {
            a = reader.fromWebhook(claimed.payload());
        } catch (InvalidWebhookException e) {
            writer.finish(claimed, Outcome.failed("stored payload unreadable: " + e.getMessage(), "invalid_payload"));
            return null;
        }
        if (a instanceof Admission.Admitted admitted) return admitted.event();
        writer.finish(claimed, Outcome.skipped(a instanceof Admission.Dropped d ? d.reason()
                : QueueStore.INVALID_PREFIX + ((Admission.Invalid) a).reason()));
        return null;
    }

    private void upstreamFailed(QueueStore.Claimed claimed, UpstreamException e) {
        long id = claimed.buildId();
        int attempts = claimed.attempts() + 1;
        if (e.isTransient() && !running) {
            // stopping: not this event's fault, so the try does not count
            db.write(c -> {
                queue.release(c, claimed, now());
                return null;
            });
            released.incrementAndGet();
            log.info("job {} put back in the queue: Gantry is stopping ({})", id, e.getMessage());
        } else if (e.isTransient() && retry.mayRetry(attempts)) {
            double delay = retry.delayAfter(attempts, e.retryAfter());
            log.warn("job {}: {}; try {} of {} failed, next in {} s", id, e.getMessage(), attempts, retry.maxAttempts(),
                    Math.round(delay));
            db.write(c -> {
                queue.retryAt(c, claimed, e.getMessage(), now() + delay);
                return null;
            });
            listener.retry(e.upstream());
        } else {
            log.error("job {} not collected: {} ({})", id, e.getMessage(), e.isTransient()
                    ? "gave up after " + attempts + " tries" : "not retried: the answer will not change");
            writer.finish(claimed, Outcome.failed(e.getMessage(), e.upstream().label() + (e.isTransient() ? "_unavailable" : "_error")));
        }
    }

    /** Every third of the lease, extends the leases of the claims under way, so that no other process takes them. */
    private void renewLeases() {
        long everyMs = Math.max(100, (long) (leaseSeconds * 1000 / 3));
        while (running || !held.isEmpty()) {
            try {
                Thread.sleep(everyMs);
            } catch (InterruptedException e) {
                return;
            }
            for (QueueStore.Claimed claimed : held.values()) {
                try {
                    if (!db.write(c -> queue.renew(c, claimed, now() + leaseSeconds))) {
                        held.remove(claimed.buildId());
                    }
                } catch (DatabaseException e) {
                    // the database is away: the lease is renewed on the next round, or expires and the job is collected again
                    log.warn("job {}: cannot renew the lease of its collection: {}", claimed.buildId(), e.getMessage());
                } catch (RuntimeException e) {
                    log.error("job {}: unexpected error while renewing the lease of its collection", claimed.buildId(), e);
                }
            }
        }
    }

    private void sleepUntilWoken() {
        if (!wakeup.nap(IDLE_POLL_MS)) running = false;
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    /**
     * Stops taking events and gives those in flight {@code graceMs} to finish; then
     * runs {@code abandon} (which makes their upstream calls fail at once, so that they
     * go back to the queue) and waits a little more. Returns how many were put back.
     */
    public int stop(long graceMs, Runnable abandon) {
        running = false;
        worker.stopping();
        wakeup.stop();
        if (!joinAll(graceMs)) {
            log.warn("collections still under way after {} ms: abandoning their upstream calls", graceMs);
            abandon.run();
            if (!joinAll(ABANDON_WAIT_MS)) {
                log.error("a collection thread did not stop; its event goes back to the queue at the next start");
            }
        }
        if (renewer != null) {
            renewer.interrupt();
        }
        return released.get();
    }

    private boolean joinAll(long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, deadline - System.currentTimeMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (t.isAlive()) return false;
        }
        return true;
    }

    @Override
    public void close() {
        stop(10_000, () -> {});
    }
}
