package org.spack.gantry.testing;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Asks {@code /v1/allocation} every few milliseconds from a thread of its own, as Spack
 * pipelines would while collection struggles, and remembers every answer that was not
 * a prompt 200.
 */
public final class AllocationProbe implements AutoCloseable {
    public static final String SPEC = "zlib@1.3.1 +optimize+pic~shared build_system=makefile"
            + " arch=linux-ubuntu22.04-x86_64_v3%gcc@12.3.0";

    /**
     * How long an answer may take: far below the 30 s an upstream call may hang, so an
     * allocation waiting on collection shows, yet above a JIT or GC pause on a loaded
     * 2-core machine (1 s proved flaky there).
     */
    public static final Duration PROMPT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String url;
    private final Duration slow;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int answered;

    /** @param slow an answer taking longer than this counts as a problem */
    public AllocationProbe(String baseUrl, Duration slow) {
        this.url = baseUrl + "/v1/allocation?spec=" + URLEncoder.encode(SPEC, StandardCharsets.UTF_8);
        this.slow = slow;
        this.thread = new Thread(this::run, "allocation-probe");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long start = System.nanoTime();
            try {
                HttpResponse<String> r = Webhooks.get(http, url);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                if (r.statusCode() != 200 || !r.body().contains("KUBERNETES_CPU_REQUEST")) {
                    problems.add("HTTP " + r.statusCode() + ": " + r.body());
                } else if (took.compareTo(slow) > 0) {
                    problems.add("took " + took.toMillis() + " ms");
                }
                answered++;
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running) problems.add(e.toString());
            }
        }
    }

    /** Every answer that was not a 200 within the limit. */
    public List<String> problems() {
        return problems;
    }

    /** How many allocations were answered. */
    public int answered() {
        return answered;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
