package org.spack.gantry.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.spack.gantry.testing.HostileUpstream;

/** The HTTP client against upstreams that misbehave on a real port. */
class HttpFetcherTest {
    private final HttpFetcher http = new HttpFetcher(Timeout.ofSeconds(2), Timeout.ofSeconds(3), 4);
    private HostileUpstream upstream;

    @AfterEach
    void close() throws Exception {
        http.close();
        if (upstream != null) upstream.close();
    }

    /** The whole body as text, its head kept in {@code head[0]}. */
    private String get(URI uri, Upstream upstream, Meter meter, HttpFetcher.Head[] head) throws UpstreamException {
        return http.stream(uri, Map.of(), upstream, meter, HttpFetcher.ErrorDetail.NONE, HttpFetcher.MAX_BODY_BYTES,
                (h, body, charset) -> {
                    head[0] = h;
                    return new String(body.readAllBytes(), charset);
                });
    }

    private String get(URI uri, Upstream upstream) throws UpstreamException {
        return get(uri, upstream, Meter.NONE, new HttpFetcher.Head[1]);
    }

    private URI serve(HostileUpstream.Reply reply) {
        upstream = new HostileUpstream(path -> reply);
        return URI.create(upstream.url("/api/v1/query"));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 20, threadMode = ThreadMode.SEPARATE_THREAD)
    void aTricklingAnswerIsAbandonedAtTheDeadlineForTheWholeCall() {
        // one byte every 2 s: each read is quick, so a per-read timeout of 3 s would wait 40 s
        URI uri = serve(HostileUpstream.trickle("application/json", "{\"status\":\"success\",\"data\":{}}",
                Duration.ofSeconds(2)));
        long start = System.nanoTime();
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(uri, Upstream.PROMETHEUS));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals("Prometheus did not answer within 3 s", e.getMessage());
        assertTrue(e.isTransient());
        assertTrue(seconds >= 2.9 && seconds < 4.5, "abandoned at the 3 s deadline, after " + seconds + " s");
    }

    @Test
    void aTooManyRequestsAnswerCarriesItsRetryAfterInSeconds() {
        URI uri = serve(HostileUpstream.answer(429, Map.of("Retry-After", "120"), "Retry later\n"));
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(uri, Upstream.GITLAB));
        assertEquals("GitLab answered HTTP 429", e.getMessage());
        assertTrue(e.isTransient());
        assertEquals(Optional.of(Duration.ofSeconds(120)), e.retryAfter());
    }

    @Test
    void aRetryAfterDateIsTheTimeUntilThen() {
        String in90s = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(90).atOffset(ZoneOffset.UTC));
        URI uri = serve(HostileUpstream.answer(503, Map.of("Retry-After", in90s), ""));
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(uri, Upstream.PROMETHEUS));
        long seconds = e.retryAfter().orElseThrow().toSeconds();
        assertTrue(seconds > 80 && seconds <= 90, seconds + " s");
    }

    @Test
    void retryAfterIsReadOnlyWhereItMeansSomething() {
        URI uri = serve(HostileUpstream.answer(500, Map.of("Retry-After", "60"), ""));
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(uri, Upstream.PROMETHEUS));
        assertEquals(Optional.empty(), e.retryAfter());
    }

    @Test
    void theAnswersHeadersAreThereForPaging() throws Exception {
        URI uri = serve(HostileUpstream.answer(200, Map.of("Content-Type", "application/json", "X-Next-Page", "3",
                "Link", "<https://gitlab.example/api/v4/projects/2/jobs?page=3>; rel=\"next\""), "[]"));
        HttpFetcher.Head[] head = new HttpFetcher.Head[1];
        Meter meter = new Meter();
        assertEquals("[]", get(uri, Upstream.GITLAB, meter, head));
        HttpFetcher.Head r = head[0];
        assertEquals("application/json", r.mimeType());
        assertEquals(Optional.of("3"), r.header("x-next-page"));
        assertTrue(r.header("LINK").orElseThrow().endsWith("rel=\"next\""));
        assertEquals(Optional.empty(), r.header("X-Total"));
        assertEquals(1, meter.requests());
        assertEquals(2, meter.bytes(), "the body's bytes as read");
    }

    @Test
    void aFailedConnectionKeepsItsCauseAndAnUnauthorizedAnswerNamesTheSetting() throws Exception {
        URI uri = serve(HostileUpstream.answer(200, Map.of(), "{}"));
        upstream.close();
        UpstreamException refused = assertThrows(UpstreamException.class, () -> get(uri, Upstream.GITLAB));
        assertTrue(refused.getMessage().startsWith("GitLab refused the connection"), refused.getMessage());
        assertTrue(refused.getCause() instanceof java.io.IOException, "the IOException is kept: " + refused.getCause());
        assertTrue(refused.isTransient());

        URI denied = serve(HostileUpstream.answer(401, Map.of(), "{\"message\":\"401 Unauthorized\"}"));
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(denied, Upstream.PROMETHEUS));
        assertEquals("Prometheus answered HTTP 401 (is PROMETHEUS_COOKIE valid?)", e.getMessage());
        assertEquals(Upstream.PROMETHEUS, e.upstream());
        assertEquals("prometheus", e.upstream().label());
        assertTrue(e.credentialsRefused());
    }

    @Test
    void whetherTheCredentialsWereRefusedIsTheStatusNotTheText() {
        for (int status : new int[] {401, 403, 404, 500}) {
            // a 404 whose words mention 401 or 403 is not a refusal of the token
            URI uri = serve(HostileUpstream.answer(status, Map.of(), "{\"message\":\"HTTP 401 HTTP 403\"}"));
            UpstreamException e = assertThrows(UpstreamException.class, () -> http.stream(uri, Map.of(), Upstream.GITLAB,
                    Meter.NONE, (code, body) -> java.util.Optional.of(body), HttpFetcher.MAX_BODY_BYTES,
                    (h, body, charset) -> "read"));
            assertEquals(status == 401 || status == 403, e.credentialsRefused(), status + ": " + e.getMessage());
            upstream.close();
        }
    }

    @Test
    void anAnswerTooLargeToParseIsRefusedNotRead() {
        URI uri = serve(HostileUpstream.jobLog(HttpFetcher.MAX_BODY_BYTES + 1, null));
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(uri, Upstream.PROMETHEUS));
        assertEquals("Prometheus answered more than 16 MiB", e.getMessage());
        assertFalse(e.isTransient());
    }

    @Test
    void retryAfterForms() {
        Instant now = Instant.parse("2026-11-24T16:00:00Z");
        assertEquals(Optional.of(Duration.ofSeconds(7)), RetryAfter.parse(" 7 ", now));
        assertEquals(Optional.of(Duration.ofSeconds(30)), RetryAfter.parse("Tue, 24 Nov 2026 16:00:30 GMT", now));
        assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Tue, 24 Nov 2026 15:00:00 GMT", now));
        assertEquals(Optional.of(RetryAfter.LONGEST), RetryAfter.parse("99999999999999999999", now));
        assertEquals(Optional.empty(), RetryAfter.parse("soon", now));
        assertEquals(Optional.empty(), RetryAfter.parse("-5", now));
        assertEquals(Optional.empty(), RetryAfter.parse(null, now));
    }
}
