package org.spack.gantry.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.PostgresServer;
import org.spack.gantry.testing.Webhooks;

/**
 * Issue 20: packaged {@code gantry.run serve} processes sharing one real PostgreSQL, as two
 * hosts behind a load balancer. 500 webhooks spread over both while the one that holds the
 * reconciliation role is killed with SIGKILL halfway: every acknowledged job is collected
 * exactly once (the dead host's claims are taken over when their leases expire), and the
 * survivor takes the reconciliation role over. Reconciliation runs on exactly one host at
 * a time. A job collected by one host changes the other's answer within 1 s.
 */
class FleetIT {
    private static final String HOOK_TOKEN = "fleet-token";
    private static final int WEBHOOKS = 500;
    private static final long FIRST_JOB = 2_000_000;
    private static final String ROLE = "reconciliation runs on this host";

    @TempDir
    Path dir;

    @Test
    void twoHostsOnOneDatabase() throws Exception {
        long began = System.nanoTime();
        PostgresServer pg = PostgresServer.shared();
        String database = pg.createDatabase();
        try (ClusterStandIn cluster = new ClusterStandIn()) {
            Map<String, String> env = new HashMap<>(cluster.env(HOOK_TOKEN));
            env.putAll(pg.environment(database));
            env.put("GANTRY_COLLECT_LEASE_SECONDS", "5");
            env.put("GANTRY_RECONCILE_INTERVAL_SECONDS", "1");
            cluster.jobList(List.of());
            Path a = dir.resolve("a");
            Path b = dir.resolve("b");
            java.nio.file.Files.createDirectories(a);
            java.nio.file.Files.createDirectories(b);
            GantryProcess hostA = GantryProcess.serve(a, env);
            GantryProcess hostB = GantryProcess.serve(b, env);
            GantryProcess hostC = null;
            try {
                // exactly one of the two takes the role, and keeps it over several runs
                GantryProcess leader = awaitLeader(hostA, hostB);
                GantryProcess other = leader == hostA ? hostB : hostA;
                awaitJobsApiCalls(cluster, 3);
                assertTrue(!other.logText().contains(ROLE), "both hosts reconcile:\n" + other.logText());

                long now = System.currentTimeMillis() / 1000;
                List<Long> acknowledged = new ArrayList<>();
                Webhooks toLeader = new Webhooks(leader.baseUrl(), HOOK_TOKEN);
                Webhooks toOther = new Webhooks(other.baseUrl(), HOOK_TOKEN);
                for (int i = 0; i < WEBHOOKS; i++) {
                    long id = FIRST_JOB + i;
                    if (i == WEBHOOKS / 2) {
                        leader.kill(); // SIGKILL, with collections under way
                    }
                    boolean toTheLeader = i % 2 == 0 && i < WEBHOOKS / 2;
                    int status = post(toTheLeader ? toLeader : toOther, id, now - 900 + i, now - 600 + i);
                    if (status == 200) acknowledged.add(id);
                }
                assertTrue(acknowledged.size() == WEBHOOKS, acknowledged.size() + " of " + WEBHOOKS + " acknowledged");

                // every acknowledged job ends inserted, once
                Map<String, Long> outcomes = awaitCollected(pg, database, acknowledged.size(), Duration.ofSeconds(120));
                assertEquals(Map.of("inserted", (long) WEBHOOKS), outcomes);
                assertEquals((long) WEBHOOKS, count(pg, database, "SELECT count(*) FROM jobs WHERE gitlab_id >= " + FIRST_JOB));
                assertEquals((long) WEBHOOKS, count(pg, database, "SELECT count(DISTINCT gitlab_id) FROM jobs"));
                // the survivor took the role over from the dead host
                assertTrue(other.awaitLog(ROLE, Duration.ofSeconds(30)), other.logText());

                // a replacement host; a job one host collects changes the other's answer within 1 s
                Path c = dir.resolve("c");
                java.nio.file.Files.createDirectories(c);
                hostC = GantryProcess.serve(c, env);
                long fresh = FIRST_JOB + WEBHOOKS + 3; // pkg-(id % 5), version 1.(id % 4)
                String spec = "pkg-" + fresh % 5 + "@1." + fresh % 4
                        + " +shared~debug build_system=cmake arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0";
                String before = answer(hostC, spec);
                assertEquals(before, answer(other, spec));
                assertEquals(200, post(toOther, fresh, now - 120, now - 1));
                String onCollector = awaitAnswerOtherThan(other, spec, before, Duration.ofSeconds(60));
                long collected = System.nanoTime();
                String onOtherHost = awaitAnswerOtherThan(hostC, spec, before, Duration.ofSeconds(10));
                double seconds = (System.nanoTime() - collected) / 1e9;
                assertEquals(onCollector, onOtherHost);
                System.out.printf("FleetIT: the other host answered with the new job %.3f s after the collecting host%n",
                        seconds);
                assertTrue(seconds < 1.0, "the other host learnt of the job after " + seconds + " s");
                assertTrue(!hostC.logText().contains(ROLE), "a second host reconciles:\n" + hostC.logText());

                // /healthz and gantry_database_up say which database, and whether it answers
                HttpResponse<String> health = Webhooks.get(HTTP, hostC.url("/healthz"));
                assertEquals(200, health.statusCode());
                var body = com.google.gson.JsonParser.parseString(health.body()).getAsJsonObject();
                assertEquals("postgresql://" + PostgresServer.USER + "@127.0.0.1:" + pg.port() + "/" + database,
                        body.get("database").getAsString());
                assertTrue(body.get("database_reachable").getAsBoolean(), health.body());
                assertTrue(Webhooks.get(HTTP, hostC.url("/metrics")).body().contains("gantry_database_up 1"));
                try (Connection admin = pg.connect("postgres"); Statement st = admin.createStatement()) {
                    st.execute("DROP DATABASE " + database + " WITH (FORCE)");
                }
                HttpResponse<String> down = awaitStatus(hostC, "/healthz", 503, Duration.ofSeconds(60));
                assertTrue(down.body().contains("\"database_reachable\":false"), down.body());
                awaitBodyContaining(hostC, "/metrics", "gantry_database_up 0", Duration.ofSeconds(60));
            } finally {
                hostA.close();
                hostB.close();
                if (hostC != null) hostC.close();
                System.out.printf("FleetIT: %.1f s%n", (System.nanoTime() - began) / 1e9);
            }
        }
    }

    private static HttpResponse<String> awaitStatus(GantryProcess host, String path, int status, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> r = null;
        while (System.nanoTime() < deadline) {
            try {
                r = Webhooks.get(HTTP, host.url(path));
                if (r.statusCode() == status) return r;
            } catch (java.net.http.HttpTimeoutException slowWhileTheDatabaseGoes) {
                // asked again
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " did not answer " + status + " within " + timeout
                + (r == null ? "" : "; last: " + r.statusCode() + " " + r.body()));
    }

    private static void awaitBodyContaining(GantryProcess host, String path, String text, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = Webhooks.get(HTTP, host.url(path)).body();
                if (last.contains(text)) return;
            } catch (java.net.http.HttpTimeoutException slowWhileTheDatabaseGoes) {
                // asked again
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " did not show " + text + " within " + timeout + ":\n" + last);
    }

    private static int post(Webhooks hooks, long id, long start, long end) throws InterruptedException {
        try {
            return hooks.post(Webhooks.success(id, start, end));
        } catch (IOException deadHost) {
            return -1;
        }
    }

    private static GantryProcess awaitLeader(GantryProcess a, GantryProcess b) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            boolean inA = a.logText().contains(ROLE);
            boolean inB = b.logText().contains(ROLE);
            assertTrue(!(inA && inB), "both hosts took the reconciliation role");
            if (inA) return a;
            if (inB) return b;
            Thread.sleep(100);
        }
        throw new AssertionError("no host took the reconciliation role:\n" + a.logText() + "\n" + b.logText());
    }

    private static void awaitJobsApiCalls(ClusterStandIn cluster, int runs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long calls = cluster.requests().stream().filter(r -> r.path().endsWith("/jobs")).count();
            if (calls >= runs) return;
            Thread.sleep(100);
        }
        throw new AssertionError("reconciliation did not run " + runs + " times");
    }

    private static Map<String, Long> awaitCollected(PostgresServer pg, String database, int expected, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> byState = new HashMap<>();
        while (System.nanoTime() < deadline) {
            byState.clear();
            try (Connection c = pg.connect(database); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT state, count(*) FROM collection_queue GROUP BY state")) {
                while (rs.next()) byState.put(rs.getString(1), rs.getLong(2));
            }
            long done = byState.getOrDefault("inserted", 0L) + byState.getOrDefault("skipped", 0L)
                    + byState.getOrDefault("failed", 0L);
            if (done >= expected) return byState;
            Thread.sleep(200);
        }
        throw new AssertionError("not every event collected: " + byState);
    }

    private static long count(PostgresServer pg, String database, String sql) throws Exception {
        try (Connection c = pg.connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String answer(GantryProcess host, String spec) throws IOException, InterruptedException {
        HttpResponse<String> r = Webhooks.get(HTTP, host.url("/v1/allocation?spec="
                + URLEncoder.encode(spec, StandardCharsets.UTF_8).replace("+", "%20")));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static String awaitAnswerOtherThan(GantryProcess host, String spec, String before, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String now = answer(host, spec);
            if (!now.equals(before)) return now;
            Thread.sleep(10);
        }
        String last = answer(host, spec);
        assertNotEquals(before, last, "the answer did not change within " + timeout);
        return last;
    }
}
