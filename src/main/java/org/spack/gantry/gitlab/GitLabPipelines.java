package org.spack.gantry.gitlab;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalLong;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.JsonAnswer;
import org.spack.gantry.upstream.Meter;
import org.spack.gantry.upstream.UnusableAnswer;
import org.spack.gantry.upstream.Upstream;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The project's pipelines API (GitLab docs, "Pipelines API"): a new pipeline on a ref
 * ({@code POST /projects/:id/pipeline?ref=...}, which needs a token with the {@code api}
 * scope), and the pipelines the API started on a ref since an instant.
 */
public final class GitLabPipelines {
    /** A pipeline object, or a list of them, is two levels deep; its own fields add a few. */
    private static final int MAX_DEPTH = 8;
    /** An answer of one pipeline, or of one page of one. */
    private static final long MAX_BYTES = 1 << 20;

    private final GitLabProject project;
    private final HttpFetcher http;

    /** @param projectUrl ends in the project API, e.g. {@code /api/v4/projects/2} */
    public GitLabPipelines(String projectUrl, String apiToken, HttpFetcher http) {
        this.project = GitLabProject.of(projectUrl, apiToken);
        this.http = http;
    }

    /** Starts a pipeline on the ref; its id. */
    public long start(String ref) throws UpstreamException {
        OptionalLong id = http.post(URI.create(project.url() + "/pipeline?ref=" + encode(ref)), project.headers(), Upstream.GITLAB,
                Meter.NONE, (status, body) -> GitLabProject.errorMessage(body), MAX_BYTES, (head, body, charset) -> {
                    JsonReader r = JsonAnswer.reader(body, charset, MAX_DEPTH);
                    return JsonAnswer.read(r, "GitLab's new pipeline", MAX_DEPTH, GitLabPipelines::id);
                });
        if (id.isEmpty()) {
            throw new UpstreamException(Upstream.GITLAB, "GitLab answered the new pipeline without its id", false);
        }
        return id.getAsLong();
    }

    /**
     * The newest pipeline the pipelines API created on the ref after {@code since}, if
     * any ({@code source=api}: "pipelines triggered by the pipelines API").
     */
    public OptionalLong startedSince(String ref, Instant since) throws UpstreamException {
        return http.stream(URI.create(project.url() + "/pipelines?ref=" + encode(ref) + "&source=api&created_after="
                + encode(since.toString()) + "&order_by=id&sort=desc&per_page=1"), project.headers(), Upstream.GITLAB, Meter.NONE,
                (status, body) -> GitLabProject.errorMessage(body), MAX_BYTES, (head, body, charset) -> {
                    JsonReader r = JsonAnswer.reader(body, charset, MAX_DEPTH);
                    return JsonAnswer.read(r, "GitLab's pipelines list", MAX_DEPTH, reader -> {
                        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
                            throw new UnusableAnswer("GitLab answered the pipelines list with "
                                    + JsonAnswer.kind(reader.peek()) + ", not a list", false, null);
                        }
                        reader.beginArray();
                        return reader.hasNext() ? id(reader) : OptionalLong.empty();
                    });
                });
    }

    /** The {@code id} of the pipeline object the reader is at. */
    private static OptionalLong id(JsonReader r) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new UnusableAnswer("GitLab answered " + JsonAnswer.kind(r.peek()) + " where a pipeline belongs", false, null);
        }
        OptionalLong id = OptionalLong.empty();
        r.beginObject();
        while (r.hasNext()) {
            if (r.nextName().equals("id") && r.peek() == JsonToken.NUMBER) {
                id = OptionalLong.of(r.nextLong());
            } else {
                r.skipValue();
            }
        }
        r.endObject();
        return id;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
