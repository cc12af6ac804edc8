package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.spack.gantry.gitlab.ApiJob;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * Pages the GitLab jobs API's successful jobs and queues every eligible one finished in a
 * window that is neither stored nor queued: what {@code backfill} does, and the first
 * run of automatic reconciliation. Jobs are queued as the same {@link JobEvent} a webhook makes.
 */
public final class JobsScan {
    /** The longest a build may run and still be found: the jobs API lists by id, that is by creation, not by finish. */
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
    private final JobQueuer queuer;
    private final Tries tries;

    public JobsScan(GitLabClient gitlab, Database db, QueueStore queue, JobStore jobs, RetryPolicy retry,
            Sleeper sleeper, Clock clock) {
        this(gitlab, new JobQueuer(db, queue, jobs, clock), new Tries(retry, sleeper));
    }

    JobsScan(GitLabClient gitlab, JobQueuer queuer, Tries tries) {
        this.gitlab = gitlab;
        this.queuer = queuer;
        this.tries = tries;
    }

    /** The same scan, telling {@code beforeWait} how long each wait between tries will be. */
    JobsScan announcing(DoubleConsumer beforeWait) {
        return new JobsScan(gitlab, queuer, tries.announcing(beforeWait));
    }

    /** A reconciliation run on this scan's GitLab and queue. */
    FrontierRun frontierRun(Clock clock, RunCost cost) {
        return new FrontierRun(gitlab, queuer, tries, clock, cost);
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
        return run(since, until, maxBuildSeconds, source, retryFailed, listener, new RunCost());
    }

    Progress run(long since, long until, long maxBuildSeconds, String source, boolean retryFailed,
            ProgressListener listener, RunCost cost) throws UpstreamException, InterruptedException {
        long oldestCreation = since - maxBuildSeconds;
        JobsWalk walk = new JobsWalk(gitlab, GitLabClient.SUCCESS, cost, tries);
        int seen = 0;
        int queued = 0;
        int known = 0;
        int notBuilds = 0;
        for (List<ApiJob> page; (page = walk.next()) != null;) {
            boolean anyRecentEnough = false;
            List<JobQueuer.Found> inWindow = new ArrayList<>();
            for (ApiJob job : page) {
                seen++;
                Long created = createdAt(job);
                if (created == null || created >= oldestCreation) anyRecentEnough = true;
                JobQueuer.Found found = queuer.admit(job);
                if (found == null) {
                    notBuilds++;
                    continue;
                }
                JobEvent e = found.event();
                if (e.finishedAt() < since || e.finishedAt() > until) continue;
                inWindow.add(found);
            }
            int added = queuer.queue(inWindow, source, retryFailed);
            queued += added;
            known += inWindow.size() - added;
            listener.update(new Progress(walk.pages(), seen, queued, known, notBuilds, false));
            // by id, newest first: a page of jobs all created before the oldest that could finish in the window ends it
            if (!anyRecentEnough) break;
        }
        Progress last = new Progress(walk.pages(), seen, queued, known, notBuilds, true);
        listener.update(last);
        return last;
    }

    /** When the job was created (or, lacking that, started or finished), or null when it says none. */
    static Long createdAt(ApiJob job) {
        for (String field : new String[] {"created_at", "started_at", "finished_at"}) {
            JsonElement e = job.kept().get(field);
            if (e != null && e.isJsonPrimitive()) {
                Long t = Timestamps.parse(e.getAsString());
                if (t != null) return t;
            }
        }
        return null;
    }
}
