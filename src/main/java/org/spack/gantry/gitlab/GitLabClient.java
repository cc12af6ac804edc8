package org.spack.gantry.gitlab;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * One page of the project's successful jobs, newest first, and where the next page is
     * (null after the last). GitLab docs, "REST API" -> "Keyset-based pagination": with
     * {@code pagination=keyset&order_by=id&sort=desc} the answer's {@code Link} header
     * names the next page ("use these links instead of generating your own URLs"); offset
     * pages name it in {@code X-Next-Page}.
     */
    public record JobsPage(JsonArray jobs, URI next) {}

    /** GitLab refused keyset pagination for the jobs list (HTTP 405, older GitLab): page by offset instead. */
    public static final class KeysetRefused extends UpstreamException {
        KeysetRefused(String message) {
            super("GitLab", message, false);
        }
    }

    /** The first page of successful jobs, by keyset or (when {@code keyset} is false) by offset. */
    public URI firstJobsPage(boolean keyset) {
        return URI.create(projectUrl + "/jobs?scope%5B%5D=success&per_page=100"
                + (keyset ? "&pagination=keyset&order_by=id&sort=desc" : "&page=1"));
    }

    public JobsPage jobsPage(URI page) throws UpstreamException {
        int[] status = {0};
        HttpFetcher.Response response;
        try {
            response = http.get(page, headers, "GitLab", (code, body) -> {
                status[0] = code;
                return errorMessage(body);
            });
        } catch (UpstreamException e) {
            if (status[0] == 405 && page.getRawQuery().contains("pagination=keyset")) {
                throw new KeysetRefused(e.getMessage());
            }
            throw e;
        }
        JsonArray jobs;
        try {
            jobs = JsonParser.parseString(response.body()).getAsJsonArray();
        } catch (RuntimeException e) {
            throw new UpstreamException("GitLab", "GitLab jobs API answered with something other than a JSON list", true);
        }
        return new JobsPage(jobs, page.getRawQuery().contains("pagination=keyset") ? linkNext(response) : offsetNext(page, response));
    }

    private URI linkNext(HttpFetcher.Response response) throws UpstreamException {
        String link = response.header("Link").orElse(null);
        if (link == null) return null;
        Matcher m = LINK.matcher(link);
        while (m.find()) {
            if (REL_NEXT.matcher(m.group(2)).find()) {
                return sameOrigin(URI.create(m.group(1).strip()));
            }
        }
        return null;
    }

    /** GitLab's link names its external URL; the token goes only where GITLAB_URL points. */
    private URI sameOrigin(URI link) throws UpstreamException {
        URI base = URI.create(projectUrl);
        if (link.getRawPath() == null || link.getRawQuery() == null) {
            throw new UpstreamException("GitLab", "GitLab's Link header names no page: " + link, false);
        }
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + link.getRawPath() + "?" + link.getRawQuery());
    }

    private URI offsetNext(URI page, HttpFetcher.Response response) {
        String next = response.header("X-Next-Page").map(String::strip).orElse("");
        if (!next.matches("\\d+")) return null;
        String query = page.getRawQuery().replaceAll("(^|&)page=\\d+", "$1page=" + next);
        return URI.create(projectUrl + "/jobs?" + query);
    }

    /** GitLab's own words in an error answer: {@code {"error": "..."}} or {@code {"message": "..."}}. */
    private static Optional<String> errorMessage(String body) {
        try {
            JsonObject o = JsonParser.parseString(body).getAsJsonObject();
            for (String field : new String[] {"error", "message"}) {
                JsonElement e = o.get(field);
                if (e != null && e.isJsonPrimitive()) {
                    String text = e.getAsString().replaceAll("\\s+", " ").strip();
                    return Optional.of(text.length() > 200 ? text.substring(0, 200) + "..." : text);
                }
            }
        } catch (RuntimeException notJson) {
            // no detail
        }
        return Optional.empty();
    }

    /** W3C/RFC 8288 Link: {@code <uri>; rel="next", <uri>; rel="first"}. */
    private static final Pattern LINK = Pattern.compile("<([^>]*)>([^,]*)");
    private static final Pattern REL_NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]*\\s)?next(?=[\\s\";]|$)",
            Pattern.CASE_INSENSITIVE);
}
