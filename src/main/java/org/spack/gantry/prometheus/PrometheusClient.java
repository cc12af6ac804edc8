package org.spack.gantry.prometheus;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.spack.gantry.upstream.HttpFetcher;
import org.spack.gantry.upstream.Meter;
import org.spack.gantry.upstream.Upstream;
import org.spack.gantry.upstream.UpstreamException;

/** Prometheus's HTTP API: instant and range queries, answered as a list of series. */
public final class PrometheusClient {
    private static final int MAX_RESOLUTION = 10_000;
    /** Prometheus' error texts quote the whole query; the reason stays one readable line. */
    private static final int MAX_ERROR_CHARS = 200;

    private final String baseUrl;
    private final Map<String, String> headers;
    private final HttpFetcher http;

    /** @param baseUrl ends in {@code /api/v1}; @param cookie sent as {@code _oauth2_proxy} when not blank */
    public PrometheusClient(String baseUrl, String cookie, HttpFetcher http) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.headers = cookie == null || cookie.isBlank() ? Map.of() : Map.of("Cookie", "_oauth2_proxy=" + cookie);
        this.http = http;
    }

    public List<Series> instant(String query, double time) throws UpstreamException {
        return fetch("/query?query=" + encode(query) + "&time=" + number(time));
    }

    /** A range query with the reference's step: as fine as Prometheus allows, at least one second. */
    public List<Series> range(String query, double start, double end) throws UpstreamException {
        long step = (long) Math.ceil((end - start) / MAX_RESOLUTION);
        return fetch("/query_range?query=" + encode(query) + "&start=" + number(start) + "&end=" + number(end)
                + "&step=" + step + "s");
    }

    /** {@code metric{k1="v1", k2="v2"}}, as the reference writes a selector. */
    public static String selector(String metric, Map<String, String> filters) {
        StringBuilder sb = new StringBuilder(metric).append('{');
        boolean first = true;
        for (Map.Entry<String, String> f : filters.entrySet()) {
            if (!first) sb.append(", ");
            first = false;
            sb.append(f.getKey()).append("=\"").append(escape(f.getValue(), '"')).append('"');
        }
        return sb.append('}').toString();
    }

    /** Label values come from webhooks and Prometheus itself; a quote must not end the string. */
    public static String escape(String value, char quote) {
        return value.replace("\\", "\\\\").replace(String.valueOf(quote), "\\" + quote);
    }

    private List<Series> fetch(String pathAndQuery) throws UpstreamException {
        QueryAnswerReader.Answer answer = http.stream(URI.create(baseUrl + pathAndQuery), headers, Upstream.PROMETHEUS,
                Meter.NONE, (status, body) -> errorText(body), HttpFetcher.MAX_BODY_BYTES,
                (head, body, charset) -> QueryAnswerReader.read(head.mimeType(), body, charset));
        if (!"success".equals(answer.status())) {
            throw new UpstreamException(Upstream.PROMETHEUS, "Prometheus query failed: "
                    + errorText(answer.errorType(), answer.error()).orElse("no reason given"), false);
        }
        return answer.result();
    }

    /**
     * {@code errorType: error} from Prometheus' error answer (HTTP 400, 422, 503:
     * {@code {"status":"error","errorType":"...","error":"..."}}), on one line, shortened.
     */
    static Optional<String> errorText(String body) {
        try {
            return errorText(JsonParser.parseString(body).getAsJsonObject());
        } catch (RuntimeException e) {
            // not Prometheus' JSON (a proxy's page, or cut at the read limit): the status says enough
            return Optional.empty();
        }
    }

    private static Optional<String> errorText(JsonObject root) {
        return errorText(stringOrNull(root, "errorType"), stringOrNull(root, "error"));
    }

    private static Optional<String> errorText(String type, String error) {
        if (type == null && error == null) return Optional.empty();
        String text = (type == null ? "" : type + ": ") + (error == null ? "" : error);
        text = text.replaceAll("\\p{Cntrl}+", " ").strip();
        return Optional.of(text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS - 3) + "...");
    }

    private static String stringOrNull(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Whole seconds without a fraction, as Prometheus and people read them best. */
    static String number(double t) {
        return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
    }
}
