package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The walk backfill and reconciliation share, against a GitLab jobs API that pages as
 * GitLab's documentation says (keyset with Link headers, offset with X-Next-Page and a
 * maximum offset, 405 where keyset is not offered, 429 with Retry-After).
 */
class JobsScanTest {
    private static final long HOUR = 3_600;

    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis() / 1000;
    private final long since = now - 6 * HOUR;
    private final List<Double> sleeps = new ArrayList<>();
    private ClusterStandIn gitlab;
    private HttpFetcher http;
    private Database db;
    private Path file;

    @BeforeEach
    void setUp() {
        file = TestDatabases.migrated(dir);
        db = Database.open(file, 2);
        gitlab = new ClusterStandIn();
        http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(10), 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gitlab.close();
        db.close();
    }

    private JobsScan scan() {
        return new JobsScan(new GitLabClient(gitlab.gitlabUrl(), ClusterStandIn.API_TOKEN, http), db, new QueueStore(),
                new JobStore(), new RetryPolicy(3, 0.01, 0.01), sleeps::add, Clock.systemUTC());
    }

    /**
     * 250 jobs finished in the window (one every minute), a build created 30 h before the
     * window that finished inside it, and 5 days of older jobs, by id as GitLab lists them.
     */
    private Set<Long> history() {
        List<JsonObject> jobs = new ArrayList<>();
        Set<Long> inWindow = new TreeSet<>();
        long id = 100_000;
        for (int i = 0; i < 250; i++, id--) {
            long end = now - 60 - i * 60L;
            jobs.add(ClusterStandIn.apiJob(id, "stage-1", "aws", end - 600, end));
            inWindow.add(id);
        }
        // one job an hour, created 5 days back: the ones created more than 48 h before since can't end in the window
        for (int h = 1; h <= 120; h++, id--) {
            long created = since - h * HOUR;
            if (h == 30) {
                JsonObject longBuild = ClusterStandIn.apiJob(id, "stage-2", "aws", created + 60, since + HOUR);
                jobs.add(longBuild);
                inWindow.add(id);
            } else {
                jobs.add(ClusterStandIn.apiJob(id, "stage-1", "aws", created + 60, created + 1_800));
            }
        }
        gitlab.jobList(jobs);
        return inWindow;
    }

    private Set<Long> queued() {
        Set<Long> ids = new TreeSet<>();
        for (var row : StoredRows.query(file, "SELECT build_id FROM collection_queue WHERE state='pending'")) {
            ids.add((Long) row.get("build_id"));
        }
        return ids;
    }

    private List<String> queries() {
        return gitlab.requests().stream().map(FakeUpstream.Request::query).toList();
    }

    @Test
    void keysetPagesFollowTheLinkHeaderAndALongBuildFinishingInTheWindowIsFound() throws Exception {
        Set<Long> expected = history();
        JobsScan.Progress p = scan().run(since, now, 48 * HOUR, "backfill", true, JobsScan.ProgressListener.NONE);

        assertEquals(expected, queued(), "every job finished in the window, the long build too");
        assertEquals(expected.size(), p.queued());
        List<String> queries = queries();
        assertEquals("scope[]=success&per_page=100&pagination=keyset&order_by=id&sort=desc", queries.get(0));
        for (String q : queries.subList(1, queries.size())) {
            // the link as GitLab wrote it (its external URL), asked of GITLAB_URL's host
            assertTrue(q.startsWith("scope[]=success&per_page=100&pagination=keyset&order_by=id&sort=desc&cursor="), q);
        }
        // 250 + 49 jobs reach back to since - 48 h: 3 pages; the 4th holds only older jobs, no 5th is asked
        assertEquals(4, queries.size(), String.join("\n", queries));
        assertEquals(List.of(java.util.Map.of("source", "backfill", "n", (long) expected.size())),
                StoredRows.query(file, "SELECT source, count(*) AS n FROM collection_queue GROUP BY source"));

        // the same window again: nothing queued twice
        assertEquals(0, scan().run(since, now, 48 * HOUR, "reconcile", false, JobsScan.ProgressListener.NONE).queued());
    }

    @Test
    void aJobWhoseWebhookWasUnreadableIsQueuedFromTheJobsApi() throws Exception {
        history();
        // its webhook carried timestamps nobody could read: recorded as skipped, not collected
        TestDatabases.execute(file, "INSERT INTO collection_queue (build_id, payload, state, reason, attempts, received_at,"
                + " next_attempt_at, finished_at, source) VALUES (100000, '{}', 'skipped',"
                + " 'invalid event: field build_started_at is not a timestamp', 0, 0, 0, 0, 'webhook')");
        TestDatabases.execute(file, "INSERT INTO collection_queue (build_id, payload, state, reason, attempts, received_at,"
                + " next_attempt_at, finished_at, source) VALUES (99999, '{}', 'skipped', 'ghost job', 1, 0, 0, 0, 'webhook')");
        scan().run(since, now, 48 * HOUR, "reconcile", false, JobsScan.ProgressListener.NONE);
        assertEquals(List.of(java.util.Map.of("state", "pending", "source", "reconcile")),
                StoredRows.query(file, "SELECT state, source FROM collection_queue WHERE build_id=100000"));
        assertEquals(List.of(java.util.Map.of("state", "skipped")),
                StoredRows.query(file, "SELECT state FROM collection_queue WHERE build_id=99999"), "a real outcome stays");
    }

    @Test
    void aGitLabWithoutKeysetIsPagedByOffsetFollowingXNextPage() throws Exception {
        Set<Long> expected = history();
        gitlab.jobsApi().withoutKeyset();
        scan().run(since, now, 48 * HOUR, "backfill", true, JobsScan.ProgressListener.NONE);

        assertEquals(expected, queued());
        assertEquals(List.of("scope[]=success&per_page=100&pagination=keyset&order_by=id&sort=desc",
                "scope[]=success&per_page=100&page=1", "scope[]=success&per_page=100&page=2",
                "scope[]=success&per_page=100&page=3", "scope[]=success&per_page=100&page=4"), queries());
    }

    @Test
    void theOffsetCapEndsTheWalkWithGitLabsOwnMessage() {
        history();
        gitlab.jobsApi().withoutKeyset();
        gitlab.jobsApi().maxOffset(100);
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> scan().run(since, now, 48 * HOUR, "backfill", true, JobsScan.ProgressListener.NONE));
        assertFalse(e.isTransient());
        assertEquals("GitLab answered HTTP 405: Offset pagination has a maximum allowed offset of 100 for requests that"
                + " return objects of type Ci::Build. Remaining records can be retrieved using keyset pagination.",
                e.getMessage());
    }

    @Test
    void aRateLimitedPageIsAskedAgainAfterRetryAfter() throws Exception {
        Set<Long> expected = history();
        gitlab.jobsApi().rateLimit(2, 7);
        scan().run(since, now, 48 * HOUR, "backfill", true, JobsScan.ProgressListener.NONE);

        assertEquals(expected, queued());
        assertEquals(1, sleeps.size());
        assertTrue(sleeps.get(0) >= 7, "waited at least Retry-After: " + sleeps);
        List<String> queries = queries();
        assertEquals(queries.get(1), queries.get(2), "the same page again");
    }
}
