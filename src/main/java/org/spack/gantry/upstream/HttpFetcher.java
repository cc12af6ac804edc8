package org.spack.gantry.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/** GET requests with timeouts on every phase and a classification of what went wrong. */
public final class HttpFetcher implements AutoCloseable {
    /** A successful answer: its body and media type. */
    public record Response(String body, String mimeType) {}

    private final CloseableHttpClient client;
    private final Timeout responseTimeout;
    /** Calls under way, so that a shutdown can abandon them instead of waiting out a slow upstream. */
    private final Set<HttpGet> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    public HttpFetcher(Timeout connectTimeout, Timeout responseTimeout, int maxConnections) {
        this.responseTimeout = responseTimeout;
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(connectTimeout)
                        .setSocketTimeout(responseTimeout)
                        .build())
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(responseTimeout)
                        .setResponseTimeout(responseTimeout)
                        .build())
                .disableAutomaticRetries()
                .disableCookieManagement()
                .build();
    }

    public Response get(URI uri, Map<String, String> headers, String what) throws UpstreamException {
        if (aborted) {
            throw new UpstreamException(what, what + " not asked: Gantry is stopping", true);
        }
        HttpGet get = new HttpGet(uri);
        headers.forEach(get::addHeader);
        inFlight.add(get);
        try {
            return client.execute(get, response -> {
                int status = response.getCode();
                String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                if (status >= 500 || status == 429 || status == 408) {
                    throw new UpstreamCallFailed(what + " answered HTTP " + status, true);
                }
                if (status == 401 || status == 403) {
                    throw new UpstreamCallFailed(what + " answered HTTP " + status + " (" + credentialHint(what) + ")", false);
                }
                if (status >= 300) {
                    throw new UpstreamCallFailed(what + " answered HTTP " + status, false);
                }
                ContentType type = response.getEntity() == null ? null : ContentType.parseLenient(response.getEntity().getContentType());
                return new Response(body, type == null ? "" : type.getMimeType());
            });
        } catch (UpstreamCallFailed e) {
            throw new UpstreamException(what, e.getMessage(), e.transientFailure);
        } catch (IOException e) {
            throw new UpstreamException(what, describe(what, e), true);
        } finally {
            inFlight.remove(get);
        }
    }

    private static String credentialHint(String what) {
        // the two settings an operator gets wrong; naming them saves a search
        return "GitLab".equals(what) ? "is GITLAB_API_TOKEN valid?" : "is PROMETHEUS_COOKIE valid?";
    }

    /** One line an operator can act on: refused, timed out, or something else. */
    private String describe(String what, IOException e) {
        if (aborted) {
            return what + " call abandoned: Gantry is stopping";
        }
        if (e instanceof HttpHostConnectException || e instanceof ConnectException) {
            return what + " refused the connection (" + e.getMessage() + ")";
        }
        if (e instanceof ConnectTimeoutException) {
            return what + " could not be reached in time (" + e.getMessage() + ")";
        }
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return what + " did not answer within " + responseTimeout.toSeconds() + " s";
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return what + " unreachable (" + detail + ")";
    }

    /** Abandons every call under way and refuses new ones: their callers see a transient failure at once. */
    public void abort() {
        aborted = true;
        for (HttpGet get : inFlight) {
            get.cancel();
        }
    }

    @Override
    public void close() throws IOException {
        abort();
        client.close(CloseMode.IMMEDIATE);
    }

    /** Carries a classified failure out of the response handler. */
    private static final class UpstreamCallFailed extends IOException {
        final boolean transientFailure;

        UpstreamCallFailed(String message, boolean transientFailure) {
            super(message);
            this.transientFailure = transientFailure;
        }
    }
}
