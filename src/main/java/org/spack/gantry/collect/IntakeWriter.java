package org.spack.gantry.collect;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.FailedJobStore;
import org.spack.gantry.store.PipelineStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.worker.Worker;

/**
 * Group commit for the webhook queue. A webhook may be answered 200 only once it is
 * on disk, and a transaction per webhook costs an fsync each. One thread instead
 * writes everything that arrived while the previous batch was being committed, in a
 * single transaction, and completes each webhook only after its batch is committed.
 * Under light load a batch is one event and waits for nothing; under heavy load many
 * webhooks share one fsync.
 */
public final class IntakeWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntakeWriter.class);
    private static final int MAX_BATCH = 1_000;
    /** Beyond this many webhooks waiting for the disk, answer 503 at once rather than pile up memory. */
    private static final int MAX_WAITING = 20_000;
    private static final long POLL_MS = 100;
    /** The longest one commit may wait for the database before the worker counts as stuck. */
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    /** What one webhook asks to record: a job, or a failed pipeline. */
    public sealed interface Entry permits Arrival, PipelineArrival {}

    /**
     * A job to record as it arrived: admitted (queued for collection, or to be looked at for
     * an OOM kill when it failed) or invalid (recorded as skipped), with its source and the
     * document it came in.
     */
    public record Arrival(Admission admission, String source, String document) implements Entry {
        public Arrival {
            if (admission instanceof Admission.Dropped) {
                throw new IllegalArgumentException("a dropped job is not recorded");
            }
        }

        long buildId() {
            if (admission instanceof Admission.Admitted a) return a.event().buildId();
            if (admission instanceof Admission.AdmittedFailure f) return f.job().buildId();
            return ((Admission.Invalid) admission).buildId();
        }
    }

    /** A failed pipeline: recorded with its failed build jobs, each queued to be looked at for an OOM kill. */
    public record PipelineArrival(FailedPipeline pipeline) implements Entry {}

    private record Pending(Entry entry, CompletableFuture<Boolean> added) {}

    private final Database db;
    private final QueueStore queue;
    private final FailedJobStore failedJobs = new FailedJobStore();
    private final PipelineStore pipelines = new PipelineStore();
    private final Runnable onQueued;
    private final Clock clock;
    private final BlockingQueue<Pending> waiting = new ArrayBlockingQueue<>(MAX_WAITING);
    private final Worker worker;
    private Thread thread;
    private volatile boolean open = true;

    /** @param onQueued told after each commit that added at least one event (wakes the workers) */
    public IntakeWriter(Database db, QueueStore queue, Runnable onQueued, Worker worker, Clock clock) {
        this.db = db;
        this.queue = queue;
        this.onQueued = onQueued;
        this.worker = worker;
        this.clock = clock;
    }

    public IntakeWriter start() {
        thread = worker.start("intake-writer", PATIENCE, this::run);
        return this;
    }

    /**
     * Queues the event; the result completes once it is committed: true when added,
     * false when that build (or pipeline) was already queued or done. Completes
     * exceptionally when the event is not on disk.
     */
    public CompletableFuture<Boolean> write(Entry entry) {
        CompletableFuture<Boolean> added = new CompletableFuture<>();
        if (!open) {
            added.completeExceptionally(new IllegalStateException("Gantry is stopping"));
        } else if (!waiting.offer(new Pending(entry, added))) {
            added.completeExceptionally(new IllegalStateException(
                    MAX_WAITING + " webhooks are already waiting for the database"));
        }
        return added;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (open || !waiting.isEmpty()) {
            worker.progressed(Duration.ofMillis(POLL_MS).plus(PATIENCE));
            Pending first;
            try {
                first = waiting.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (first == null) continue;
            batch.add(first);
            waiting.drainTo(batch, MAX_BATCH - 1);
            if (commit(batch) > 0) {
                onQueued.run();
            }
            batch.clear();
        }
    }

    /** Commits the batch in one transaction; how many events were new. */
    private int commit(List<Pending> batch) {
        double now = clock.millis() / 1000.0;
        List<Boolean> added;
        try {
            added = db.write(c -> {
                List<Boolean> results = new ArrayList<>(batch.size());
                for (Pending p : batch) {
                    results.add(record(c, p.entry(), now));
                }
                return results;
            });
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).added().completeExceptionally(e);
                return 0;
            }
            // whatever the database refused, one event must not cost the others their 200
            log.debug("a batch of {} webhooks failed ({}); writing them one by one", batch.size(), e.getMessage());
            int count = 0;
            for (Pending p : batch) {
                count += commit(List.of(p));
            }
            return count;
        }
        int count = 0;
        for (int i = 0; i < batch.size(); i++) {
            boolean isNew = added.get(i);
            if (isNew) count++;
            batch.get(i).added().complete(isNew);
        }
        return count;
    }

    private boolean record(java.sql.Connection c, Entry entry, double now) throws java.sql.SQLException {
        if (entry instanceof PipelineArrival p) {
            FailedPipeline f = p.pipeline();
            boolean added = pipelines.record(c, f.pipelineId(), f.ref(),
                    f.failedJobs().stream().map(FailedJob::buildId).toList(), now);
            for (FailedJob job : f.failedJobs()) {
                // the hook's body is not kept whole (it lists every job of the pipeline): what was read of the job
                String document = "{\"pipeline_id\": " + f.pipelineId() + ", \"build_id\": " + job.buildId()
                        + ", \"build_status\": \"" + FailedJob.STATUS + "\"}";
                queueFailure(c, job, "pipeline", document, now);
            }
            return added;
        }
        Arrival a = (Arrival) entry;
        if (a.admission() instanceof Admission.Admitted admitted) {
            JobEvent e = admitted.event();
            return queue.enqueue(c, e.buildId(), e.startedAt(), e.finishedAt(), e.ref(), a.source(), a.document(), now);
        }
        if (a.admission() instanceof Admission.AdmittedFailure failure) {
            return queueFailure(c, failure.job(), a.source(), a.document(), now);
        }
        Admission.Invalid invalid = (Admission.Invalid) a.admission();
        return queue.recordSkipped(c, invalid.buildId(), a.source(), a.document(), QueueStore.INVALID_PREFIX + invalid.reason(), now);
    }

    /** Keeps a failed job's facts and queues it, to be looked at once Prometheus surely has its end. */
    private boolean queueFailure(java.sql.Connection c, FailedJob job, String source, String document, double now)
            throws java.sql.SQLException {
        failedJobs.insert(c, new FailedJobStore.Facts(job.buildId(), job.startedAt(), job.finishedAt(), job.ref(),
                job.pipelineId()));
        return queue.enqueueFailed(c, job.buildId(), source, document, now, Math.max(now, job.dueAt()));
    }

    /** Commits what is already waiting, then refuses new events. */
    @Override
    public void close() {
        open = false;
        worker.stopping();
        try {
            if (thread != null) thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever raced past the door while closing gets an answer too: not stored
        Pending left;
        while ((left = waiting.poll()) != null) {
            left.added().completeExceptionally(new IllegalStateException("Gantry is stopping"));
        }
    }
}
