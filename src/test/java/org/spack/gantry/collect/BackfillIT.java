package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.FakeUpstream;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;

/**
 * {@code gantry backfill}: how an operator recovers webhooks that never arrived. It
 * pages through a GitLab stand-in's jobs API and queues what a running server then
 * collects.
 */
class BackfillIT {
    @TempDir
    Path dir;

    private final long now = System.currentTimeMillis() / 1000;
    private final long since = now - 2 * 86_400;
    private final long until = now - 3_600;

    @Test
    void queuesEveryBuildJobOfTheWindowNotYetStoredAndAServerCollectsThem() throws Exception {
        Path db = TestDatabases.migrated(dir);
        // already known: 2003 is stored, 2004 waits in the queue; 2005 failed and deserves another try
        TestDatabases.execute(db, """
                INSERT INTO nodes (uuid, hostname, cores, mem, arch, os, instance_type)
                    VALUES ('uuid-x', 'node-x', 16, 64e9, 'amd64', 'linux', 'm5.4xlarge');
                INSERT INTO jobs (pod, node, start, end, gitlab_id, job_status, ref, pkg_name, pkg_version, pkg_variants,
                    compiler_name, compiler_version, arch, stack, build_jobs, cpu_request, cpu_limit, cpu_mean, cpu_median,
                    cpu_max, cpu_min, cpu_stddev, mem_request, mem_limit, mem_mean, mem_median, mem_max, mem_min, mem_stddev)
                    VALUES ('runner-2003', 1, 1, 2, 2003, 'success', 'develop', 'zlib', '1.3', '{}', 'gcc', '12', 'x', 'e4s',
                    16, 1, NULL, 1, 1, 1, 1, 0.1, 1, 1, 1, 1, 1, 1, 0.1);
                INSERT INTO collection_queue (build_id, payload, state, attempts, received_at, next_attempt_at)
                    VALUES (2004, '{}', 'pending', 0, 0, 1e12);
                INSERT INTO collection_queue (build_id, payload, state, reason, attempts, received_at, next_attempt_at, finished_at)
                    VALUES (2005, '{}', 'failed', 'Prometheus answered HTTP 500', 8, 0, 0, 0);
                """);
        try (ClusterStandIn gitlab = new ClusterStandIn()) {
            List<JsonObject> jobs = new ArrayList<>();
            for (long id = 3009; id >= 3000; id--) {
                // newer than --until
                long end = now - 600 - (3009 - id) * 60;
                jobs.add(ClusterStandIn.apiJob(id, "stage-1", "aws", end - 300, end));
            }
            Set<Long> expected = new TreeSet<>();
            for (long i = 0; i < 200; i++) {
                long id = 2199 - i;
                long end = until - 600 - i * 600;
                String stage = id % 10 == 0 ? "generate" : "stage-" + id % 4;
                String runner = id % 25 == 0 ? "uo-cluster-3" : "aws-" + id % 3;
                jobs.add(ClusterStandIn.apiJob(id, stage, runner, end - 900, end));
                if (id % 10 != 0 && id % 25 != 0 && id != 2003) expected.add(id);
            }
            for (long i = 0; i < 200; i++) {
                // finished before --since, created up to 200 h before it: the walk stops at the first page
                // of jobs all created more than --max-build-hours (48) before --since
                jobs.add(ClusterStandIn.apiJob(1199 - i, "stage-1", "aws", since - 1_000 - i * 3_600, since - 100 - i * 3_600));
            }
            gitlab.jobList(jobs);
            Map<String, String> env = new HashMap<>(Map.of("DB_FILE", db.toString(),
                    "GITLAB_URL", gitlab.gitlabUrl(), "GITLAB_API_TOKEN", ClusterStandIn.API_TOKEN));

            GantryProcess.Result r = GantryProcess.run(dir, env, Duration.ofSeconds(60),
                    "backfill", "--since", Instant.ofEpochSecond(since).toString(),
                    "--until", Instant.ofEpochSecond(until).toString());

            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("page 1: 100 jobs read, 79 queued, 0 already known, 11 not builds"),
                    "a progress line, plain (not a terminal):\n" + r.out());
            assertFalse(r.out().contains("\r"), "no progress bar redrawn in place when not on a terminal");
            assertTrue(r.out().endsWith("queued 174 job(s) for collection; 2 already stored or queued;"
                    + " 400 job(s) read from 4 page(s)\n"), r.out());

            List<String> pages = new ArrayList<>();
            for (FakeUpstream.Request req : gitlab.requests()) {
                assertEquals(ClusterStandIn.API_TOKEN, req.headers().get("private-token"));
                pages.add(req.query());
            }
            assertEquals(4, pages.size(), "page 4 holds only jobs created before since - 48 h: page 5 is never asked for");
            assertEquals("scope[]=success&per_page=100&pagination=keyset&order_by=id&sort=desc", pages.get(0));
            for (String page : pages.subList(1, pages.size())) {
                assertTrue(page.startsWith("scope[]=success&per_page=100&pagination=keyset&order_by=id&sort=desc&cursor="), page);
            }

            Set<Long> waiting = new TreeSet<>();
            for (Map<String, Object> row : StoredRows.query(db, "SELECT build_id FROM collection_queue WHERE state='pending'")) {
                waiting.add((Long) row.get("build_id"));
            }
            assertEquals(expected, waiting, "every build job of the window not yet stored, and only those");

            // a server on the same database collects what backfill queued
            env.putAll(gitlab.env("backfill-hook-token"));
            try (GantryProcess server = GantryProcess.serve(dir, env)) {
                Set<Long> queued = new TreeSet<>(expected);
                queued.remove(2004L); // queued long ago, for later: not due yet
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, queued, Duration.ofSeconds(60));
                Map<Long, Map<String, Object>> stored = StoredRows.jobs(db);
                for (long id : queued) {
                    assertEquals("inserted", outcomes.get(id), "job " + id);
                    ClusterStandIn.assertStored(id, stored.get(id));
                }
            }
        }
    }

    @Test
    void eachGitLabCallTakesAtMostTheHttpTimeoutAndAOnePageRunPrintsItsLineOnce() throws Exception {
        Path db = TestDatabases.migrated(dir);
        AtomicInteger asked = new AtomicInteger();
        // the first page hangs for 30 s (a stuck proxy; the old hard-coded timeout was 60 s), the next try answers: one job,
        // created long before the window
        String job = ClusterStandIn.apiJob(1, "stage-1", "aws", since - 400_000, since - 300_000).toString();
        try (FakeUpstream gitlab = new FakeUpstream(req -> asked.incrementAndGet() == 1
                ? new FakeUpstream.Answer(200, "application/json", "[]", 30_000)
                : FakeUpstream.Answer.json("[" + job + "]"))) {
            GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(),
                    "GITLAB_URL", gitlab.url("/api/v4/projects/2"), "GITLAB_API_TOKEN", ClusterStandIn.API_TOKEN,
                    "GANTRY_HTTP_TIMEOUT_SECONDS", "2"), Duration.ofSeconds(90),
                    "backfill", "--since", Instant.ofEpochSecond(since).toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(2, gitlab.requests().size(), "the hanging call given up after 2 s and tried again:\n" + r.err());
            assertTrue(r.err().contains("try 1 of 8 for a page of the jobs API"), r.err());
            assertEquals(1, r.out().lines().filter(l -> l.startsWith("page 1: 1 jobs read")).count(),
                    "the last progress line once:\n" + r.out());
        }
    }

    @Test
    void aRefusedTokenStopsWithOneClearLine() throws Exception {
        Path db = TestDatabases.migrated(dir);
        try (ClusterStandIn gitlab = new ClusterStandIn()) {
            GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(),
                    "GITLAB_URL", gitlab.gitlabUrl(), "GITLAB_API_TOKEN", "glpat-revoked"), Duration.ofSeconds(60),
                    "backfill", "--since", "2024-01-01");
            assertEquals(1, r.exit());
            assertEquals("gantry: error: GitLab answered HTTP 401: 401 Unauthorized (is GITLAB_API_TOKEN valid?)\n", r.err());
            assertEquals(0, StoredRows.query(db, "SELECT * FROM collection_queue").size());
        }
    }
}
