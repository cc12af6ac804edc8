package org.spack.gantry.testing;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

/** GitLab Job Hook bodies, and a client that posts them as GitLab does. */
public final class Webhooks {
    private static final DateTimeFormatter GITLAB = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String collectUrl;
    private final String token;

    public Webhooks(String baseUrl, String token) {
        this.collectUrl = baseUrl + "/v1/collect";
        this.token = token;
    }

    /** A finished build job on an aws runner, as GitLab sends it. */
    public static JsonObject success(long buildId, long start, long end) {
        JsonObject p = new JsonObject();
        p.addProperty("object_kind", "build");
        p.addProperty("ref", "develop");
        p.addProperty("build_id", buildId);
        p.addProperty("build_name", "job " + buildId);
        p.addProperty("build_stage", "stage-1");
        p.addProperty("build_status", "success");
        p.addProperty("build_started_at", GITLAB.format(Instant.ofEpochSecond(start)));
        p.addProperty("build_finished_at", GITLAB.format(Instant.ofEpochSecond(end)));
        JsonObject runner = new JsonObject();
        runner.addProperty("id", 7);
        runner.addProperty("description", "aws");
        p.add("runner", runner);
        p.addProperty("project_id", 2);
        return p;
    }

    /** Posts one Job Hook; the status GitLab would see. */
    public int post(JsonObject payload) throws IOException, InterruptedException {
        return post(payload.toString()).statusCode();
    }

    public HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return http.send(request(body), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts without waiting for the answer. */
    public CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return http.sendAsync(request(body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(collectUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Gitlab-Event", "Job Hook")
                .header("X-Gitlab-Token", token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    public HttpClient client() {
        return http;
    }

    /** A GET on the server, e.g. {@code /v1/allocation?spec=...}: status and body. */
    public static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
