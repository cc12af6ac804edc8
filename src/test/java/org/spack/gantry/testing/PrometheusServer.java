package org.spack.gantry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code prometheus} package) serving blocks that
 * {@code promtool} made from OpenMetrics text. Tests that need it skip where the
 * binaries are absent, except in CI ({@code CI} or {@code GANTRY_REQUIRE_PROMETHEUS}
 * set), where their absence is a failure.
 */
public final class PrometheusServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    static final String NOT_INSTALLED = "prometheus or promtool is not on PATH (Debian package 'prometheus')";

    static boolean installed() {
        return Processes.onPath("prometheus") && Processes.onPath("promtool");
    }

    /** In CI a missing Prometheus is a failure, never a reason to skip. */
    static boolean required() {
        return System.getenv("CI") != null || System.getenv("GANTRY_REQUIRE_PROMETHEUS") != null;
    }

    /** Fails in CI, skips elsewhere, when prometheus or promtool is not installed. */
    public static void assumeInstalled() {
        if (required() && !installed()) {
            throw new AssertionError(NOT_INSTALLED + ": CI must install it (.ci/run does)");
        }
        assumeTrue(installed(), NOT_INSTALLED);
    }

    /** Turns the text into TSDB blocks with promtool and starts Prometheus on them. */
    public static PrometheusServer start(OpenMetrics metrics, Path dir) throws IOException, InterruptedException {
        Path input = dir.resolve("series.om.txt");
        Path data = dir.resolve("data");
        Files.writeString(input, metrics.text());
        Processes.run(Duration.ofMinutes(2), dir.resolve("promtool.log"),
                "promtool", "tsdb", "create-blocks-from", "openmetrics", input.toString(), data.toString());
        Path config = dir.resolve("prometheus.yml");
        // nothing to scrape: every sample comes from the blocks
        Files.writeString(config, "global:\n  scrape_interval: 1h\nscrape_configs: []\n");
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Processes.freePort();
            Path log = dir.resolve("prometheus-" + attempt + ".log");
            Process p = new ProcessBuilder("prometheus",
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + data,
                    // the blocks hold the last few hours; nothing may be dropped while the test runs
                    "--storage.tsdb.retention.time=30d",
                    "--web.listen-address=127.0.0.1:" + port,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            PrometheusServer server = new PrometheusServer(p, port, log);
            try {
                server.awaitReady(Duration.ofSeconds(60));
                return server;
            } catch (IOException e) {
                // most likely the port was taken between choosing and binding it: try another
                server.close();
                lastFailure = e;
            }
        }
        throw lastFailure;
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("prometheus not ready after " + timeout + ":\n" + logText());
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    /** What Gantry's PROMETHEUS_URL is set to. */
    public String apiUrl() {
        return base() + "/api/v1";
    }

    /** The {@code values} of the only series a range query returns, as Prometheus answers them. */
    public double[] rangeValues(String query, long start, long end, long step) throws IOException, InterruptedException {
        String url = apiUrl() + "/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)
                + "&start=" + start + "&end=" + end + "&step=" + step + "s";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject root = JsonParser.parseString(r.body()).getAsJsonObject();
        JsonArray result = root.getAsJsonObject("data").getAsJsonArray("result");
        if (result.size() != 1) throw new IllegalStateException("expected one series for " + query + ": " + r.body());
        JsonArray values = result.get(0).getAsJsonObject().getAsJsonArray("values");
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(values.get(i).getAsJsonArray().get(1).getAsString());
        }
        return out;
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
