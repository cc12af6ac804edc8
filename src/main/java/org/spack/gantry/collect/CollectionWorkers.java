package org.spack.gantry.collect;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * Threads that take acknowledged events from the queue, collect them and record
 * exactly one outcome each. The job, its node and the outcome are written in one
 * transaction, so a crash leaves an event either done or still queued.
 */
public final class CollectionWorkers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionWorkers.class);
    private static final long IDLE_POLL_MS = 1_000;
    private static final long ABANDON_WAIT_MS = 3_000;

    private final Database db;
    private final QueueStore queue;
    private final JobStore jobs;
    private final NodeStore nodes;
    private final Collector collector;
    private final WebhookParser parser = new WebhookParser();
    private final RetryPolicy retry;
    private final CollectionListener listener;
    private final Clock clock;
    private final int threadCount;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private final AtomicInteger released = new AtomicInteger();

    public CollectionWorkers(Database db, QueueStore queue, JobStore jobs, NodeStore nodes, Collector collector,
            RetryPolicy retry, CollectionListener listener, Clock clock, int threadCount) {
        this.db = db;
        this.queue = queue;
        this.jobs = jobs;
        this.nodes = nodes;
        this.collector = collector;
        this.retry = retry;
        this.listener = listener;
        this.clock = clock;
        this.threadCount = threadCount;
    }

    public void start() {
        int released = db.write(queue::releaseRunning);
        if (released > 0) {
            log.warn("{} event(s) were being collected when Gantry last stopped; collecting them again", released);
        }
        running = true;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::loop, "collect-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Wakes the idle workers: events were just queued. */
    public void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            QueueStore.Claimed claimed;
            try {
                claimed = db.write(c -> queue.claimNext(c, now()));
            } catch (RuntimeException e) {
                log.error("cannot read the collection queue: {}", e.getMessage());
                sleepUntilWoken();
                continue;
            }
            if (claimed == null) {
                sleepUntilWoken();
                continue;
            }
            // the job id on every line logged while collecting it (a field of its own in JSON lines)
            try (org.slf4j.MDC.MDCCloseable job = org.slf4j.MDC.putCloseable("job", Long.toString(claimed.buildId()))) {
                process(claimed);
            } catch (RuntimeException e) {
                // the outcome could not be written (the database refused it): the event stays
                // claimed and goes back to the queue at the next start; this thread carries on
                log.error("job {}: cannot record the outcome of its collection: {}", claimed.buildId(), e.getMessage());
                sleepUntilWoken();
            }
        }
    }

    private void process(QueueStore.Claimed claimed) {
        long id = claimed.buildId();
        Collector.Result result;
        try {
            WebhookParser.Parsed parsed = parser.parse(claimed.payload());
            if (parsed.event() == null) {
                finish(id, Outcome.skipped("not a successful job"));
                return;
            }
            result = collector.collect(parsed.event());
        } catch (UpstreamException e) {
            upstreamFailed(claimed, e);
            return;
        } catch (InvalidWebhookException e) {
            finish(id, Outcome.failed("stored payload unreadable: " + e.getMessage(), "invalid_payload"));
            return;
        } catch (RuntimeException e) {
            log.error("job {}: unexpected error while collecting", id, e);
            finish(id, Outcome.failed("internal error: " + e, "internal_error"));
            return;
        }
        if (result instanceof Collector.Skipped s) {
            finish(id, Outcome.skipped(s.reason()));
        } else if (result instanceof Collector.Found f) {
            store(id, f.collected());
        }
    }

    private void upstreamFailed(QueueStore.Claimed claimed, UpstreamException e) {
        long id = claimed.buildId();
        int attempts = claimed.attempts() + 1;
        String upstream = e.upstream().toLowerCase(Locale.ROOT);
        if (e.isTransient() && !running) {
            // stopping: not this event's fault, so the try does not count
            db.write(c -> {
                queue.release(c, id);
                return null;
            });
            released.incrementAndGet();
            log.info("job {} put back in the queue: Gantry is stopping ({})", id, e.getMessage());
        } else if (e.isTransient() && retry.mayRetry(attempts)) {
            double delay = retry.delayAfter(attempts, e.retryAfter());
            log.warn("job {}: {}; try {} of {} failed, next in {} s", id, e.getMessage(), attempts, retry.maxAttempts(),
                    Math.round(delay));
            db.write(c -> {
                queue.retryAt(c, id, e.getMessage(), now() + delay);
                return null;
            });
            listener.retry(upstream);
        } else {
            log.error("job {} not collected: {} ({})", id, e.getMessage(), e.isTransient()
                    ? "gave up after " + attempts + " tries" : "not retried: the answer will not change");
            finish(id, Outcome.failed(e.getMessage(), upstream + (e.isTransient() ? "_unavailable" : "_error")));
        }
    }

    private void store(long id, CollectedJob found) {
        Outcome outcome = db.write(c -> {
            long nodeId = found.newNode() != null
                    ? nodes.insertOrFind(c, found.newNode())
                    : requireNode(nodes.findByUuid(c, found.nodeUuid()), found.nodeUuid());
            Outcome o = jobs.insert(c, found.job(), nodeId) ? Outcome.inserted() : Outcome.skipped("already stored");
            queue.finish(c, id, o.state(), o.reason(), now());
            return o;
        });
        log.info("job {} {} ({} {}@{})", id, outcome, found.job().pod(), found.job().pkgName(), found.job().pkgVersion());
        listener.outcome(outcome);
    }

    private static long requireNode(Long id, String uuid) throws java.sql.SQLException {
        if (id == null) throw new java.sql.SQLException("node " + uuid + " disappeared during collection");
        return id;
    }

    private void finish(long id, Outcome outcome) {
        db.write(c -> {
            queue.finish(c, id, outcome.state(), outcome.reason(), now());
            return null;
        });
        log.info("job {} {}", id, outcome);
        listener.outcome(outcome);
    }

    private void sleepUntilWoken() {
        lock.lock();
        try {
            if (running) {
                wake.await(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (!joinAll(graceMs)) {
            log.warn("collections still under way after {} ms: abandoning their upstream calls", graceMs);
            abandon.run();
            if (!joinAll(ABANDON_WAIT_MS)) {
                log.error("a collection thread did not stop; its event goes back to the queue at the next start");
            }
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
