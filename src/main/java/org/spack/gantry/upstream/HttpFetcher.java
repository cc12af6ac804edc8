package org.spack.gantry.upstream;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/** GET requests with timeouts on every phase and a classification of what went wrong. */
public final class HttpFetcher implements AutoCloseable {
    /** A successful answer: its body and media type. */
    public record Response(String body, String mimeType) {}

    private final CloseableHttpClient client;

    public HttpFetcher(Timeout connectTimeout, Timeout responseTimeout, int maxConnections) {
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
        HttpGet get = new HttpGet(uri);
        headers.forEach(get::addHeader);
        try {
            return client.execute(get, response -> {
                int status = response.getCode();
                String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
                if (status >= 500 || status == 429 || status == 408) {
                    throw new UpstreamCallFailed(what + " answered HTTP " + status, true);
                }
                if (status >= 300) {
                    throw new UpstreamCallFailed(what + " answered HTTP " + status, false);
                }
                ContentType type = response.getEntity() == null ? null : ContentType.parseLenient(response.getEntity().getContentType());
                return new Response(body, type == null ? "" : type.getMimeType());
            });
        } catch (UpstreamCallFailed e) {
            throw new UpstreamException(e.getMessage(), e.transientFailure);
        } catch (IOException e) {
            String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            throw new UpstreamException(what + " unreachable (" + detail + ")", true);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
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
