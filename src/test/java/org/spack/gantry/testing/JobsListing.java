package org.spack.gantry.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /projects/:id/jobs} over jobs newest first, as GitLab's documentation describes
 * it. Jobs API, "List project jobs": "Jobs are sorted in descending order of their IDs";
 * {@code scope} is "Either one of or an array of the following: created, pending, running,
 * failed, success, canceled, skipped, waiting_for_resource, or manual. All jobs are
 * returned if scope is not provided" (any other value: 400). REST API, "Pagination":
 * offset pages ({@code page}, {@code per_page} up to 100, {@code X-Next-Page}, and 405 past
 * the instance's maximum offset), keyset pages ({@code pagination=keyset&order_by=id&sort=desc},
 * the next page in a {@code Link} header naming GitLab's external URL, with an opaque
 * {@code cursor}; no header on the last page), and 405 for keyset on a GitLab without it.
 * Pure text in, text out (no JSON library), so that a bench can run it outside the tests.
 */
public final class JobsListing {
    /** The URL GitLab believes it has (its external_url): the Link header names it, not the address asked. */
    public static final String EXTERNAL_URL = "https://gitlab.example.invalid";
    public static final Set<String> SCOPES = Set.of("created", "pending", "running", "failed", "success", "canceled",
            "skipped", "waiting_for_resource", "manual");

    /** The jobs as GitLab would list them right now, newest (highest id) first. */
    public interface Jobs {
        int size();

        long id(int index);

        String status(int index);

        /** The job's JSON object, as the API sends it. */
        String json(int index);

        /** The index of the first (newest) job with an id below {@code id}. */
        default int firstBelow(long id) {
            int i = 0;
            while (i < size() && id(i) >= id) i++;
            return i;
        }
    }

    /** An answer: status, headers, body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        static Answer error(int status, String message) {
            return new Answer(status, Map.of("Content-Type", "application/json"),
                    "{\"error\":\"" + message.replace("\"", "\\\"") + "\"}");
        }
    }

    private JobsListing() {}

    /**
     * The answer to a list request.
     * @param rawQuery the query as sent (percent-encoded)
     * @param keysetOffered false for a GitLab older than keyset pagination of jobs (15.9)
     * @param maxOffset the instance's "Max offset allowed by the REST API for offset-based pagination"
     */
    public static Answer answer(String path, String rawQuery, Jobs jobs, boolean keysetOffered, int maxOffset) {
        Map<String, List<String>> q = params(rawQuery);
        List<String> scopes = q.getOrDefault("scope[]", List.of());
        for (String s : scopes) {
            if (!SCOPES.contains(s)) return Answer.error(400, "scope does not have a valid value");
        }
        int perPage = Math.max(1, Math.min(100, Integer.parseInt(first(q, "per_page", "20"))));
        if ("keyset".equals(first(q, "pagination", null))) {
            if (!keysetOffered) return Answer.error(405, "Keyset pagination is not yet available for this type of request");
            if (!"id".equals(first(q, "order_by", null)) || !"desc".equals(first(q, "sort", "desc"))) {
                return Answer.error(405, "Keyset pagination is not yet available for this type of request");
            }
            String cursor = first(q, "cursor", null);
            long below = cursor == null ? Long.MAX_VALUE : cursorId(cursor);
            List<Integer> page = new ArrayList<>();
            boolean more = false;
            for (int i = jobs.firstBelow(below); i < jobs.size(); i++) {
                if (!inScope(jobs.status(i), scopes)) continue;
                if (page.size() == perPage) {
                    more = true;
                    break;
                }
                page.add(i);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json");
            if (more) {
                StringBuilder next = new StringBuilder(EXTERNAL_URL).append(path).append('?');
                for (String s : scopes) next.append("scope%5B%5D=").append(s).append('&');
                next.append("per_page=").append(perPage).append("&pagination=keyset&order_by=id&sort=desc&cursor=")
                        .append(cursor(jobs.id(page.get(page.size() - 1))));
                headers.put("Link", "<" + next + ">; rel=\"next\"");
            }
            return new Answer(200, headers, body(jobs, page));
        }
        int pageNo = Math.max(1, Integer.parseInt(first(q, "page", "1")));
        long from = (long) (pageNo - 1) * perPage;
        if (from > maxOffset) {
            return Answer.error(405, "Offset pagination has a maximum allowed offset of " + maxOffset
                    + " for requests that return objects of type Ci::Build. Remaining records can be retrieved"
                    + " using keyset pagination.");
        }
        List<Integer> page = new ArrayList<>();
        int matched = 0;
        boolean more = false;
        for (int i = 0; i < jobs.size(); i++) {
            if (!inScope(jobs.status(i), scopes)) continue;
            if (matched >= from + perPage) {
                more = true;
                break;
            }
            if (matched >= from) page.add(i);
            matched++;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-Page", Integer.toString(pageNo));
        headers.put("X-Per-Page", Integer.toString(perPage));
        headers.put("X-Next-Page", more ? Integer.toString(pageNo + 1) : "");
        return new Answer(200, headers, body(jobs, page));
    }

    /** {@code GET /projects/:id/jobs/:job_id}. */
    public static Answer single(Jobs jobs, long id) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.id(i) == id) return new Answer(200, Map.of("Content-Type", "application/json"), jobs.json(i));
        }
        return new Answer(404, Map.of("Content-Type", "application/json"), "{\"message\":\"404 Not found\"}");
    }

    private static boolean inScope(String status, List<String> scopes) {
        return scopes.isEmpty() || scopes.contains(status);
    }

    private static String body(Jobs jobs, List<Integer> page) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < page.size(); i++) {
            if (i > 0) out.append(',');
            out.append(jobs.json(page.get(i)));
        }
        return out.append(']').toString();
    }

    /** GitLab's cursors are opaque: base64 of {@code {"id":"123","_kd":"n"}}. */
    private static String cursor(long id) {
        return Base64.getUrlEncoder().encodeToString(("{\"id\":\"" + id + "\",\"_kd\":\"n\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static long cursorId(String cursor) {
        String json = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        return Long.parseLong(json.replaceAll(".*\"id\":\"(\\d+)\".*", "$1"));
    }

    private static String first(Map<String, List<String>> q, String name, String otherwise) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? otherwise : v.get(0);
    }

    private static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null) return out;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(URLDecoder.decode(pair.substring(eq + 1),
                    StandardCharsets.UTF_8));
        }
        return out;
    }
}
