package org.spack.gantry.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.spack.gantry.testing.FakeUpstream.Answer;

/**
 * The GitLab jobs API over a fixed list of jobs ({@link JobsListing}: scopes, keyset and
 * offset pages), the single job ({@code GET /projects/:id/jobs/:job_id}), and faults set
 * by a test: keyset refused (405), a maximum offset, 429 with {@code Retry-After}.
 */
public final class GitLabJobsApi {
    /** The URL GitLab believes it has (its external_url): the Link header names it, not the address asked. */
    public static final String EXTERNAL_URL = JobsListing.EXTERNAL_URL;

    private volatile List<JsonObject> jobs = List.of();
    private volatile boolean keyset = true;
    private volatile int maxOffset = 50_000;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int rateLimitedRequest = -1;
    private volatile int retryAfterSeconds;

    /** Newest first (by id), as GitLab lists them; each job's {@code status} decides the scopes it is listed in. */
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

    /** The list ({@code /jobs}). */
    Answer answer(FakeUpstream.Request r) {
        if (requests.incrementAndGet() == rateLimitedRequest) {
            return new Answer(429, "text/plain", "Retry later", 0, Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
        }
        return of(JobsListing.answer(r.path(), r.query(), view(jobs), keyset, maxOffset));
    }

    /** One job ({@code /jobs/:job_id}). */
    Answer single(long id) {
        requests.incrementAndGet();
        return of(JobsListing.single(view(jobs), id));
    }

    private static Answer of(JobsListing.Answer a) {
        Map<String, String> headers = new LinkedHashMap<>(a.headers());
        String type = headers.remove("Content-Type");
        return new Answer(a.status(), type == null ? "application/json" : type, a.body(), 0, headers);
    }

    private static JobsListing.Jobs view(List<JsonObject> list) {
        return new JobsListing.Jobs() {
            @Override
            public int size() {
                return list.size();
            }

            @Override
            public long id(int index) {
                return list.get(index).get("id").getAsLong();
            }

            @Override
            public String status(int index) {
                JsonElement s = list.get(index).get("status");
                return s == null || !s.isJsonPrimitive() ? null : s.getAsString();
            }

            @Override
            public String json(int index) {
                return list.get(index).toString();
            }
        };
    }
}
