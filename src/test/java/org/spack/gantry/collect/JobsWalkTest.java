package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spack.gantry.gitlab.ApiJob;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.testing.HostileUpstream;
import org.spack.gantry.upstream.HttpFetcher;

/** A walk down the jobs API stops, as a failure, where paging goes wrong. */
class JobsWalkTest {
    private final HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(10), 2);
    private HostileUpstream gitlab;

    @AfterEach
    void close() throws Exception {
        http.close();
        gitlab.close();
    }

    /** Page N holds the jobs {@code ids.apply(N)} and links to page N+1 (by a cursor that is just N+1). */
    private JobsWalk walk(java.util.function.IntFunction<long[]> ids, int budget) {
        gitlab = new HostileUpstream(path -> ex -> {
            String query = ex.getRequestURI().getQuery();
            int page = query.contains("cursor=") ? Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1")) : 1;
            StringBuilder body = new StringBuilder("[");
            for (long id : ids.apply(page)) body.append(body.length() > 1 ? "," : "").append("{\"id\":").append(id).append('}');
            String next = "http://gitlab.example.invalid" + path + "?per_page=100&pagination=keyset&order_by=id&sort=desc"
                    + "&cursor=" + (page + 1);
            HostileUpstream.answer(200, Map.of("Content-Type", "application/json", "Link", "<" + next + ">; rel=\"next\""),
                    body.append(']').toString()).send(ex);
        });
        GitLabClient client = new GitLabClient(gitlab.url("/api/v4/projects/2"), "t", http);
        return new JobsWalk(client, GitLabClient.ALL, new RunCost(), new Tries(new RetryPolicy(1, 0.01, 0.01), s -> {}),
                budget);
    }

    @Test
    void idsThatGoBackUpEndTheWalk() throws Exception {
        JobsWalk walk = walk(page -> page == 1 ? new long[] {10, 9} : new long[] {12, 11}, 100);
        assertEquals(List.of(10L, 9L), walk.next().stream().map(ApiJob::id).toList());
        JobsWalk.Stopped e = assertThrows(JobsWalk.Stopped.class, walk::next);
        assertEquals("GitLab's jobs API did not go down: page 2 holds job 12, page 1 went down to job 9", e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void aWalkThatNeverEndsStopsAtItsPageBudget() throws Exception {
        JobsWalk walk = walk(page -> new long[] {1_000_000 - 2L * page, 999_999 - 2L * page}, 3);
        for (int i = 0; i < 3; i++) walk.next();
        JobsWalk.Stopped e = assertThrows(JobsWalk.Stopped.class, walk::next);
        assertEquals("GitLab's jobs API still had more after 3 pages; stopped there", e.getMessage());
        assertEquals(3, gitlab.requests().size());
    }
}
