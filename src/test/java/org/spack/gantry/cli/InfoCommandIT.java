package org.spack.gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.TestDatabases;

/** {@code gantry info}: what waits in the queue and what failed in the last day, and why. */
class InfoCommandIT {
    @TempDir
    Path dir;

    @Test
    void showsTheQueueAndTheLastDaysFailuresWithTheirReasons() throws Exception {
        Path db = TestDatabases.migrated(dir);
        double now = System.currentTimeMillis() / 1000.0;
        double hourAgo = now - 3_600;
        double twoDaysAgo = now - 2 * 86_400;
        StringBuilder sql = new StringBuilder();
        row(sql, 1, "pending", null, 0, now - 300, null);
        row(sql, 2, "pending", "Prometheus answered HTTP 503", 2, now - 120, null);
        row(sql, 3, "running", null, 1, now - 60, null);
        for (int i = 10; i < 17; i++) row(sql, i, "inserted", null, 1, hourAgo, hourAgo);
        row(sql, 20, "failed", "Prometheus answered HTTP 500", 8, hourAgo, hourAgo);
        row(sql, 21, "failed", "Prometheus answered HTTP 500", 8, hourAgo, hourAgo);
        row(sql, 22, "failed", "GitLab answered HTTP 401 (is GITLAB_API_TOKEN valid?)", 1, hourAgo, hourAgo);
        row(sql, 23, "skipped", "ghost job", 1, hourAgo, hourAgo);
        // older than a day: not shown
        row(sql, 30, "failed", "Prometheus did not answer within 30 s", 8, twoDaysAgo, twoDaysAgo);
        TestDatabases.execute(db, sql.toString());

        GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60), "info");

        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("queue depth: {8}3 \\(2 pending, 1 of them retrying after a failure;"
                + " 1 being collected; oldest received 3\\d\\d s ago\\)")), r.out());
        assertTrue(lines.contains("last 24 hours:      3 failed, 7 inserted, 1 skipped"), r.out());
        int failed = lines.indexOf("failed in the last 24 hours, by reason:");
        assertTrue(failed > 0, r.out());
        assertEquals("       2  Prometheus answered HTTP 500", lines.get(failed + 1));
        assertEquals("       1  GitLab answered HTTP 401 (is GITLAB_API_TOKEN valid?)", lines.get(failed + 2));
        assertTrue(lines.contains("skipped in the last 24 hours, by reason:"), r.out());
        assertTrue(lines.contains("       1  ghost job"), r.out());
        assertTrue(!r.out().contains("within 30 s"), "two days old: not in the last 24 hours");
        assertTrue(lines.contains("reconciliation:     disabled: GITLAB_URL, GITLAB_API_TOKEN not set"), r.out());

        // where reconciliation got to, once it has run
        TestDatabases.execute(db, "INSERT INTO reconciliation (id, covered_until, last_success_at, last_queued)"
                + " VALUES (1, " + (now - 120) + ", " + (now - 120) + ", 3)");
        r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(), "GITLAB_URL", "http://127.0.0.1:9/api/v4/projects/2",
                "GITLAB_API_TOKEN", "t"), Duration.ofSeconds(60), "info");
        assertTrue(r.out().lines().anyMatch(l -> l.matches("reconciliation: {5}enabled: every 600 s;"
                + " last completed 1[23]\\d s ago \\(.*\\), 3 job\\(s\\) queued")), r.out());

        // what the last run cost GitLab, and the frontier
        TestDatabases.execute(db, "INSERT INTO reconcile_last_run (id, started_at, finished_at, result, reason, requests,"
                + " bytes, jobs_seen, queued) VALUES (1, " + (now - 61) + ", " + (now - 60) + ", 'success', NULL, 4, 734003,"
                + " 412, 2);\nINSERT INTO reconcile_frontier (id, newest_id, listed_at) VALUES (1, 9892514, " + (now - 61) + ");\n"
                + "INSERT INTO reconcile_unfinished (build_id, seen_at) VALUES (9892001, 0), (9892300, 0)");
        r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString(), "GITLAB_URL", "http://127.0.0.1:9/api/v4/projects/2",
                "GITLAB_API_TOKEN", "t"), Duration.ofSeconds(60), "info");
        assertTrue(r.out().lines().anyMatch(l -> l.matches("reconciliation: {5}enabled: every 600 s; last run \\d+ s ago"
                + " \\(.*\\) succeeded, 4 request\\(s\\), 717 KiB read, 412 job\\(s\\) seen, 2 queued;"
                + " frontier at job 9892514, 2 unfinished build\\(s\\) followed")), r.out());
    }

    @Test
    void anEmptyQueueHasNoOldestEvent() throws Exception {
        Path db = TestDatabases.migrated(dir);
        GantryProcess.Result r = GantryProcess.run(dir, Map.of("DB_FILE", db.toString()), Duration.ofSeconds(60), "info");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch("queue depth:        0 (0 pending; 0 being collected)"::equals), r.out());
        assertTrue(!r.out().contains(" ago"), "nothing waits, so nothing is old: " + r.out());
    }

    private static void row(StringBuilder sql, long id, String state, String reason, int attempts, double received,
            Double finished) {
        sql.append("INSERT INTO collection_queue (build_id, payload, state, reason, attempts, received_at,"
                + " next_attempt_at, finished_at) VALUES (").append(id).append(", '{}', '").append(state).append("', ")
                .append(reason == null ? "NULL" : "'" + reason + "'").append(", ").append(attempts).append(", ")
                .append(received).append(", ").append(received).append(", ")
                .append(finished == null ? "NULL" : finished.toString()).append(");\n");
    }
}
