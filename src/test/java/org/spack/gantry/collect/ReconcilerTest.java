package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.config.ReconcileSetting;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.HostLock;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;
import org.spack.gantry.worker.Workers;

/** Which jobs a reconciliation run looks at, what it records, and where the next goes on from. */
class ReconcilerTest {
    private static final long HOUR = 3_600;

    @TempDir
    Path dir;

    private final long now = 1_790_000_000;
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC);
    private final List<Reconciler.RunReport> runs = new ArrayList<>();
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
        reconciler = reconciler(ClusterStandIn.API_TOKEN);
        // finished 30 h, 3 h and 90 min ago
        gitlab.jobList(List.of(
                ClusterStandIn.apiJob(3, "stage-1", "aws", now - 95 * 60, now - 90 * 60),
                ClusterStandIn.apiJob(2, "stage-1", "aws", now - 3 * HOUR - 600, now - 3 * HOUR),
                ClusterStandIn.apiJob(1, "stage-1", "aws", now - 30 * HOUR - 600, now - 30 * HOUR)));
    }

    private Reconciler reconciler(String token) {
        JobsScan scan = new JobsScan(new GitLabClient(gitlab.gitlabUrl(), token, http), db, new QueueStore(),
                new JobStore(), new RetryPolicy(1, 0.01, 0.01), s -> {}, clock);
        return new Reconciler(scan, db, HostLock.ALWAYS_HELD, new ReconciliationStore(), new ReconcileSetting.Every(600, 24), runs::add, () -> {},
                new Workers(clock).register("reconcile"), clock);
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

    private List<String> queries() {
        return gitlab.requests().stream().map(r -> r.path().replaceAll(".*/projects/2", "") + "?" + r.query()).toList();
    }

    @Test
    void theFirstRunLooksBackTheLookbackAndRecordsWhereItGotTo() throws Exception {
        assertEquals(2, reconciler.runOnce(), "jobs 2 and 3; job 1 is older than the lookback: backfill's");
        assertEquals(1, runs.size());
        assertTrue(runs.get(0).succeeded());
        assertEquals(2, runs.get(0).queued());
        ReconciliationStore.Progress p = db.read(new ReconciliationStore()::progress);
        assertEquals(now, p.coveredUntil(), 1);
        assertEquals(3, db.read(new ReconciliationStore()::frontier).orElseThrow().newestId());
        assertEquals(0, reconciler.runOnce(), "nothing queued twice");
        assertEquals(2, queued());
    }

    @Test
    void aFirstRunAfterAPreviousReleaseStartsWhereItGotToLessTheOverlap() throws Exception {
        db.write(c -> {
            new ReconciliationStore().completed(c, new ReconciliationStore.Progress(now - 2 * HOUR, now - 2 * HOUR, 0));
            return null;
        });
        assertEquals(1, reconciler.runOnce(), "job 3 only: job 2 finished before the last run's window, less 15 min");
        assertEquals(1, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE build_id=3"));
    }

    @Test
    void aFailedRunIsCountedWithItsReasonAndRecordsNoProgress() {
        Reconciler failing = reconciler("revoked");
        UpstreamException e = assertThrows(UpstreamException.class, failing::runOnce);
        assertEquals("GitLab answered HTTP 401: 401 Unauthorized (is GITLAB_API_TOKEN valid?)", e.getMessage());
        assertEquals(null, db.read(new ReconciliationStore()::progress));
        assertTrue(db.read(new ReconciliationStore()::frontier).isEmpty());
        assertEquals(1, runs.size());
        assertEquals(Reconciler.Failure.GITLAB_ERROR, runs.get(0).failure());
        assertEquals(1, runs.get(0).requests());
        ReconciliationStore.Run last = db.read(new ReconciliationStore()::lastRun).orElseThrow();
        assertEquals(false, last.succeeded());
        assertEquals(e.getMessage(), last.reason());
        String line = Reconciler.describe(new ReconcileSetting.Every(600, 24), db.read(new ReconciliationStore()::status),
                now + 5);
        assertEquals("enabled: every 600 s; last run 5 s ago (" + Instant.ofEpochSecond(now) + ") failed: " + e.getMessage()
                + ", 1 request(s), 1 KiB read, 0 job(s) seen, 0 queued; no run completed yet", line);
    }

    @Test
    void aBuildUnfinishedAtOneRunIsQueuedOnceItSucceedsAndARestartGoesOnFromTheDatabase() throws Exception {
        JsonObject running = ClusterStandIn.apiJob(4, "stage-2", "aws", now - 4 * HOUR, now);
        running.addProperty("status", "running");
        running.add("finished_at", com.google.gson.JsonNull.INSTANCE);
        JsonObject generate = ClusterStandIn.apiJob(5, "generate", "aws", now - 600, now);
        generate.addProperty("status", "running");
        List<JsonObject> jobs = new ArrayList<>(List.of(generate, running));
        for (long id = 3; id >= 1; id--) {
            jobs.add(ClusterStandIn.apiJob(id, "stage-1", "aws", now - id * HOUR - 600, now - id * HOUR));
        }
        gitlab.jobList(jobs);
        assertEquals(3, reconciler.runOnce());
        ReconciliationStore.Frontier f = db.read(new ReconciliationStore()::frontier).orElseThrow();
        assertEquals(5, f.newestId());
        assertEquals(java.util.Set.of(4L), f.unfinished(), "the running build is followed; not the generate job");

        // the build succeeds; a restarted server (a new Reconciler on the same database) goes on from the frontier
        jobs.set(1, ClusterStandIn.apiJob(4, "stage-2", "aws", now - 4 * HOUR, now - 60));
        gitlab.jobList(jobs);
        int before = gitlab.requests().size();
        runs.clear();
        assertEquals(1, reconciler(ClusterStandIn.API_TOKEN).runOnce(), "the long build, once");
        List<String> asked = queries().subList(before, queries().size());
        assertEquals(List.of(
                "/jobs?scope[]=created&scope[]=pending&scope[]=running&scope[]=waiting_for_resource&per_page=100"
                        + "&pagination=keyset&order_by=id&sort=desc",
                "/jobs?per_page=100&pagination=keyset&order_by=id&sort=desc"), asked,
                "the unfinished jobs, then the newest: no window paged again");
        assertEquals(2, runs.get(0).requests());
        assertTrue(db.read(new ReconciliationStore()::frontier).orElseThrow().unfinished().isEmpty());
        assertEquals(0, reconciler.runOnce());
        assertEquals(4, queued());
    }

    @Test
    void aFinishedBuildFarBelowTheNewestIsAskedForAlone() throws Exception {
        // a build running for hours, and 500 jobs created after it, all finished, none of them builds
        List<JsonObject> jobs = new ArrayList<>();
        for (long id = 1_500; id > 1_000; id--) {
            jobs.add(ClusterStandIn.apiJob(id, "generate", "aws", now - 1_200, now - 900));
        }
        JsonObject longBuild = ClusterStandIn.apiJob(1_000, "stage-3", "aws", now - 6 * HOUR, now);
        longBuild.addProperty("status", "running");
        jobs.add(longBuild);
        gitlab.jobList(jobs);
        assertEquals(0, reconciler.runOnce());
        assertEquals(java.util.Set.of(1_000L), db.read(new ReconciliationStore()::frontier).orElseThrow().unfinished());

        // ten jobs later, the build has succeeded
        List<JsonObject> later = new ArrayList<>();
        for (long id = 1_510; id > 1_500; id--) later.add(ClusterStandIn.apiJob(id, "generate", "aws", now - 200, now - 100));
        later.addAll(jobs.subList(0, 500));
        later.add(ClusterStandIn.apiJob(1_000, "stage-3", "aws", now - 6 * HOUR, now - 120));
        gitlab.jobList(later);
        int before = gitlab.requests().size();
        assertEquals(1, reconciler.runOnce());
        List<String> asked = queries().subList(before, queries().size());
        assertEquals(3, asked.size(), "the unfinished, the newest page, the build: " + asked);
        assertEquals("/jobs/1000?", asked.get(2), "five pages away: asked for alone");
        assertEquals(1, TestDatabases.count(file, "SELECT count(*) FROM collection_queue WHERE build_id=1000"));
        assertTrue(db.read(new ReconciliationStore()::frontier).orElseThrow().unfinished().isEmpty());
        FakeUpstream.Request last = gitlab.requests().get(gitlab.requests().size() - 1);
        assertEquals(ClusterStandIn.API_TOKEN, last.headers().get("private-token"));
    }

    @Test
    void aRestoredDatabaseGoesOnFromItsBackupsFrontierAndQueuesWhatItLacks() throws Exception {
        JsonObject running = ClusterStandIn.apiJob(11, "stage-2", "aws", now - 2 * HOUR, now);
        running.addProperty("status", "running");
        List<JsonObject> jobs = new ArrayList<>(List.of(running, ClusterStandIn.apiJob(10, "stage-1", "aws", now - 900, now - 600)));
        gitlab.jobList(jobs);
        assertEquals(1, reconciler.runOnce());
        org.spack.gantry.store.Backup backup = new org.spack.gantry.store.Backup(file, dir.resolve("backups"), clock);
        Path copy = dir.resolve("backup.db");
        backup.copyTo(copy);

        // 100 builds later, and the long one done: queued from the live database
        List<JsonObject> later = new ArrayList<>();
        for (long id = 111; id >= 12; id--) later.add(ClusterStandIn.apiJob(id, "stage-1", "aws", now - 500, now - 100));
        later.add(ClusterStandIn.apiJob(11, "stage-2", "aws", now - 2 * HOUR, now - 60));
        later.add(jobs.get(1));
        gitlab.jobList(later);
        assertEquals(101, reconciler.runOnce());

        // gantry restore from the backup: its frontier, its queue without those 101
        db.close();
        new org.spack.gantry.store.Restore(file, backup).from(copy, true);
        db = Database.open(file, 2);
        runs.clear();
        assertEquals(101, reconciler(ClusterStandIn.API_TOKEN).runOnce(), "what the restored database lacks, queued again");
        assertEquals(3, runs.get(0).requests(), "the unfinished, and two pages down to the backup's frontier: no window");
        assertEquals(102, TestDatabases.count(file, "SELECT count(*) FROM collection_queue"));
    }

    @Test
    void aFrontierOlderThanTheLookbackStartsAgainFromTheLookbackAndSaysWhatToBackfill() throws Exception {
        db.write(c -> {
            ReconciliationStore store = new ReconciliationStore();
            store.restart(c, 1, now - 30 * HOUR, java.util.Set.of(1L), now - 30 * HOUR);
            store.completed(c, new ReconciliationStore.Progress(now - 30 * HOUR, now - 30 * HOUR, 0));
            return null;
        });
        assertEquals(2, reconciler.runOnce(), "jobs 2 and 3, within the 24 h looked back");
        ReconciliationStore.Frontier f = db.read(new ReconciliationStore()::frontier).orElseThrow();
        assertEquals(3, f.newestId());
        assertEquals(java.util.Set.of(), f.unfinished(), "started again: the stale frontier's builds are forgotten");
    }
}
