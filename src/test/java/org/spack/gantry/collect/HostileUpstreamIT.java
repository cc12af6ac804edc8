package org.spack.gantry.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.AllocationProbe;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.HostileUpstream;
import org.spack.gantry.testing.StoredRows;
import org.spack.gantry.testing.Webhooks;

/**
 * The packaged server against a GitLab that sends 100 MB job logs and rate-limits:
 * the server stays up in its usual memory, finds the ghost marker at a log's very end,
 * and does not ask again before GitLab's {@code Retry-After}. Prometheus is the cluster stand-in.
 */
class HostileUpstreamIT {
    private static final String HOOK_TOKEN = "hostile-upstream-token";
    private static final Pattern TRACE = Pattern.compile("/gitlab/api/v4/projects/2/jobs/(\\d+)/trace");
    private static final long MB = 1 << 20;

    @TempDir
    Path dir;

    private Map<String, String> env(ClusterStandIn cluster, HostileUpstream gitlab, Path db) {
        Map<String, String> env = cluster.env(HOOK_TOKEN, db);
        env.put("GITLAB_URL", gitlab.url("/gitlab/api/v4/projects/2"));
        env.put("GANTRY_HTTP_TIMEOUT_SECONDS", "20");
        env.put("GANTRY_COLLECT_MAX_ATTEMPTS", "3");
        env.put("GANTRY_COLLECT_BACKOFF_SECONDS", "0.2");
        // only the job logs are asked of this GitLab: no reconciliation paging its jobs API
        env.put("GANTRY_RECONCILE_INTERVAL_SECONDS", "0");
        return env;
    }

    private static long jobOf(String path) {
        Matcher m = TRACE.matcher(path);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void hundredMegabyteLogsAreSearchedInTheServersUsualMemory() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn();
                HostileUpstream gitlab = new HostileUpstream(path -> switch ((int) jobOf(path)) {
                    case 1001 -> HostileUpstream.jobLog(100 * MB, "==> No need to rebuild zlib-ng, it is up to date");
                    case 1002 -> HostileUpstream.jobLog(100 * MB, "==> Installed zlib-ng");
                    default -> HostileUpstream.answer(404, Map.of(), "{\"message\":\"404 Not found\"}");
                });
                GantryProcess gantry = GantryProcess.serve(dir, env(cluster, gitlab, db));
                AllocationProbe probe = new AllocationProbe(gantry.baseUrl(), AllocationProbe.PROMPT)) {
            Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
            assertEquals(200, hooks.post(Webhooks.success(1001, now - 3600, now - 3000)));
            assertEquals(200, hooks.post(Webhooks.success(1002, now - 3600, now - 3000)));

            Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, List.of(1001L, 1002L), Duration.ofSeconds(90));
            assertEquals("skipped:ghost job", outcomes.get(1001L), "the marker at the very end of 100 MB is found");
            assertEquals("inserted", outcomes.get(1002L), "a 100 MB log without it is read to its end");
            assertTrue(gantry.isAlive());
            assertEquals(200, Webhooks.get(hooks.client(), gantry.url("/healthz")).statusCode());
            long peakMiB = peakRssKiB(gantry.pid()) / 1024;
            System.out.println("peak RSS after two 100 MB job logs: " + peakMiB + " MiB");
            assertTrue(peakMiB < 320, "peak RSS of the server: " + peakMiB + " MiB");
            assertEquals(List.of(), probe.problems(), "allocations answered promptly throughout");
        }
    }

    @Test
    void aRateLimitedGitLabIsNotAskedAgainBeforeItsRetryAfter() throws Exception {
        Path db = dir.resolve("gantry.db");
        long now = System.currentTimeMillis() / 1000;
        AtomicInteger tries = new AtomicInteger();
        try (ClusterStandIn cluster = new ClusterStandIn();
                HostileUpstream gitlab = new HostileUpstream(path -> jobOf(path) == 1003 && tries.getAndIncrement() == 0
                        ? HostileUpstream.answer(429, Map.of("Retry-After", "3", "Content-Type", "text/plain"),
                                "Retry later\n")
                        : HostileUpstream.jobLog(10_000, "==> Installed zlib-ng"));
                GantryProcess gantry = GantryProcess.serve(dir, env(cluster, gitlab, db))) {
            Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
            assertEquals(200, hooks.post(Webhooks.success(1003, now - 3600, now - 3000)));

            Map<Long, String> outcomes = StoredRows.awaitOutcomes(db, List.of(1003L), Duration.ofSeconds(30));
            assertEquals("inserted", outcomes.get(1003L));
            List<HostileUpstream.Request> asked = gitlab.requests();
            assertEquals(2, asked.size(), "one 429, then the log");
            double gap = (asked.get(1).nanoTime() - asked.get(0).nanoTime()) / 1e9;
            // the configured backoff alone would ask again after 0.1-0.2 s
            assertTrue(gap >= 3.0, "asked again after " + gap + " s; GitLab said 3");
            assertTrue(gap < 6.0, "and not much later: " + gap + " s");
            assertTrue(gantry.logText().contains("job 1003: GitLab answered HTTP 429; try 1 of 3 failed, next in 3 s"),
                    gantry.logText());
        }
    }

    /** VmHWM: the most resident memory the process ever had. */
    private static long peakRssKiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmHWM for " + pid);
    }
}
