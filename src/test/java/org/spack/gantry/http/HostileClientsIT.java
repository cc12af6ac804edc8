package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.MetricsText;
import org.spack.gantry.testing.RawClient;
import org.spack.gantry.testing.Webhooks;

/**
 * The packaged server attacked as a hostile client would: slow uploads, a header that
 * never ends, bodies with raw control characters, oversized chunked bodies, uploads cut
 * off, a flood of bad specs. It keeps answering everyone else, answers each attack with
 * a one-line 4xx, and its log stays short and free of control characters.
 */
class HostileClientsIT {
    private static final String HOOK_TOKEN = "hostile-clients-token";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private GantryProcess serve(ClusterStandIn cluster) throws Exception {
        return GantryProcess.serve(dir, cluster.env(HOOK_TOKEN, dir.resolve("gantry.db")));
    }

    private static int port(GantryProcess gantry) {
        return URI.create(gantry.baseUrl()).getPort();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void slowUploadersAndAnUnfinishedHeaderHoldNothingAndAreCutOff() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        try (ClusterStandIn cluster = new ClusterStandIn(); GantryProcess gantry = serve(cluster)) {
            int port = port(gantry);
            // 64 uploads announcing 100 bytes and sending one a second: 32 batches, 32 webhooks
            List<RawClient> slow = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                RawClient c = new RawClient(port);
                if (i % 2 == 0) {
                    c.head("POST /v1/allocations HTTP/1.1", true, "Content-Type: application/json", "Content-Length: 100");
                } else {
                    c.head("POST /v1/collect HTTP/1.1", true, "Content-Type: application/json", "Content-Length: 100",
                            "X-Gitlab-Event: Job Hook", "X-Gitlab-Token: " + HOOK_TOKEN);
                }
                slow.add(c);
            }
            RawClient halfHeader = new RawClient(port).head("GET /healthz HTTP/1.1", false, "Accept: */*");
            Thread trickler = new Thread(() -> {
                try {
                    while (true) {
                        for (RawClient c : slow) c.send(new byte[] {' '});
                        Thread.sleep(1_000);
                    }
                } catch (IOException | InterruptedException stopped) {
                    // cut off by the server, or the test is over
                }
            });
            trickler.setDaemon(true);
            trickler.start();
            try {
                // meanwhile everyone else is answered at once
                double slowest = 0;
                Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
                for (int i = 0; i < 12; i++) {
                    long t0 = System.nanoTime();
                    assertEquals(200, send(HttpRequest.newBuilder(URI.create(gantry.url("/healthz")))).statusCode());
                    slowest = Math.max(slowest, (System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    assertEquals(200, hooks.post(Webhooks.success(7000 + i, now - 3600, now - 3000)));
                    slowest = Math.max(slowest, (System.nanoTime() - t0) / 1e9);
                    Thread.sleep(400);
                }
                assertTrue(slowest < 1.0, "slowest /healthz or /v1/collect answer: " + slowest + " s");

                // the header never completed: closed at the header deadline (10 s), unanswered
                String answer = halfHeader.readUntilClosed(Duration.ofSeconds(20));
                double headerClosedAt = halfHeader.age();
                assertEquals("", answer);
                // not before its deadline; after it, as soon as a busy machine gets to it
                assertTrue(headerClosedAt > 9 && headerClosedAt < 20, "closed after " + headerClosedAt + " s");

                // the uploads: a 408 at the body deadline (20 s), then closed
                for (RawClient c : slow) {
                    String reply = c.readUntilClosed(Duration.ofSeconds(30));
                    assertTrue(reply.startsWith("HTTP/1.1 408 "), "upload " + slow.indexOf(c) + " after " + c.age()
                            + " s: " + reply + "\n" + gantry.logText());
                    assertTrue(reply.endsWith("request body not received in time"), reply);
                    assertTrue(c.age() > 19 && c.age() < 30, "answered after " + c.age() + " s");
                }
            } finally {
                trickler.interrupt();
                for (RawClient c : slow) c.close();
                halfHeader.close();
            }
            String metrics = send(HttpRequest.newBuilder(URI.create(gantry.url("/metrics")))).body();
            for (String line : List.of(
                    "gantry_http_refused_total{reason=\"body_too_slow\",route=\"/v1/allocations\"} 32.0",
                    "gantry_http_refused_total{reason=\"body_too_slow\",route=\"/v1/collect\"} 32.0",
                    "gantry_http_requests_total{route=\"/v1/collect\",status=\"408\"} 32.0")) {
                assertTrue(metrics.contains(line), "/metrics has " + line + "\n" + metrics);
            }
            assertFalse(metrics.contains("status=\"500\""), metrics);
            // 64 refusals at once: ten lines, then the count of the others when the 5 s window ends
            assertTrue(gantry.awaitLog("more refused in the last 5 s", Duration.ofSeconds(30)), gantry.logText());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void brokenBodiesAreRefusedWithOneLineAndNeverCountedAsServerErrors() throws Exception {
        try (ClusterStandIn cluster = new ClusterStandIn(); GantryProcess gantry = serve(cluster)) {
            int port = port(gantry);
            URI batch = URI.create(gantry.url("/v1/allocations"));

            // a raw control character inside a string, after a good spec: refused before any answer
            for (String body : List.of("[\"zlib@1.3.1\u0001\"]", "[\"zlib@1.3.1\", \"zlib@1.3.1 \u001b[31m\"]")) {
                HttpResponse<String> r = send(HttpRequest.newBuilder(batch).POST(HttpRequest.BodyPublishers.ofString(body)));
                assertEquals(400, r.statusCode(), r.body());
                assertEquals("invalid json", r.body());
            }

            // chunked bodies over the limits: a 413 answer, not a reset
            try (RawClient c = new RawClient(port)) {
                c.head("POST /v1/collect HTTP/1.1", true, "Transfer-Encoding: chunked", "X-Gitlab-Event: Job Hook",
                        "X-Gitlab-Token: " + HOOK_TOKEN, "Connection: close");
                byte[] part = new byte[64 << 10];
                Arrays.fill(part, (byte) ' ');
                for (int i = 0; i < 32; i++) c.chunk(part); // 2 MiB, the limit is 1 MiB
                c.chunk(new byte[0]);
                String reply = c.readUntilClosed(Duration.ofSeconds(10));
                assertTrue(reply.startsWith("HTTP/1.1 413 ") && reply.endsWith("request body too large: at most 1 MiB"), reply);
            }
            assertTrue(gantry.awaitLog("webhook refused: body of 2097152 bytes (request body too large: at most 1 MiB)", Duration.ofSeconds(30)),
                    gantry.logText());
            try (RawClient c = new RawClient(port)) {
                c.head("POST /v1/allocations HTTP/1.1", true, "Transfer-Encoding: chunked", "Connection: close");
                byte[] part = new byte[256 << 10];
                Arrays.fill(part, (byte) ' ');
                for (int i = 0; i < 48; i++) c.chunk(part); // 12 MiB, the limit is 8 MiB
                c.chunk(new byte[0]);
                String reply = c.readUntilClosed(Duration.ofSeconds(10));
                assertTrue(reply.startsWith("HTTP/1.1 413 ") && reply.endsWith("request body too large: at most 8 MiB"),
                        reply);
            }

            // uploads cut off halfway
            for (String route : List.of("/v1/allocations", "/v1/collect")) {
                try (RawClient c = new RawClient(port)) {
                    c.head("POST " + route + " HTTP/1.1", true, "Content-Length: 1000", "X-Gitlab-Event: Job Hook",
                            "X-Gitlab-Token: " + HOOK_TOKEN);
                    c.send("[\"zlib@1.3".getBytes(StandardCharsets.US_ASCII));
                    MetricsText.await(gantry.baseUrl(), "gantry_http_requests_in_flight{route=\"" + route + "\"}",
                            n -> n == 1, Duration.ofSeconds(30));
                }
                MetricsText.await(gantry.baseUrl(), "gantry_http_refused_total{reason=\"body_incomplete\",route=\""
                        + route + "\"}", n -> n == 1, Duration.ofSeconds(30));
            }
            String metrics = send(HttpRequest.newBuilder(URI.create(gantry.url("/metrics")))).body();
            assertFalse(metrics.contains("status=\"500\""), metrics);
            for (String line : List.of(
                    "gantry_http_refused_total{reason=\"invalid_json\",route=\"/v1/allocations\"} 2.0",
                    "gantry_http_refused_total{reason=\"body_too_large\",route=\"/v1/collect\"} 1.0",
                    "gantry_http_refused_total{reason=\"body_too_large\",route=\"/v1/allocations\"} 1.0",
                    "gantry_http_refused_total{reason=\"body_incomplete\",route=\"/v1/allocations\"} 1.0",
                    "gantry_http_refused_total{reason=\"body_incomplete\",route=\"/v1/collect\"} 1.0")) {
                assertTrue(metrics.contains(line), "/metrics has " + line + "\n" + metrics);
            }
            assertTrue(gantry.isAlive());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void refusedSpecsReachTheLogEscapedAndAFewLinesAtATime() throws Exception {
        try (ClusterStandIn cluster = new ClusterStandIn(); GantryProcess gantry = serve(cluster)) {
            // ESC, NUL, vertical tab and DEL in a spec
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(
                    gantry.url("/v1/allocation?spec=zlib%1b%5b2J%00%0b%7f@@"))));
            assertEquals(400, r.statusCode());
            assertTrue(gantry.awaitLog("zlib\\x1b[2J\\x00\\x0b\\x7f@@", Duration.ofSeconds(30)), gantry.logText());

            // a flood: 500 refusals take a few lines and one count
            for (int i = 0; i < 500; i++) {
                assertEquals(400, send(HttpRequest.newBuilder(URI.create(gantry.url("/v1/allocation?spec=%40%40" + i))))
                        .statusCode());
            }
            assertTrue(gantry.awaitLog("more refused in the last 5 s", Duration.ofSeconds(30)), gantry.logText());
            String log = gantry.logText();
            long refusedLines = log.lines().filter(l -> l.contains("allocation refused")).count();
            assertTrue(refusedLines <= 30, refusedLines + " lines for 501 refusals:\n" + log);
            for (char c = 0; c < 0x20; c++) {
                if (c != '\n') assertFalse(log.indexOf(c) >= 0, "control character " + (int) c + " in the log");
            }
            assertFalse(log.indexOf(0x7f) >= 0, "DEL in the log");
            String metrics = send(HttpRequest.newBuilder(URI.create(gantry.url("/metrics")))).body();
            assertTrue(metrics.contains("gantry_http_refused_total{reason=\"invalid_spec\",route=\"/v1/allocation\"} 501.0"),
                    metrics);
        }
    }
}
