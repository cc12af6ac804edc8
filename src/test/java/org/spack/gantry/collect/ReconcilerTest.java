package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.HostLock;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/** Which window a reconciliation run looks at, and what it records. */
class ReconcilerTest {
    private static final long HOUR = 3_600;

    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis() / 1000;
    private final List<String> runs = new ArrayList<>();
    private ClusterStandIn gitlab;
    private HttpFetcher http;
    private Database db;
    private Path file;
    private Reconciler reconciler;

    @BeforeEach
    void setUp() {
        file = TestDatabases.migrated(dir);
        db = Database.open(file, 2);
        gitlab = new ClusterStandIn();
        http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(10), 2);
        JobsScan scan = new JobsScan(new GitLabClient(gitlab.gitlabUrl(), ClusterStandIn.API_TOKEN, http), db,
                new QueueStore(), new JobStore(), new RetryPolicy(1, 0.01, 0.01), s -> {}, Clock.systemUTC());
        reconciler = new Reconciler(scan, db, HostLock.ALWAYS_HELD, new ReconciliationStore(), 600, 24 * HOUR,
                (result, queued, at) -> runs.add(result + " " + queued), () -> {}, Clock.systemUTC());
        // finished 30 h, 3 h and 90 min ago
        gitlab.jobList(List.of(
                ClusterStandIn.apiJob(3, "stage-1", "aws", now - 95 * 60, now - 90 * 60),
                ClusterStandIn.apiJob(2, "stage-1", "aws", now - 3 * HOUR - 600, now - 3 * HOUR),
                ClusterStandIn.apiJob(1, "stage-1", "aws", now - 30 * HOUR - 600, now - 30 * HOUR)));
    }

    @AfterEach
    void tearDown() throws Exception {
        http.close();
        gitlab.close();
        db.close();
    }

    private long queued() {
        return TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE source='reconcile'");
    }

    @Test
    void theFirstRunLooksBackTheLookbackAndRecordsWhereItGotTo() throws Exception {
        assertEquals(2, reconciler.runOnce(), "jobs 2 and 3; job 1 is older than the lookback: backfill's");
        assertEquals(List.of("success 2"), runs);
        ReconciliationStore.Progress p = db.read(new ReconciliationStore()::progress);
        assertEquals(now, p.coveredUntil(), 5);
        assertEquals(0, reconciler.runOnce(), "nothing queued twice");
        assertEquals(2, queued());
    }

    @Test
    void aLaterRunStartsWhereTheLastCompletedOneGotToLessTheOverlap() throws Exception {
        db.write(c -> {
            new ReconciliationStore().completed(c, new ReconciliationStore.Progress(now - 2 * HOUR, now - 2 * HOUR, 0));
            return null;
        });
        assertEquals(1, reconciler.runOnce(), "job 3 only: job 2 finished before the last run's window, less 15 min");
        assertEquals(1, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE build_id=3"));
    }

    @Test
    void aFailedRunIsCountedAndRecordsNoProgress() {
        GitLabClient refused = new GitLabClient(gitlab.gitlabUrl(), "revoked", http);
        Reconciler failing = new Reconciler(new JobsScan(refused, db, new QueueStore(), new JobStore(),
                new RetryPolicy(1, 0.01, 0.01), s -> {}, Clock.systemUTC()), db, HostLock.ALWAYS_HELD, new ReconciliationStore(), 600,
                24 * HOUR, (result, queued, at) -> runs.add(result), () -> {}, Clock.systemUTC());
        UpstreamException e = assertThrows(UpstreamException.class, failing::runOnce);
        assertEquals("GitLab answered HTTP 401: 401 Unauthorized (is GITLAB_API_TOKEN valid?)", e.getMessage());
        assertEquals(null, db.read(new ReconciliationStore()::progress));
    }
}
