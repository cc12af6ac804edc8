package org.spack.gantry.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * GET (and the odd POST) requests under one deadline for the whole call (connection, headers and body:
 * an upstream that trickles its answer cannot hold a thread longer), each answer handed
 * to its reader as it arrives and never read past a bound, with a classification of
 * what went wrong (the underlying exception kept as the cause) and the cost of the calls
 * in a {@link Meter}.
 */
public final class HttpFetcher implements AutoCloseable {
    /** The most of a JSON answer read: far more than any page or query result the APIs give. */
    public static final long MAX_BODY_BYTES = 16 << 20;
    /** No bound on the body: for answers read as they arrive and never kept (job logs). */
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** Of an error answer only the start is read: enough for Prometheus' error object. */
    private static final int ERROR_BODY_BYTES = 8 << 10;

    /** A successful answer's status, media type and headers (names case-insensitive). */
    public record Head(int status, String mimeType, Map<String, List<String>> headers) {
        public Optional<String> header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }
    }

    /** Reads a successful answer's body as it arrives; throws {@link UnusableAnswer} for one that is not the API's. */
    @FunctionalInterface
    public interface BodyReader<T> {
        T read(Head head, InputStream body, Charset charset) throws IOException;
    }

    /** Turns the start of an error answer's body into a detail for the reason, if it holds one. */
    @FunctionalInterface
    public interface ErrorDetail {
        Optional<String> of(int status, String bodyStart);

        ErrorDetail NONE = (status, body) -> Optional.empty();
    }

    /** Built on the first call (its TLS set-up takes a few hundred milliseconds: not on a server's start). */
    private final Supplier<CloseableHttpClient> newClient;
    private volatile CloseableHttpClient client;
    private final Timeout deadline;
    /** Calls under way, so that a shutdown can abandon them instead of waiting out a slow upstream. */
    private final Set<HttpUriRequestBase> inFlight = ConcurrentHashMap.newKeySet();
    /** Cancels each call that outlives its deadline. */
    private final ScheduledThreadPoolExecutor timer;
    private volatile boolean aborted;

    /**
     * What {@code GANTRY_HTTP_TIMEOUT_SECONDS} means, for {@code serve} and {@code backfill}
     * alike: a call takes at most that long, and connecting at most 5 s of it.
     */
    public static HttpFetcher withTimeout(int seconds, int maxConnections) {
        return new HttpFetcher(Timeout.ofSeconds(Math.min(5, seconds)), Timeout.ofSeconds(seconds), maxConnections);
    }

    /** @param deadline the whole call, from asking for a connection to the body's last byte */
    public HttpFetcher(Timeout connectTimeout, Timeout deadline, int maxConnections) {
        this.deadline = deadline;
        this.newClient = () -> {
            PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(ConnectionConfig.custom()
                            .setConnectTimeout(connectTimeout)
                            .setSocketTimeout(deadline)
                            .build())
                    .setMaxConnTotal(maxConnections)
                    .setMaxConnPerRoute(maxConnections)
                    .build();
            return HttpClients.custom()
                    .setConnectionManager(pool)
                    .setDefaultRequestConfig(RequestConfig.custom()
                            .setConnectionRequestTimeout(deadline)
                            .setResponseTimeout(deadline)
                            .build())
                    .disableAutomaticRetries()
                    .disableCookieManagement()
                    .build();
        };
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "http-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    private CloseableHttpClient client() {
        CloseableHttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) client = c = newClient.get();
            }
        }
        return c;
    }

    /**
     * The body handed to {@code reader} as it arrives, at most {@code maxBytes} of it;
     * whatever the reader leaves unread is never fetched. The call, and the bytes of its
     * answer read, are counted in {@code meter}.
     */
    public <T> T stream(URI uri, Map<String, String> headers, Upstream upstream, Meter meter, ErrorDetail errorDetail,
            long maxBytes, BodyReader<T> reader) throws UpstreamException {
        return call(new HttpGet(uri), headers, upstream, meter, errorDetail, maxBytes, reader);
    }

    /**
     * As {@link #stream}, with a POST without a body (its parameters in the query, as
     * GitLab's API takes them). A transient failure may have come after the upstream
     * acted: the caller decides whether asking again is safe.
     */
    public <T> T post(URI uri, Map<String, String> headers, Upstream upstream, Meter meter, ErrorDetail errorDetail,
            long maxBytes, BodyReader<T> reader) throws UpstreamException {
        return call(new HttpPost(uri), headers, upstream, meter, errorDetail, maxBytes, reader);
    }

    private <T> T call(HttpUriRequestBase get, Map<String, String> headers, Upstream upstream, Meter meter,
            ErrorDetail errorDetail, long maxBytes, BodyReader<T> reader) throws UpstreamException {
        if (aborted) {
            throw new UpstreamException(upstream, upstream + " not asked: Gantry is stopping", true);
        }
        headers.forEach(get::addHeader);
        inFlight.add(get);
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            expired.set(true);
            get.cancel();
        }, deadline.toMilliseconds(), TimeUnit.MILLISECONDS);
        ClassicHttpResponse response = null;
        CountingBody body = null;
        try {
            response = client().executeOpen(null, get, null);
            HttpEntity entity = response.getEntity();
            body = new CountingBody(entity == null ? InputStream.nullInputStream() : entity.getContent(), upstream, maxBytes);
            int status = response.getCode();
            if (status >= 300) {
                throw failure(upstream, status, response, body, errorDetail);
            }
            ContentType type = ContentType.parseLenient(entity == null ? null : entity.getContentType());
            return reader.read(new Head(status, type == null ? "" : type.getMimeType(), headersOf(response)), body,
                    charsetOf(type));
        } catch (UpstreamCallFailed e) {
            throw new UpstreamException(upstream, e.getMessage(), e.transientFailure, e.retryAfter, e.status, null);
        } catch (UnusableAnswer e) {
            throw new UpstreamException(upstream, e.getMessage(), e.isTransient(), e.getCause());
        } catch (IOException e) {
            throw new UpstreamException(upstream, describe(upstream, e, expired.get()), true, e);
        } finally {
            timeout.cancel(false);
            inFlight.remove(get);
            meter.request(body == null ? 0 : body.count);
            if (body == null || !body.atEnd) {
                // the rest of the body is not wanted: drop the connection instead of reading it out
                get.cancel();
            }
            closeQuietly(response);
        }
    }

    private static UpstreamCallFailed failure(Upstream upstream, int status, ClassicHttpResponse response,
            InputStream body, ErrorDetail errorDetail) throws IOException {
        String start = new String(body.readNBytes(ERROR_BODY_BYTES), StandardCharsets.UTF_8);
        String reason = upstream + " answered HTTP " + status + errorDetail.of(status, start).map(d -> ": " + d).orElse("");
        if (status >= 500 || status == 429 || status == 408) {
            Duration retryAfter = status == 429 || status == 503
                    ? RetryAfter.parse(headerValue(response, "Retry-After"), Instant.now()).orElse(null)
                    : null;
            return new UpstreamCallFailed(reason, true, retryAfter, status);
        }
        if (UpstreamException.refusesCredentials(status)) {
            return new UpstreamCallFailed(reason + " (" + upstream.credentialHint() + ")", false, null, status);
        }
        return new UpstreamCallFailed(reason, false, null, status);
    }

    private static String headerValue(ClassicHttpResponse response, String name) {
        Header h = response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static Map<String, List<String>> headersOf(ClassicHttpResponse response) {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : response.getHeaders()) {
            out.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(out);
    }

    private static Charset charsetOf(ContentType type) {
        Charset charset = type == null ? null : type.getCharset();
        return charset == null ? StandardCharsets.UTF_8 : charset;
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        if (response == null) return;
        try {
            response.close();
        } catch (IOException | RuntimeException e) {
            // a cancelled connection may complain on close; the call's outcome is already decided
        }
    }

    /** One line an operator can act on: refused, timed out, or something else. */
    private String describe(Upstream upstream, IOException e, boolean expired) {
        if (expired) {
            return upstream + " did not answer within " + deadline.toSeconds() + " s";
        }
        if (aborted) {
            return upstream + " call abandoned: Gantry is stopping";
        }
        if (e instanceof HttpHostConnectException || e instanceof ConnectException) {
            return upstream + " refused the connection (" + e.getMessage() + ")";
        }
        if (e instanceof ConnectTimeoutException) {
            return upstream + " could not be reached in time (" + e.getMessage() + ")";
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return upstream + " did not answer within " + deadline.toSeconds() + " s";
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return upstream + " unreachable (" + detail + ")";
    }

    /** Abandons every call under way and refuses new ones: their callers see a transient failure at once. */
    public void abort() {
        aborted = true;
        for (HttpUriRequestBase get : inFlight) {
            get.cancel();
        }
    }

    @Override
    public void close() {
        abort();
        timer.shutdownNow();
        CloseableHttpClient built = client;
        if (built != null) built.close(CloseMode.IMMEDIATE);
    }

    /**
     * Counts the body's bytes as they are read, refuses to read past the bound, and
     * remembers whether the body was read to its end, so that a connection is kept only then.
     */
    private static final class CountingBody extends java.io.FilterInputStream {
        private final Upstream upstream;
        private final long maxBytes;
        long count;
        boolean atEnd;

        CountingBody(InputStream in, Upstream upstream, long maxBytes) {
            super(in);
            this.upstream = upstream;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            counted(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            counted(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }

        private void counted(int n) throws UpstreamCallFailed {
            if (n < 0) {
                atEnd = true;
                return;
            }
            count += n;
            if (count > maxBytes) {
                throw new UpstreamCallFailed(upstream + " answered more than " + (maxBytes >> 20) + " MiB", false, null, 0);
            }
        }
    }

    /** Carries a classified failure out of the response handling. */
    private static final class UpstreamCallFailed extends IOException {
        final boolean transientFailure;
        final Duration retryAfter;
        /** The failing HTTP status; 0 for a body that broke a limit. */
        final int status;

        UpstreamCallFailed(String message, boolean transientFailure, Duration retryAfter, int status) {
            super(message);
            this.transientFailure = transientFailure;
            this.retryAfter = retryAfter;
            this.status = status;
        }
    }
}
