package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Clients that post a large batch and never read the answer (issue 17, item 4): the
 * packaged server keeps answering {@code /healthz} and webhooks at once, cuts those
 * clients off, and still answers a batch that is read, in full and in order.
 */
class UnreadAnswersIT {
    private static final String HOOK_TOKEN = "unread-answers-token";
    private static final int CLIENTS = 256;
    private static final int SPECS = 10_000;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static List<String> specs() {
        List<String> specs = new ArrayList<>(SPECS);
        for (int i = 0; i < SPECS; i++) {
            specs.add("pkg" + i + "@1." + (i % 10) + " +shared~debug arch=linux-ubuntu22.04-x86_64_v3%gcc@11.4.0");
        }
        return specs;
    }

    private static String json(List<String> specs) {
        JsonArray list = new JsonArray();
        specs.forEach(list::add);
        return list.toString();
    }

    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void clientsThatNeverReadTheirBatchAnswersHoldNothingAndAreCutOff() throws Exception {
        long started = System.nanoTime();
        long now = System.currentTimeMillis() / 1000;
        List<String> specs = specs();
        byte[] body = json(specs).getBytes(StandardCharsets.UTF_8);
        byte[] request = ("POST /v1/allocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (ClusterStandIn cluster = new ClusterStandIn();
                GantryProcess gantry = GantryProcess.serve(dir, cluster.env(HOOK_TOKEN, dir.resolve("gantry.db")))) {
            int port = URI.create(gantry.baseUrl()).getPort();
            // both routes once before: what is measured below is the load, not a first request
            Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
            assertEquals(200, healthz(gantry).statusCode());
            assertEquals(200, hooks.post(Webhooks.success(8999, now - 3600, now - 3000)));
            List<RawClient> clients = Collections.synchronizedList(new ArrayList<>());
            ExecutorService senders = Executors.newFixedThreadPool(16);
            List<Future<?>> sending = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    sending.add(senders.submit(() -> {
                        // a small receive window: the kernel holds little of an answer nobody reads
                        RawClient c = new RawClient(port, 4096);
                        clients.add(c);
                        try {
                            c.send(request).send(body);
                        } catch (IOException refused) {
                            // the server may answer and close before the whole body is sent
                        }
                        return null;
                    }));
                }
                // every batch sent (or refused and closed before it all went out), and every one of them
                // taken up by the server: held (in flight) or refused at once as one too many (503)
                for (Future<?> f : sending) f.get(60, TimeUnit.SECONDS);
                awaitAllTakenUp(gantry);
                // with those connections open, none of them reading: health checks and webhooks answer at once
                List<Double> seconds = new ArrayList<>();
                double heldBatches = 0;
                StringBuilder rounds = new StringBuilder();
                for (int i = 0; i < 15; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> health = healthz(gantry);
                    assertEquals(200, health.statusCode(), health.body());
                    double healthSeconds = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    assertEquals(200, hooks.post(Webhooks.success(9000 + i, now - 3600, now - 3000)));
                    double hookSeconds = (System.nanoTime() - t0) / 1e9;
                    seconds.add(healthSeconds);
                    seconds.add(hookSeconds);
                    rounds.append(String.format(" %.3f/%.3f", healthSeconds, hookSeconds));
                    heldBatches = Math.max(heldBatches, MetricsText.value(MetricsText.scrape(gantry.baseUrl()),
                            "gantry_http_requests_in_flight{route=\"/v1/allocations\"}").orElse(0));
                    Thread.sleep(300);
                }
                Collections.sort(seconds);
                double p90 = seconds.get(seconds.size() * 9 / 10);
                double slowest = seconds.get(seconds.size() - 1);
                System.out.printf("UnreadAnswersIT: /healthz and /v1/collect with %d unread batches: median %.3f s, 90th"
                        + " percentile %.3f s, slowest %.3f s; batches held at once up to %.0f; each round's"
                        + " /healthz/webhook seconds:%s%n", CLIENTS, seconds.get(seconds.size() / 2), p90, slowest,
                        heldBatches, rounds);
                assertTrue(heldBatches > 0, "no batch answer was ever held: the clients did not get that far");
                // under 1 s; a shared 2-core machine may stall any process for a moment, hence the
                // percentile, and a bound on the slowest (the old server took over 5 s, every time)
                assertTrue(p90 < 1.0 && slowest < 5.0, "/healthz and /v1/collect with " + CLIENTS
                        + " unread batches: 90th percentile " + p90 + " s, slowest " + slowest + " s\n" + gantry.logText());

                // the server cuts those clients off: nothing stays in flight, every connection is closed
                MetricsText.await(gantry.baseUrl(), "gantry_http_requests_in_flight{route=\"/v1/allocations\"}",
                        n -> n == 0, Duration.ofSeconds(60));
                String cut = MetricsText.scrape(gantry.baseUrl());
                assertTrue(MetricsText.value(cut, "gantry_http_refused_total{reason=\"answer_not_read\",route=\"/v1/allocations\"}")
                        .orElse(0) > 0, cut);
                for (RawClient c : clients) {
                    assertTrue(c.drainUntilClosed(Duration.ofSeconds(10)), "a client that never read is still connected");
                }
            } finally {
                senders.shutdownNow();
                for (RawClient c : clients) c.close();
            }

            // a batch that is read is answered whole, in order, each answer what GET gives
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gantry.url("/v1/allocations")))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonArray answers = JsonParser.parseString(r.body()).getAsJsonArray();
            assertEquals(SPECS, answers.size());
            for (int i : new int[] {0, 1, SPECS / 2, SPECS - 1}) {
                String get = http.send(HttpRequest.newBuilder(URI.create(gantry.url("/v1/allocation?spec="
                        + URLEncoder.encode(specs.get(i), StandardCharsets.UTF_8)))).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertEquals(JsonParser.parseString(get), answers.get(i), "answer " + i);
            }
            String metrics = MetricsText.scrape(gantry.baseUrl());
            assertFalse(metrics.contains("status=\"500\""), metrics);
            assertTrue(gantry.isAlive());
        }
        System.out.printf("UnreadAnswersIT took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    private static void awaitAllTakenUp(GantryProcess gantry) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = MetricsText.scrape(gantry.baseUrl());
            double held = MetricsText.value(text, "gantry_http_requests_in_flight{route=\"/v1/allocations\"}").orElse(0);
            double busy = MetricsText.value(text, "gantry_http_requests_total{route=\"/v1/allocations\",status=\"503\"}")
                    .orElse(0);
            if (held + busy >= CLIENTS) return;
            Thread.sleep(50);
        }
        throw new AssertionError("the server did not take up all " + CLIENTS + " batches:\n" + text);
    }

    private HttpResponse<String> healthz(GantryProcess gantry) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(gantry.url("/healthz"))).timeout(Duration.ofSeconds(20))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String log = gantry.logText();
            throw new AssertionError("/healthz: " + e + "; server " + (gantry.isAlive() ? "up" : "gone") + ", its log ends:\n"
                    + log.substring(Math.max(0, log.length() - 3000)), e);
        }
    }

}
