package org.spack.gantry.gitlab;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.net.URI;
import java.util.Map;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.UpstreamException;

/** The project's GitLab API: job logs, and the jobs list for backfill. */
public final class GitLabClient {
    private final String projectUrl;
    private final Map<String, String> headers;
    private final HttpFetcher http;

    /** @param projectUrl ends in the project API, e.g. {@code /api/v4/projects/2} */
    public GitLabClient(String projectUrl, String apiToken, HttpFetcher http) {
        this.projectUrl = projectUrl.endsWith("/") ? projectUrl.substring(0, projectUrl.length() - 1) : projectUrl;
        this.headers = Map.of("PRIVATE-TOKEN", apiToken);
        this.http = http;
    }

    /**
     * Whether the job's log contains {@code text}, read as it arrives and no further than
     * the first match: a log of any size takes a fixed amount of memory. The text is
     * searched as bytes in the log's charset; GitLab sends logs as UTF-8, in which an
     * ASCII text matches exactly where the decoded log contains it (the reference's
     * {@code text in await resp.text()}).
     */
    public boolean jobLogContains(long jobId, String text) throws UpstreamException {
        return http.stream(URI.create(projectUrl + "/jobs/" + jobId + "/trace"), headers, "GitLab",
                (body, charset) -> StreamSearch.contains(body, text.getBytes(charset)));
    }

    /** One page (1-based, 100 jobs) of the project's successful jobs, newest first. */
    public JsonArray successfulJobs(int page) throws UpstreamException {
        String body = http.get(URI.create(projectUrl + "/jobs?scope%5B%5D=success&per_page=100&page=" + page),
                headers, "GitLab").body();
        try {
            JsonElement parsed = JsonParser.parseString(body);
            return parsed.getAsJsonArray();
        } catch (RuntimeException e) {
            throw new UpstreamException("GitLab", "GitLab jobs API answered with something other than a JSON list", true);
        }
    }
}
