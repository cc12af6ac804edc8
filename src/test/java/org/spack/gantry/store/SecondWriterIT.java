package org.spack.gantry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.Parity;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.TestDatabases;
import org.spack.gantry.testing.Webhooks;

/**
 * Other processes on the same database file, as the README allows: a backfill and a
 * second server beside a server that is collecting, and migrations run at once. Every
 * read-then-write transaction begins IMMEDIATE, so they wait for each other instead of
 * failing with SQLITE_BUSY.
 */
class SecondWriterIT {
    private static final String HOOK_TOKEN = "second-writer-token";

    @TempDir
    Path dir;

    @Test
    void threeMigrationsAtOnceAllSucceed() throws Exception {
        Path db = TestDatabases.reference(dir);
        TestDatabases.execute(db, Parity.text("insert_samples.sql"));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<GantryProcess.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path own = Files.createDirectories(dir.resolve("run" + i));
                runs.add(pool.submit(() -> GantryProcess.run(own, Map.of("DB_FILE", db.toString()),
                        Duration.ofSeconds(120), "migrate")));
            }
            int applied = 0;
            for (Future<GantryProcess.Result> f : runs) {
                GantryProcess.Result r = f.get();
                assertEquals(0, r.exit(), r.err());
                if (r.out().contains("applied")) applied++;
            }
            assertEquals(1, applied, "one run migrates, the others find the database up to date");
            assertEquals(5, TestDatabases.count(db, "SELECT count(*) FROM jobs"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBackfillAndASecondServerBesideACollectingServerMeetNoBusyDatabase() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            cluster.delayPrometheus(20);
            List<JsonObject> list = new ArrayList<>();
            Set<Long> all = new TreeSet<>();
            for (long id = 60_099; id >= 60_000; id--) {
                long end = now - 7_200 - (60_099 - id) * 10;
                list.add(ClusterStandIn.apiJob(id, "stage-1", "aws", end - 600, end));
                all.add(id);
            }
            cluster.jobList(list);
            Map<String, String> env = new HashMap<>(cluster.env(HOOK_TOKEN, db));
            env.put("GANTRY_RECONCILE_INTERVAL_SECONDS", "0");
            Path second = Files.createDirectories(dir.resolve("second"));
            try (GantryProcess first = GantryProcess.serve(dir, env);
                    GantryProcess other = GantryProcess.serve(second, env)) {
                Webhooks hooks = new Webhooks(first.baseUrl(), HOOK_TOKEN);
                Webhooks otherHooks = new Webhooks(other.baseUrl(), HOOK_TOKEN);
                ExecutorService senders = Executors.newFixedThreadPool(8);
                Future<GantryProcess.Result> backfill;
                try {
                    List<Future<Integer>> sent = new ArrayList<>();
                    for (long id = 50_000; id < 50_200; id++) {
                        JsonObject p = Webhooks.success(id, now - 3_600, now - 600);
                        Webhooks to = id % 2 == 0 ? hooks : otherHooks;
                        sent.add(senders.submit(() -> to.post(p)));
                        all.add(id);
                    }
                    // the operator's backfill, while both servers take webhooks and collect
                    backfill = senders.submit(() -> GantryProcess.run(Files.createDirectories(dir.resolve("backfill")),
                            Map.of("DB_FILE", db.toString(), "GITLAB_URL", cluster.gitlabUrl(),
                                    "GITLAB_API_TOKEN", ClusterStandIn.API_TOKEN),
                            Duration.ofSeconds(120), "backfill", "--since", Instant.ofEpochSecond(now - 86_400).toString()));
                    for (Future<Integer> f : sent) {
                        assertEquals(200, f.get());
                    }
                    GantryProcess.Result r = backfill.get();
                    assertEquals(0, r.exit(), r.err());
                    assertFalse(r.err().contains("SQLITE_BUSY"), r.err());
                } finally {
                    senders.shutdownNow();
                }
                Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, all, Duration.ofSeconds(120));
                for (long id : all) {
                    assertEquals("inserted", outcomes.get(id), "job " + id);
                }
                for (GantryProcess g : List.of(first, other)) {
                    assertFalse(g.logText().contains("SQLITE_BUSY"), g.logText());
                    assertFalse(g.logText().contains("database is locked"), g.logText());
                }
            }
            assertEquals((long) all.size(), StoredRows.query(db, "SELECT count(*) AS n FROM jobs").get(0).get("n"));
        }
    }
}
