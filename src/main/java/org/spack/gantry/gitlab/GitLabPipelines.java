package org.spack.gantry.gitlab;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The project's pipelines API (GitLab docs, "Pipelines API"): a new pipeline on a ref
 * ({@code POST /projects/:id/pipeline?ref=...}, which needs a token with the {@code api}
 * scope), and the pipelines the API started on a ref since an instant.
 */
public final class GitLabPipelines {
    private static final String WHAT = "GitLab";

    private final String projectUrl;
    private final Map<String, String> headers;
    private final HttpFetcher http;

    /** @param projectUrl ends in the project API, e.g. {@code /api/v4/projects/2} */
    public GitLabPipelines(String projectUrl, String apiToken, HttpFetcher http) {
        this.projectUrl = projectUrl.endsWith("/") ? projectUrl.substring(0, projectUrl.length() - 1) : projectUrl;
        this.headers = Map.of("PRIVATE-TOKEN", apiToken);
        this.http = http;
    }

    /** Starts a pipeline on the ref; its id. */
    public long start(String ref) throws UpstreamException {
        HttpFetcher.Response r = http.post(URI.create(projectUrl + "/pipeline?ref=" + encode(ref)), headers, WHAT,
                (status, body) -> message(body));
        JsonElement id = object(r.body()).map(o -> o.get("id")).orElse(null);
        if (id == null || !id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber()) {
            throw new UpstreamException(WHAT, "GitLab answered the new pipeline without its id", false);
        }
        return id.getAsLong();
    }

    /**
     * The newest pipeline the pipelines API created on the ref after {@code since}, if
     * any ({@code source=api}: "pipelines triggered by the pipelines API").
     */
    public OptionalLong startedSince(String ref, Instant since) throws UpstreamException {
        HttpFetcher.Response r = http.get(URI.create(projectUrl + "/pipelines?ref=" + encode(ref)
                + "&source=api&created_after=" + encode(since.toString()) + "&order_by=id&sort=desc&per_page=1"),
                headers, WHAT, (status, body) -> message(body));
        JsonElement root;
        try {
            root = JsonParser.parseString(r.body());
        } catch (RuntimeException e) {
            throw new UpstreamException(WHAT, "GitLab answered the pipelines list with something other than JSON", true);
        }
        if (!root.isJsonArray()) {
            throw new UpstreamException(WHAT, "GitLab answered the pipelines list with something other than a list", false);
        }
        JsonArray list = root.getAsJsonArray();
        for (JsonElement e : list) {
            JsonElement id = e.isJsonObject() ? e.getAsJsonObject().get("id") : null;
            if (id != null && id.isJsonPrimitive() && id.getAsJsonPrimitive().isNumber()) {
                return OptionalLong.of(id.getAsLong());
            }
        }
        return OptionalLong.empty();
    }

    /** GitLab's error answer: {@code {"message": ...}}, on one line, short. */
    private static Optional<String> message(String body) {
        return object(body).map(o -> o.get("message")).map(m -> m.isJsonPrimitive() ? m.getAsString() : m.toString())
                .map(m -> m.replaceAll("\\p{Cntrl}+", " ").strip())
                .map(m -> m.length() <= 200 ? m : m.substring(0, 197) + "...");
    }

    private static Optional<JsonObject> object(String body) {
        try {
            JsonElement e = JsonParser.parseString(body);
            return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
