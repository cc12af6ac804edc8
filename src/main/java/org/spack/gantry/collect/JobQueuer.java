package org.spack.gantry.collect;

import java.time.Clock;
import java.util.List;
import org.spack.gantry.gitlab.ApiJob;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;

/**
 * Queues successful jobs the jobs API listed, exactly as their webhooks would have: each
 * read once into a {@link JobEvent}, and queued unless stored or queued already, whoever
 * got there first (the queue holds one row per build).
 */
final class JobQueuer {
    private final Database db;
    private final QueueStore queue;
    private final JobStore jobs;
    private final Clock clock;
    private final JobEventReader reader = new JobEventReader();

    JobQueuer(Database db, QueueStore queue, JobStore jobs, Clock clock) {
        this.db = db;
        this.queue = queue;
        this.jobs = jobs;
        this.clock = clock;
    }

    /** An eligible successful job, and the document stored with it (the fields it was read from). */
    record Found(JobEvent event, String document) {}

    /** The job as collection would see it, or null when it is never collected (not a build, no runner, ...). */
    Found admit(ApiJob job) {
        return reader.fromApi(job.kept()) instanceof Admission.Admitted admitted
                ? new Found(admitted.event(), job.document()) : null;
    }

    /**
     * Queues what is neither stored nor queued, in one transaction (begun IMMEDIATE: it reads, then writes).
     * @param source recorded with each: {@code backfill} or {@code reconcile}
     * @param retryFailed whether a job whose collection failed is queued again (an operator's backfill)
     * @return how many were queued
     */
    int queue(List<Found> found, String source, boolean retryFailed) {
        if (found.isEmpty()) return 0;
        double now = clock.millis() / 1000.0;
        return db.write(c -> {
            int added = 0;
            for (Found f : found) {
                JobEvent e = f.event();
                if (jobs.exists(c, e.buildId())) continue;
                boolean isNew = retryFailed
                        ? queue.enqueueOrRetryFailed(c, e.buildId(), e.startedAt(), e.finishedAt(), e.ref(), source,
                                f.document(), now)
                        : queue.enqueue(c, e.buildId(), e.startedAt(), e.finishedAt(), e.ref(), source, f.document(), now);
                if (isNew) added++;
            }
            return added;
        });
    }
}
