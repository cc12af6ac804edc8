package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * Pages the GitLab jobs API and queues every eligible successful job finished in a
 * window that is neither stored nor queued: what {@code backfill} and automatic
 * reconciliation both do. Jobs are queued as the same {@link JobEvent} a webhook makes.
 */
public final class JobsScan {
    private static final Logger log = LoggerFactory.getLogger(JobsScan.class);
    /** The longest build the window allows for (the jobs API lists by id, that is by creation, not by finish). */
    public static final int DEFAULT_MAX_BUILD_HOURS = 48;

    /** Where the walk is, after each page. */
    public record Progress(int page, int seen, int queued, int alreadyKnown, int notBuilds, boolean done) {}

    public interface ProgressListener {
        void update(Progress p);

        ProgressListener NONE = p -> {};
    }

    /** Waits between tries; interrupted when the process stops. */
    public interface Sleeper {
        void sleep(double seconds) throws InterruptedException;

        Sleeper THREAD = seconds -> Thread.sleep(Math.round(seconds * 1000));
    }

    private final GitLabClient gitlab;
    private final Database db;
    private final QueueStore queue;
    private final JobStore jobs;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final Clock clock;
    private final JobEventReader reader = new JobEventReader();

    public JobsScan(GitLabClient gitlab, Database db, QueueStore queue, JobStore jobs, RetryPolicy retry,
            Sleeper sleeper, Clock clock) {
        this.gitlab = gitlab;
        this.db = db;
        this.queue = queue;
        this.jobs = jobs;
        this.retry = retry;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /**
     * Queues the jobs that finished in [since, until] (unix seconds), paging back until
     * the jobs were created before {@code since - maxBuildSeconds}.
     *
     * @param source recorded with each queued job: {@code backfill} or {@code reconcile}
     * @param retryFailed whether a job whose collection failed is queued again (an operator's backfill)
     */
    public Progress run(long since, long until, long maxBuildSeconds, String source, boolean retryFailed,
            ProgressListener listener) throws UpstreamException, InterruptedException {
        long oldestCreation = since - maxBuildSeconds;
        boolean keyset = true;
        URI next = gitlab.firstJobsPage(true);
        int page = 0;
        int seen = 0;
        int queued = 0;
        int known = 0;
        int notBuilds = 0;
        while (next != null) {
            GitLabClient.JobsPage p;
            try {
                p = fetch(next);
            } catch (GitLabClient.KeysetRefused refused) {
                if (page > 0 || !keyset) throw refused;
                log.info("GitLab refused keyset pagination ({}); paging by offset", refused.getMessage());
                keyset = false;
                next = gitlab.firstJobsPage(false);
                continue;
            }
            page++;
            boolean anyRecentEnough = false;
            List<JobEvent> inWindow = new ArrayList<>();
            List<String> documents = new ArrayList<>();
            for (JsonElement element : p.jobs()) {
                seen++;
                if (!element.isJsonObject()) {
                    notBuilds++;
                    continue;
                }
                JsonObject job = element.getAsJsonObject();
                Long created = createdAt(job);
                if (created == null || created >= oldestCreation) anyRecentEnough = true;
                Admission a = reader.fromApi(job);
                if (!(a instanceof Admission.Admitted admitted)) {
                    notBuilds++;
                    continue;
                }
                JobEvent e = admitted.event();
                if (e.finishedAt() < since || e.finishedAt() > until) continue;
                inWindow.add(e);
                documents.add(job.toString());
            }
            int added = queue(inWindow, documents, source, retryFailed);
            queued += added;
            known += inWindow.size() - added;
            listener.update(new Progress(page, seen, queued, known, notBuilds, false));
            // by id, newest first: a page of jobs all created before the oldest that could finish in the window ends it
            if (p.jobs().isEmpty() || !anyRecentEnough) break;
            next = p.next();
        }
        Progress last = new Progress(page, seen, queued, known, notBuilds, true);
        listener.update(last);
        return last;
    }

    /** One page, tried again after a transient failure (at least Retry-After later after a 429). */
    private GitLabClient.JobsPage fetch(URI page) throws UpstreamException, InterruptedException {
        for (int attempt = 1;; attempt++) {
            try {
                return gitlab.jobsPage(page);
            } catch (UpstreamException e) {
                if (!e.isTransient() || !retry.mayRetry(attempt)) throw e;
                double delay = retry.delayAfter(attempt, e.retryAfter());
                log.warn("{}; try {} of {} for a page of the jobs API, next in {} s", e.getMessage(), attempt,
                        retry.maxAttempts(), Math.round(delay));
                sleeper.sleep(delay);
            }
        }
    }

    /** Queues what is neither stored nor queued, in one transaction (begun IMMEDIATE: it reads, then writes). */
    private int queue(List<JobEvent> events, List<String> documents, String source, boolean retryFailed) {
        if (events.isEmpty()) return 0;
        double now = clock.millis() / 1000.0;
        return db.write(c -> {
            int added = 0;
            for (int i = 0; i < events.size(); i++) {
                JobEvent e = events.get(i);
                if (jobs.exists(c, e.buildId())) continue;
                boolean isNew = retryFailed
                        ? queue.enqueueOrRetryFailed(c, e.buildId(), e.startedAt(), e.finishedAt(), e.ref(), source,
                                documents.get(i), now)
                        : queue.enqueue(c, e.buildId(), e.startedAt(), e.finishedAt(), e.ref(), source, documents.get(i), now);
                if (isNew) added++;
            }
            return added;
        });
    }

    private static Long createdAt(JsonObject job) {
        for (String field : new String[] {"created_at", "started_at", "finished_at"}) {
            JsonElement e = job.get(field);
            if (e != null && e.isJsonPrimitive()) {
                Long t = Timestamps.parse(e.getAsString());
                if (t != null) return t;
            }
        }
        return null;
    }
}
