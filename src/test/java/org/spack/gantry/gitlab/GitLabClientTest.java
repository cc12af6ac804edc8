package org.spack.gantry.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spack.gantry.testing.HostileUpstream;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.Meter;

/** The ghost check reads job logs of any size in bounded memory, over real HTTP. */
class GitLabClientTest {
    private static final String MARKER = "No need to rebuild";
    private static final long MB = 1 << 20;

    private final HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(30), 2);
    private HostileUpstream gitlab;

    @AfterEach
    void close() throws Exception {
        http.close();
        if (gitlab != null) gitlab.close();
    }

    /**
     * A client of a GitLab with that log for job 42, asked once already (job 41, not found),
     * so that the HTTP client's first-use set-up is not counted as reading the log.
     */
    private GitLabClient serving(HostileUpstream.Reply log) throws Exception {
        gitlab = new HostileUpstream(path -> path.equals("/api/v4/projects/2/jobs/42/trace") ? log
                : HostileUpstream.answer(404, java.util.Map.of(), "{\"message\":\"404 Not found\"}"));
        GitLabClient client = new GitLabClient(gitlab.url("/api/v4/projects/2"), "token", http);
        assertTrue(client.job(41, Meter.NONE).isEmpty());
        return client;
    }

    /** Bytes this thread allocated while running {@code check}: what reading the log cost in memory. */
    private static long allocatedBy(Check check, boolean[] answer) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        answer[0] = check.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private interface Check {
        boolean run() throws Exception;
    }

    @Test
    void theMarkerAtTheVeryEndOfA100MbLogIsFoundInBoundedMemory() throws Exception {
        GitLabClient client = serving(HostileUpstream.jobLog(100 * MB,
                "==> [2026-11-24-16:00:00] " + MARKER + ": spack ci found nothing to do"));
        boolean[] found = new boolean[1];
        long allocated = allocatedBy(() -> client.jobLogContains(42, MARKER), found);
        assertTrue(found[0], "the marker at the end of 100 MB is found");
        System.out.println("reading a 100 MB job log allocated " + allocated / 1024 + " KiB");
        // reading the log into a String would allocate more than 200 MB here
        assertTrue(allocated < 8 * MB, "memory spent reading 100 MB: " + allocated / MB + " MB");
    }

    @Test
    void aLogWithoutTheMarkerIsReadToItsEnd() throws Exception {
        GitLabClient client = serving(HostileUpstream.jobLog(100 * MB, "==> " + MARKER.substring(0, 10)));
        boolean[] found = new boolean[1];
        long allocated = allocatedBy(() -> client.jobLogContains(42, MARKER), found);
        assertFalse(found[0]);
        assertTrue(allocated < 8 * MB, "memory spent reading 100 MB: " + allocated / MB + " MB");
        assertEquals(List.of("/api/v4/projects/2/jobs/41", "/api/v4/projects/2/jobs/42/trace"), gitlab.paths());
    }

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void theLogIsNotReadPastTheMarker() throws Exception {
        // 1 TB: only stopping at the marker ends this in time
        GitLabClient client = serving(ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write((MARKER + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byte[] more = new byte[64 << 10];
            java.util.Arrays.fill(more, (byte) 'x');
            while (true) ex.getResponseBody().write(more);
        });
        assertTrue(client.jobLogContains(42, MARKER));
        assertTrue(client.jobLogContains(42, MARKER), "the client is usable again at once");
    }
}
