package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.spack.gantry.gitlab.ApiJob;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.upstream.UpstreamException;

/**
 * One reconciliation run, costing GitLab what changed since the previous one.
 *
 * <p>The jobs API lists jobs by id, newest first, and ids follow creation, not finish;
 * {@code scope[]=success} hides the jobs still running. So the frontier is kept by id:
 * every job up to {@code newestId} was seen finished (and queued, if an eligible
 * success), or is a build that was not finished yet and is remembered as such. A run
 * then asks for
 * <ol>
 * <li>the jobs not finished now ({@code scope[]=created|pending|running|waiting_for_resource},
 * every page: as many as run or wait), so that a remembered build no longer among them
 * has finished since;</li>
 * <li>every job newer than the frontier (no scope: whatever their status), down to the
 * frontier less a margin for jobs committed late, and further while the builds that
 * finished since are fewer pages away than they are in number;</li>
 * <li>each build that finished since and was not on those pages, alone
 * ({@code GET /projects/:id/jobs/:job_id}): typically the few long ones.</li>
 * </ol>
 * Every successful one is queued, unless stored or queued already; the frontier moves
 * to the newest job seen. A first run (no frontier yet) finds the unfinished builds and
 * queues the successful jobs of a window instead, as {@code backfill} does.
 */
final class FrontierRun {
    /** Jobs created this long before the previous run's listing are looked at again: a job committed late keeps a lower id. */
    static final long MARGIN_SECONDS = 5 * 60;
    static final String SOURCE = "reconcile";

    /** Where a run leaves the frontier, and what it did on the way. */
    record Result(long newestId, double listedAt, Set<Long> unfinished, Set<Long> settled, Set<Long> added, int queued,
            int singles) {}

    /** A job's status as far as the frontier goes. */
    private enum Phase {
        SUCCEEDED,
        /** failed, canceled, skipped, manual: it will not succeed as it is */
        ENDED,
        /** created, pending, running, waiting_for_resource, preparing, scheduled, ...: it may */
        UNFINISHED
    }

    private final GitLabClient gitlab;
    private final JobQueuer queuer;
    private final Tries tries;
    private final Clock clock;
    private final RunCost cost;
    private final Set<Long> tracked = new HashSet<>();
    private final Set<Long> settled = new HashSet<>();
    private final Set<Long> added = new HashSet<>();
    private int queued;
    private int singles;

    FrontierRun(GitLabClient gitlab, JobQueuer queuer, Tries tries, Clock clock, RunCost cost) {
        this.gitlab = gitlab;
        this.queuer = queuer;
        this.tries = tries;
        this.clock = clock;
        this.cost = cost;
    }

    /** A run from the previous run's frontier. */
    Result from(ReconciliationStore.Frontier previous) throws UpstreamException, InterruptedException {
        long frontier = previous.newestId();
        double margin = previous.listedAt() - MARGIN_SECONDS;
        tracked.addAll(previous.unfinished());

        Set<Long> unfinishedNow = new HashSet<>();
        JobsWalk unfinished = new JobsWalk(gitlab, GitLabClient.UNFINISHED, cost, tries);
        for (List<ApiJob> page; (page = unfinished.next()) != null;) {
            for (ApiJob job : page) {
                unfinishedNow.add(job.id());
                // back from the finished: a skipped job reset by a retried one, a manual job played
                if (job.id() <= frontier && !tracked.contains(job.id()) && isBuild(job)) track(job.id());
            }
        }
        TreeSet<Long> departed = new TreeSet<>(tracked);
        departed.removeAll(unfinishedNow);

        double listedAt = now();
        long newest = frontier;
        JobsWalk all = new JobsWalk(gitlab, GitLabClient.ALL, cost, tries);
        for (List<ApiJob> page; (page = all.next()) != null;) {
            List<JobQueuer.Found> succeeded = new ArrayList<>();
            for (ApiJob job : page) {
                newest = Math.max(newest, job.id());
                departed.remove(job.id());
                if (tracked.contains(job.id()) || job.id() > frontier || createdSince(job, margin)) {
                    settle(job, succeeded);
                }
            }
            queued += queuer.queue(succeeded, SOURCE, false);
            if (!worthAnotherPage(page, frontier, margin, departed)) break;
        }

        for (long id : departed) {
            singles++;
            Optional<ApiJob> job = JobsWalk.single(gitlab, id, cost, tries);
            if (job.isEmpty()) {
                // erased with its pipeline: nothing left to collect
                untrack(id);
                continue;
            }
            List<JobQueuer.Found> succeeded = new ArrayList<>();
            settle(job.get(), succeeded);
            queued += queuer.queue(succeeded, SOURCE, false);
        }
        return new Result(newest, listedAt, tracked, settled, added, queued, singles);
    }

    /**
     * A first run: the newest job so far becomes the frontier, the builds not finished
     * are remembered, and the successful jobs finished since {@code since} are queued.
     */
    Result first(JobsScan window, long since, long maxBuildSeconds) throws UpstreamException, InterruptedException {
        double listedAt = now();
        long newest = 0;
        List<ApiJob> top = new JobsWalk(gitlab, GitLabClient.ALL, cost, tries).next();
        if (top != null) {
            for (ApiJob job : top) {
                newest = Math.max(newest, job.id());
                if (phase(job) == Phase.UNFINISHED && isBuild(job)) track(job.id());
            }
        }
        JobsWalk unfinished = new JobsWalk(gitlab, GitLabClient.UNFINISHED, cost, tries);
        for (List<ApiJob> page; (page = unfinished.next()) != null;) {
            for (ApiJob job : page) {
                if (job.id() <= newest && isBuild(job)) track(job.id());
            }
        }
        queued += window.run(since, (long) Math.floor(listedAt), maxBuildSeconds, SOURCE, false,
                JobsScan.ProgressListener.NONE, cost).queued();
        return new Result(newest, listedAt, tracked, settled, added, queued, singles);
    }

    /** Queues the job if it succeeded; remembers it while it may still, forgets it once it cannot. */
    private void settle(ApiJob job, List<JobQueuer.Found> succeeded) {
        boolean known = tracked.contains(job.id());
        switch (phase(job)) {
            case SUCCEEDED -> {
                if (known) untrack(job.id());
                JobQueuer.Found found = queuer.admit(job);
                if (found != null) succeeded.add(found);
            }
            case ENDED -> {
                if (known) untrack(job.id());
            }
            case UNFINISHED -> {
                if (!known && isBuild(job)) track(job.id());
            }
        }
    }

    /**
     * Past the jobs new since the previous run, another page is worth it while the
     * finished builds still to find below are more than the pages it would take to reach
     * the lowest of them (each page covers about as many ids as this one did); the rest
     * are asked for one by one.
     */
    private static boolean worthAnotherPage(List<ApiJob> page, long frontier, double margin, TreeSet<Long> departed) {
        ApiJob lowestJob = page.get(0);
        long highest = Long.MIN_VALUE;
        for (ApiJob job : page) {
            highest = Math.max(highest, job.id());
            if (job.id() < lowestJob.id()) lowestJob = job;
        }
        long lowest = lowestJob.id();
        if (lowest > frontier || createdSince(lowestJob, margin)) return true;
        SortedSet<Long> below = departed.headSet(lowest);
        if (below.isEmpty()) return false;
        long span = Math.max(1, highest - lowest + 1);
        long pagesToReach = (lowest - below.first() + span - 1) / span;
        return pagesToReach <= below.size();
    }

    private void track(long id) {
        if (tracked.add(id)) {
            added.add(id);
            settled.remove(id);
        }
    }

    private void untrack(long id) {
        if (tracked.remove(id)) {
            settled.add(id);
            added.remove(id);
        }
    }

    private static Phase phase(ApiJob job) {
        String status = job.status();
        if (status == null) return Phase.ENDED;
        return switch (status) {
            case "success" -> Phase.SUCCEEDED;
            case "failed", "canceled", "skipped", "manual" -> Phase.ENDED;
            default -> Phase.UNFINISHED;
        };
    }

    private static boolean isBuild(ApiJob job) {
        JsonElement stage = job.kept().get("stage");
        return stage != null && stage.isJsonPrimitive() && Eligibility.isBuildStage(stage.getAsString());
    }

    private static boolean createdSince(ApiJob job, double instant) {
        Long created = JobsScan.createdAt(job);
        return created != null && created >= instant;
    }

    private double now() {
        return clock.millis() / 1000.0;
    }
}
