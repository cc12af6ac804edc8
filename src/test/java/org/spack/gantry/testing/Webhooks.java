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

    /**
     * A failed build job's Job Hook (GitLab docs, "Job events": {@code build_status},
     * {@code build_failure_reason}, {@code pipeline_id}); a job the kernel killed for
     * memory fails as the runner reports exit code 137, here as a script failure.
     */
    public static JsonObject failed(long buildId, long start, long end, long pipelineId) {
        JsonObject p = success(buildId, start, end);
        p.addProperty("build_status", "failed");
        p.addProperty("build_failure_reason", "script_failure");
        p.addProperty("pipeline_id", pipelineId);
        return p;
    }

    /** A Pipeline Hook without builds (GitLab docs, "Pipeline events"); add them to its {@code builds}. */
    public static JsonObject pipeline(long pipelineId, String ref, String status) {
        JsonObject attributes = new JsonObject();
        attributes.addProperty("id", pipelineId);
        attributes.addProperty("iid", pipelineId % 1000);
        attributes.addProperty("ref", ref);
        attributes.addProperty("tag", false);
        attributes.addProperty("sha", "bcbb5ec396a2c0f828686f14fac9b80b780504f2");
        attributes.addProperty("source", "parent_pipeline");
        attributes.addProperty("status", status);
        attributes.add("stages", new com.google.gson.JsonArray());
        attributes.addProperty("created_at", "2016-08-12 15:23:28 UTC");
        attributes.addProperty("finished_at", "2016-08-12 15:26:29 UTC");
        attributes.addProperty("duration", 63);
        attributes.add("variables", new com.google.gson.JsonArray());
        JsonObject p = new JsonObject();
        p.addProperty("object_kind", "pipeline");
        p.add("object_attributes", attributes);
        JsonObject project = new JsonObject();
        project.addProperty("id", 2);
        project.addProperty("path_with_namespace", "spack/spack");
        p.add("project", project);
        p.add("builds", new com.google.gson.JsonArray());
        return p;
    }

    /** One element of a Pipeline Hook's {@code builds}; null times and runner as for a job that never ran. */
    public static JsonObject pipelineBuild(long id, String stage, String status, Long start, Long end, String runner) {
        JsonObject b = new JsonObject();
        b.addProperty("id", id);
        b.addProperty("stage", stage);
        b.addProperty("name", "build " + id);
        b.addProperty("status", status);
        b.addProperty("created_at", GITLAB.format(Instant.ofEpochSecond(start == null ? 1_700_000_000L : start - 60)));
        b.addProperty("started_at", start == null ? null : GITLAB.format(Instant.ofEpochSecond(start)));
        b.addProperty("finished_at", end == null ? null : GITLAB.format(Instant.ofEpochSecond(end)));
        b.addProperty("duration", start == null || end == null ? null : (double) (end - start));
        b.addProperty("failure_reason", "failed".equals(status) ? "script_failure" : null);
        b.addProperty("when", "on_success");
        b.addProperty("manual", false);
        b.addProperty("allow_failure", false);
        if (runner == null) {
            b.add("runner", com.google.gson.JsonNull.INSTANCE);
        } else {
            JsonObject r = new JsonObject();
            r.addProperty("id", 380987);
            r.addProperty("description", runner);
            r.addProperty("active", true);
            r.addProperty("runner_type", "instance_type");
            r.addProperty("is_shared", true);
            b.add("runner", r);
        }
        JsonObject artifacts = new JsonObject();
        artifacts.add("filename", com.google.gson.JsonNull.INSTANCE);
        artifacts.add("size", com.google.gson.JsonNull.INSTANCE);
        b.add("artifacts_file", artifacts);
        b.add("environment", com.google.gson.JsonNull.INSTANCE);
        return b;
    }

    /** Posts one Pipeline Hook; the status GitLab would see. */
    public int postPipeline(JsonObject payload) throws IOException, InterruptedException {
        return http.send(request(payload.toString(), "Pipeline Hook"), HttpResponse.BodyHandlers.ofString()).statusCode();
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
        return request(body, "Job Hook");
    }

    private HttpRequest request(String body, String event) {
        return HttpRequest.newBuilder(URI.create(collectUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Gitlab-Event", event)
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
