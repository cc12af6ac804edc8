package org.spack.gantry.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.spack.gantry.testing.FakeUpstream.Answer;

/**
 * {@code GET /projects/:id/jobs?scope[]=success} as GitLab's documentation describes it
 * (REST API, "Pagination"): offset pages ({@code page}, {@code per_page} up to 100,
 * {@code X-Next-Page}, and HTTP 405 past the instance's maximum offset), keyset pages
 * ({@code pagination=keyset&order_by=id&sort=desc}, the next page in a {@code Link} header
 * naming GitLab's external URL, no header and an empty list at the end), HTTP 405 for
 * keyset on a GitLab that does not offer it, and 429 with {@code Retry-After}.
 */
public final class GitLabJobsApi {
    /** The URL GitLab believes it has (its external_url): the Link header names it, not the address asked. */
    public static final String EXTERNAL_URL = "https://gitlab.example.invalid";

    private volatile List<JsonObject> jobs = List.of();
    private volatile boolean keyset = true;
    private volatile int maxOffset = 50_000;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int rateLimitedRequest = -1;
    private volatile int retryAfterSeconds;

    /** Newest first (by id), as GitLab lists them. */
    public void jobs(List<JsonObject> newestFirst) {
        jobs = List.copyOf(newestFirst);
    }

    /** An older GitLab: keyset pagination is refused with 405. */
    public void withoutKeyset() {
        keyset = false;
    }

    /** The instance limit "Max offset allowed by the REST API for offset-based pagination". */
    public void maxOffset(int offset) {
        maxOffset = offset;
    }

    /** The {@code n}-th request (1-based) of the jobs API answers 429 with {@code Retry-After}. */
    public void rateLimit(int n, int retryAfter) {
        rateLimitedRequest = n;
        retryAfterSeconds = retryAfter;
    }

    Answer answer(FakeUpstream.Request r) {
        if (requests.incrementAndGet() == rateLimitedRequest) {
            return new Answer(429, "text/plain", "Retry later", 0, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
        }
        Map<String, String> q = params(r.query());
        if (!"success".equals(q.get("scope[]"))) return error(400, "scope[] must be success in this stand-in");
        int perPage = Math.min(100, Integer.parseInt(q.getOrDefault("per_page", "20")));
        if ("keyset".equals(q.get("pagination"))) {
            if (!keyset) return error(405, "Keyset pagination is not yet available for this type of request");
            if (!"id".equals(q.get("order_by")) || !"desc".equals(q.get("sort"))) return error(405, "keyset needs order_by=id");
            long before = q.containsKey("cursor") ? Long.parseLong(new String(
                    Base64.getUrlDecoder().decode(q.get("cursor")), StandardCharsets.UTF_8)) : Long.MAX_VALUE;
            JsonArray page = new JsonArray();
            for (JsonObject job : jobs) {
                if (job.get("id").getAsLong() < before && page.size() < perPage) page.add(job);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (page.size() == perPage && jobs.indexOf(page.get(perPage - 1).getAsJsonObject()) < jobs.size() - 1) {
                String cursor = Base64.getUrlEncoder().encodeToString(
                        page.get(perPage - 1).getAsJsonObject().get("id").getAsString().getBytes(StandardCharsets.UTF_8));
                String next = EXTERNAL_URL + r.path() + "?scope%5B%5D=success&per_page=" + perPage
                        + "&pagination=keyset&order_by=id&sort=desc&cursor=" + cursor;
                headers.put("Link", "<" + next + ">; rel=\"next\"");
            }
            return new Answer(200, "application/json", page.toString(), 0, headers);
        }
        int pageNo = Integer.parseInt(q.getOrDefault("page", "1"));
        int from = (pageNo - 1) * perPage;
        if (from > maxOffset) {
            return error(405, "Offset pagination has a maximum allowed offset of " + maxOffset
                    + " for requests that return objects of type Ci::Build. Remaining records can be retrieved"
                    + " using keyset pagination.");
        }
        JsonArray page = new JsonArray();
        for (int i = from; i < Math.min(from + perPage, jobs.size()); i++) page.add(jobs.get(i));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Page", Integer.toString(pageNo));
        headers.put("X-Per-Page", Integer.toString(perPage));
        headers.put("X-Next-Page", from + perPage < jobs.size() ? Integer.toString(pageNo + 1) : "");
        return new Answer(200, "application/json", page.toString(), 0, headers);
    }

    private static Answer error(int status, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        return new Answer(status, "application/json", o.toString(), 0);
    }

    private static Map<String, String> params(String decodedQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : decodedQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }
}
