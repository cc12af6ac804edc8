package org.spack.gantry.collect;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.gitlab.ApiJob;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.upstream.Upstream;
import org.spack.gantry.upstream.UpstreamException;

/**
 * One walk down a listing of the jobs API, newest first: keyset pages (by offset on a
 * GitLab that refuses keyset), each tried again after a transient failure. It stops,
 * as a failure, where paging goes wrong: a next page that repeats one already read, ids
 * that stop decreasing, or more pages than {@link #PAGE_BUDGET}.
 */
final class JobsWalk {
    private static final Logger log = LoggerFactory.getLogger(JobsWalk.class);
    /** A million jobs, 70 days at Spack's 600 an hour: more than any window Gantry walks. */
    static final int PAGE_BUDGET = 10_000;

    /** Paging went wrong: the walk ends here, as a failed run (not retried: the same page says the same). */
    static final class Stopped extends UpstreamException {
        Stopped(String message) {
            super(Upstream.GITLAB, message, false);
        }
    }

    private final GitLabClient gitlab;
    private final List<String> scopes;
    private final RunCost cost;
    private final Tries tries;
    private final int budget;
    private final Set<String> asked = new HashSet<>();
    private boolean keyset = true;
    private URI next;
    private int pages;
    private long lowestSoFar = Long.MAX_VALUE;

    JobsWalk(GitLabClient gitlab, List<String> scopes, RunCost cost, Tries tries) {
        this(gitlab, scopes, cost, tries, PAGE_BUDGET);
    }

    JobsWalk(GitLabClient gitlab, List<String> scopes, RunCost cost, Tries tries, int budget) {
        this.gitlab = gitlab;
        this.scopes = scopes;
        this.cost = cost;
        this.tries = tries;
        this.budget = budget;
        this.next = gitlab.firstJobsPage(scopes, true);
    }

    /** The next page's jobs, newest first; null after the last (no next page, or an empty one). */
    List<ApiJob> next() throws UpstreamException, InterruptedException {
        if (next == null) return null;
        if (pages == budget) {
            throw new Stopped("GitLab's jobs API still had more after " + budget + " pages; stopped there");
        }
        if (!asked.add(next.toString())) {
            throw new Stopped("GitLab's jobs API named page " + (pages + 1) + " the same as one already read (" + next
                    + "): a cache or proxy that ignores the query string?");
        }
        GitLabClient.JobsPage page;
        try {
            URI uri = next;
            page = tries.call("a page of the jobs API", () -> gitlab.jobsPage(uri, cost.meter()));
        } catch (GitLabClient.KeysetRefused refused) {
            if (pages > 0 || !keyset) throw refused;
            log.info("GitLab refused keyset pagination ({}); paging by offset", refused.getMessage());
            keyset = false;
            next = gitlab.firstJobsPage(scopes, false);
            return next();
        }
        pages++;
        cost.seen(page.jobs().size());
        if (page.jobs().isEmpty()) {
            next = null;
            return null;
        }
        checkDecreasing(page.jobs());
        next = page.next();
        return page.jobs();
    }

    /**
     * Keyset pages follow each other strictly below; offset pages may repeat the end of the
     * previous one (jobs created meanwhile push the list down) but must reach lower.
     */
    private void checkDecreasing(List<ApiJob> jobs) throws Stopped {
        long highest = Long.MIN_VALUE;
        long lowest = Long.MAX_VALUE;
        for (ApiJob j : jobs) {
            highest = Math.max(highest, j.id());
            lowest = Math.min(lowest, j.id());
        }
        if (pages > 1 && (keyset ? highest >= lowestSoFar : lowest >= lowestSoFar)) {
            throw new Stopped("GitLab's jobs API did not go down: page " + pages + " holds job " + (keyset ? highest : lowest)
                    + ", page " + (pages - 1) + " went down to job " + lowestSoFar);
        }
        lowestSoFar = Math.min(lowestSoFar, lowest);
    }

    int pages() {
        return pages;
    }

    /** The job {@code id} alone, tried again after a transient failure; empty when GitLab has no such job. */
    static Optional<ApiJob> single(GitLabClient gitlab, long id, RunCost cost, Tries tries)
            throws UpstreamException, InterruptedException {
        Optional<ApiJob> job = tries.call("job " + id + " of the jobs API", () -> gitlab.job(id, cost.meter()));
        cost.seen(job.isPresent() ? 1 : 0);
        return job;
    }
}
