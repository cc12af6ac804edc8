package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.config.ReconcileSetting;
import org.spack.gantry.gitlab.GitLabClient;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.QueueStore;
import org.spack.gantry.store.ReconciliationStore;
import org.spack.gantry.testing.SpackCiGitLab;
import org.spack.gantry.testing.SteppedClock;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.worker.Workers;

/**
 * Issue 18's scenario: a GitLab that creates 600 jobs an hour, 60 hours of them before
 * Gantry starts and 6 more while it runs, most running 5-15 minutes, one in 150 for 2-6
 * hours, and a build created 5 hours before the end that finishes near it. Webhooks bring
 * most jobs; every tenth one, and the long build's, is lost. The clock is accelerated
 * (the stand-in and Gantry share it): reconciliation runs every 2 minutes for 2 hours,
 * restarts, then every 10 minutes for 4 hours. Every steady-state run must stay within
 * 150 requests and 12 MB; every eligible successful job that finished since the first
 * run's lookback is queued once, by its webhook or by reconciliation.
 */
class ReconcileAtScaleTest {
    private static final long HOUR = 3_600;
    private static final long MAX_REQUESTS = 150;
    private static final long MAX_BYTES = 12_000_000;

    @TempDir
    Path dir;

    private record Cost(long requests, long bytes, double seconds) {}

    @Test
    void eachSteadyRunCostsWhatChangedAndEveryJobIsQueuedOnce() throws Exception {
        long t0 = Instant.parse("2026-11-30T12:00:00Z").getEpochSecond();
        long end = t0 + 6 * HOUR;
        SteppedClock clock = new SteppedClock(Instant.ofEpochSecond(t0));
        Path file = TestDatabases.migrated(dir);
        QueueStore queue = new QueueStore();
        List<Reconciler.RunReport> reports = new ArrayList<>();
        List<Cost> steady = new ArrayList<>();
        long started = System.nanoTime();
        try (Database db = Database.open(file, 2);
                SpackCiGitLab gitlab = new SpackCiGitLab(clock, t0 - 60 * HOUR, end - 5 * HOUR, end - 40 * 60, 0, null);
                HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(5), Timeout.ofSeconds(60), 2)) {
            JobsScan scan = new JobsScan(new GitLabClient(gitlab.projectUrl(), "glpat-scale", http), db, queue,
                    new JobStore(), new RetryPolicy(2, 0.01, 0.01), s -> {}, clock);
            Workers workers = new Workers(clock);
            Reconciler reconciler = new Reconciler(scan, db, org.spack.gantry.store.HostLock.ALWAYS_HELD, new ReconciliationStore(), new ReconcileSetting.Every(120, 24),
                    reports::add, () -> {}, workers.register("reconcile"), clock);
            Set<Long> lost = new TreeSet<>();
            deliverWebhooks(db, queue, gitlab, t0 - 24 * HOUR - 1, t0, lost);

            long firstStarted = System.nanoTime();
            reconciler.runOnce();
            Reconciler.RunReport first = reports.get(0);
            double firstSeconds = (System.nanoTime() - firstStarted) / 1e9;
            long last = t0;
            long interval = 120;
            while (last + interval <= end) {
                if (last >= t0 + 2 * HOUR && interval == 120) {
                    // a restart: a new Reconciler on the same database goes on from its frontier
                    reconciler = new Reconciler(scan, db, org.spack.gantry.store.HostLock.ALWAYS_HELD, new ReconciliationStore(), new ReconcileSetting.Every(600, 24),
                            reports::add, () -> {}, workers.register("reconcile"), clock);
                    interval = 600;
                }
                clock.advance(Duration.ofSeconds(interval));
                deliverWebhooks(db, queue, gitlab, last, last + interval, lost);
                last += interval;
                long runStarted = System.nanoTime();
                reconciler.runOnce();
                Reconciler.RunReport r = reports.get(reports.size() - 1);
                steady.add(new Cost(r.requests(), r.bytes(), (System.nanoTime() - runStarted) / 1e9));
                assertTrue(r.succeeded());
                assertTrue(r.requests() <= MAX_REQUESTS, "run at +" + (last - t0) / 60 + " min: " + r.requests() + " requests");
                assertTrue(r.bytes() <= MAX_BYTES, "run at +" + (last - t0) / 60 + " min: " + r.bytes() + " bytes");
            }

            // every eligible success finished from the first run's lookback to the last run is queued
            Set<Long> expected = new TreeSet<>();
            Set<Long> successes = new HashSet<>();
            for (SpackCiGitLab.Job j : gitlab.jobsUntil(last)) {
                if (!j.eligibleSuccess() || j.finished() > last) continue;
                successes.add(j.id());
                if (j.finished() >= t0 - 24 * HOUR) expected.add(j.id());
            }
            Map<Long, String> sources = new java.util.HashMap<>();
            for (Map<String, Object> row : StoredRows.query(file, "SELECT build_id, source FROM collection_queue")) {
                sources.put((Long) row.get("build_id"), (String) row.get("source"));
            }
            Set<Long> missing = new TreeSet<>(expected);
            missing.removeAll(sources.keySet());
            assertEquals(Set.of(), missing, "finished in the window and never queued");
            Set<Long> unwanted = new TreeSet<>(sources.keySet());
            unwanted.removeAll(successes);
            assertEquals(Set.of(), unwanted, "queued, but not an eligible success");
            long longBuild = gitlab.longBuildId();
            assertEquals("reconcile", sources.get(longBuild), "the long build, whose webhook was lost");
            Set<Long> byReconciliation = new TreeSet<>();
            sources.forEach((id, source) -> {
                if (source.equals("reconcile")) byReconciliation.add(id);
            });
            Set<Long> lostInWindow = new TreeSet<>(lost);
            lostInWindow.retainAll(expected);
            assertEquals(lostInWindow, byReconciliation, "reconciliation queued exactly the jobs whose webhooks were lost");
            assertEquals(byReconciliation.size(), reports.stream().mapToInt(Reconciler.RunReport::queued).sum(),
                    "none counted twice");
            assertTrue(db.read(new ReconciliationStore()::frontier).orElseThrow().unfinished().size() < 400);

            long maxRequests = steady.stream().mapToLong(Cost::requests).max().orElseThrow();
            long maxBytes = steady.stream().mapToLong(Cost::bytes).max().orElseThrow();
            System.out.printf("reconciliation at 600 jobs/h: first run %d requests, %.1f MB, %.2f s; %d steady runs: at most"
                    + " %d requests and %.2f MB, mean %.1f requests, %.2f MB, %.3f s; %d jobs queued by reconciliation,"
                    + " %d expected in all; test took %.1f s%n",
                    first.requests(), first.bytes() / 1e6, firstSeconds, steady.size(), maxRequests, maxBytes / 1e6,
                    steady.stream().mapToLong(Cost::requests).average().orElseThrow(),
                    steady.stream().mapToLong(Cost::bytes).average().orElseThrow() / 1e6,
                    steady.stream().mapToDouble(Cost::seconds).average().orElseThrow(), byReconciliation.size(),
                    expected.size(), (System.nanoTime() - started) / 1e9);
        }
    }

    /** GitLab's Job Hooks for the jobs that finished in (from, to], as the intake queues them; every tenth is lost. */
    private static void deliverWebhooks(Database db, QueueStore queue, SpackCiGitLab gitlab, long from, long to,
            Set<Long> lost) {
        List<SpackCiGitLab.Job> finished = new ArrayList<>();
        for (long id = gitlab.newestIdAt(to); id >= SpackCiGitLab.FIRST_ID && id >= gitlab.newestIdAt(from - 7 * HOUR); id--) {
            SpackCiGitLab.Job j = gitlab.job(id);
            if (j.eligibleSuccess() && j.finished() > from && j.finished() <= to) finished.add(j);
        }
        db.write(c -> {
            for (SpackCiGitLab.Job j : finished) {
                if (j.id() % 10 == 3 || j.id() == gitlab.longBuildId()) {
                    lost.add(j.id());
                    continue;
                }
                queue.enqueue(c, j.id(), j.started(), j.finished(), "develop", "webhook", "{}", to);
            }
            return null;
        });
    }
}
