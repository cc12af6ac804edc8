package org.spack.gantry.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a server's /healthz as an operator would. */
public final class Healthz {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Healthz() {}

    /** Waits until /healthz says allocations come from memory (the history is loaded); fails after {@code within}. */
    public static void awaitAllocationsFromMemory(int port, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (last.contains("\"allocations\":\"memory\"")) return;
            Thread.sleep(20);
        }
        throw new AssertionError("allocations not from memory within " + within + "; /healthz: " + last);
    }
}
