package org.spack.gantry.gitlab;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.Meter;
import org.spack.gantry.upstream.UnusableAnswer;
import org.spack.gantry.upstream.Upstream;
import org.spack.gantry.upstream.UpstreamException;

/**
 * The project's GitLab API: job logs, the jobs list and single jobs.
 *
 * <p>GitLab docs, Jobs API, "List project jobs": "Jobs are sorted in descending order of
 * their IDs", {@code scope} is "Either one of or an array of the following: created,
 * pending, running, failed, success, canceled, skipped, waiting_for_resource, or manual.
 * All jobs are returned if scope is not provided", and "keyset-based pagination is
 * strongly recommended when requesting consecutive pages of results"
 * (https://docs.gitlab.com/ee/api/jobs.html).
 */
public final class GitLabClient {
    /** The scopes of jobs not finished yet that the Jobs API documents. */
    public static final List<String> UNFINISHED = List.of("created", "pending", "running", "waiting_for_resource");
    /** Successful jobs only. */
    public static final List<String> SUCCESS = List.of("success");
    /** No scope: every job, whatever its status. */
    public static final List<String> ALL = List.of();

    private final GitLabProject project;
    private final HttpFetcher http;

    /** @param projectUrl ends in the project API, e.g. {@code /api/v4/projects/2} */
    public GitLabClient(String projectUrl, String apiToken, HttpFetcher http) {
        this.project = GitLabProject.of(projectUrl, apiToken);
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
        return http.stream(URI.create(project.url() + "/jobs/" + jobId + "/trace"), project.headers(), Upstream.GITLAB, Meter.NONE,
                HttpFetcher.ErrorDetail.NONE, HttpFetcher.UNLIMITED,
                (head, body, charset) -> StreamSearch.contains(body, text.getBytes(charset)));
    }

    /**
     * One page of the project's jobs, newest first, and where the next page is (null
     * after the last). GitLab docs, "REST API" -> "Keyset-based pagination": with
     * {@code pagination=keyset&order_by=id&sort=desc} the answer's {@code Link} header
     * names the next page ("use these links instead of generating your own URLs"), and
     * "when the end of the collection is reached and there are no additional records to
     * retrieve, the Link header is absent and the resulting array is empty"; offset pages
     * name the next in {@code X-Next-Page}.
     */
    public record JobsPage(List<ApiJob> jobs, URI next) {}

    /** GitLab refused keyset pagination for the jobs list (HTTP 405, older GitLab): page by offset instead. */
    public static final class KeysetRefused extends UpstreamException {
        KeysetRefused(UpstreamException refusal) {
            super(Upstream.GITLAB, refusal.getMessage(), false, refusal);
        }
    }

    /**
     * The first page of the jobs in {@code scopes} (every job when empty), by keyset or
     * (when {@code keyset} is false) by offset.
     */
    public URI firstJobsPage(List<String> scopes, boolean keyset) {
        StringBuilder query = new StringBuilder();
        for (String scope : scopes) query.append("scope%5B%5D=").append(scope).append('&');
        query.append("per_page=100").append(keyset ? "&pagination=keyset&order_by=id&sort=desc" : "&page=1");
        return URI.create(project.url() + "/jobs?" + query);
    }

    /** A page of jobs, read as it arrives; refused unless it is a list of job objects. */
    public JobsPage jobsPage(URI page, Meter meter) throws UpstreamException {
        int[] status = {0};
        boolean keyset = page.getRawQuery().contains("pagination=keyset");
        try {
            return http.stream(page, project.headers(), Upstream.GITLAB, meter, (code, body) -> {
                status[0] = code;
                return GitLabProject.errorMessage(body);
            }, HttpFetcher.MAX_BODY_BYTES, (head, body, charset) -> {
                List<ApiJob> jobs = JobsPageReader.page(body, charset);
                return new JobsPage(jobs, keyset ? linkNext(head) : offsetNext(page, head));
            });
        } catch (UpstreamException e) {
            if (status[0] == 405 && keyset) {
                throw new KeysetRefused(e);
            }
            throw e;
        }
    }

    /** {@code GET /projects/:id/jobs/:job_id}; empty when GitLab has no such job (404: erased with its pipeline). */
    public Optional<ApiJob> job(long jobId, Meter meter) throws UpstreamException {
        int[] status = {0};
        try {
            return Optional.of(http.stream(URI.create(project.url() + "/jobs/" + jobId), project.headers(), Upstream.GITLAB, meter,
                    (code, body) -> {
                        status[0] = code;
                        return GitLabProject.errorMessage(body);
                    }, HttpFetcher.MAX_BODY_BYTES, (head, body, charset) -> JobsPageReader.single(body, charset)));
        } catch (UpstreamException e) {
            if (status[0] == 404) return Optional.empty();
            throw e;
        }
    }

    private URI linkNext(HttpFetcher.Head head) throws UnusableAnswer {
        String link = head.header("Link").orElse(null);
        if (link == null) return null;
        Matcher m = LINK.matcher(link);
        while (m.find()) {
            if (REL_NEXT.matcher(m.group(2)).find()) {
                return sameOrigin(m.group(1).strip());
            }
        }
        return null;
    }

    /** GitLab's link names its external URL; the token goes only where GITLAB_URL points. */
    private URI sameOrigin(String link) throws UnusableAnswer {
        URI base = URI.create(project.url());
        URI uri;
        try {
            uri = URI.create(link);
        } catch (IllegalArgumentException e) {
            throw new UnusableAnswer("GitLab's Link header names no page: " + GitLabProject.shortened(link), false, e);
        }
        if (uri.getRawPath() == null || uri.getRawQuery() == null) {
            throw new UnusableAnswer("GitLab's Link header names no page: " + GitLabProject.shortened(link), false,
                    null);
        }
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + uri.getRawPath() + "?" + uri.getRawQuery());
    }

    private URI offsetNext(URI page, HttpFetcher.Head head) {
        String next = head.header("X-Next-Page").map(String::strip).orElse("");
        if (!next.matches("\\d{1,9}")) return null;
        String query = page.getRawQuery().replaceAll("(^|&)page=\\d+", "$1page=" + next);
        return URI.create(project.url() + "/jobs?" + query);
    }

    /** W3C/RFC 8288 Link: {@code <uri>; rel="next", <uri>; rel="first"}. */
    private static final Pattern LINK = Pattern.compile("<([^>]*)>([^,]*)");
    private static final Pattern REL_NEXT = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]*\\s)?next(?=[\\s\";]|$)",
            Pattern.CASE_INSENSITIVE);
}
