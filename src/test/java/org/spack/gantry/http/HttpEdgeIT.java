package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.spack.gantry.testing.ClusterStandIn;
import org.spack.gantry.testing.GantryProcess;
import org.spack.gantry.testing.RawClient;
import org.spack.gantry.testing.Webhooks;

/**
 * The HTTP edge of the packaged server (issue 17, item 9): what used to be refused by
 * Undertow with an empty body before Gantry's code saw it, transfer codings HTTP
 * forbids, method case, HEAD on every GET route as the reference's aiohttp answers it,
 * and webhooks that are not strict JSON.
 */
class HttpEdgeIT {
    private static final String HOOK_TOKEN = "http-edge-token";
    private static final String SPEC = "zlib@1.3.1 +shared arch=linux-ubuntu22.04-x86_64_v3%gcc@11.4.0";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** An answer read off a raw connection. */
    private record Answer(int status, Map<String, String> headers, String body) {}

    /** Sends one request (with {@code Connection: close}) and reads the whole answer. */
    private static Answer raw(int port, String requestLine, List<String> headers, byte[] body) throws Exception {
        try (RawClient c = new RawClient(port)) {
            List<String> all = new ArrayList<>(headers);
            all.add("Connection: close");
            c.head(requestLine, true, all.toArray(String[]::new));
            if (body != null) c.send(body);
            String text = c.readUntilClosed(Duration.ofSeconds(20));
            int end = text.indexOf("\r\n\r\n");
            assertTrue(end > 0, "no answer to " + requestLine + ": " + text);
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                fields.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), fields, text.substring(end + 4));
        }
    }

    private static Answer raw(int port, String requestLine, String... headers) throws Exception {
        return raw(port, requestLine, List.of(headers), null);
    }

    private HttpResponse<String> get(GantryProcess gantry, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gantry.url(pathAndQuery))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> head(GantryProcess gantry, String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gantry.url(pathAndQuery))).timeout(Duration.ofSeconds(10))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encoded(String spec) {
        return URLEncoder.encode(spec, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theEdgeAnswersWithOneLineOrAsTheReference() throws Exception {
        long started = System.nanoTime();
        try (ClusterStandIn cluster = new ClusterStandIn();
                GantryProcess gantry = GantryProcess.serve(dir, cluster.env(HOOK_TOKEN, dir.resolve("gantry.db")))) {
            int port = URI.create(gantry.baseUrl()).getPort();
            HttpResponse<String> expected = get(gantry, "/v1/allocation?spec=" + encoded(SPEC));
            assertEquals(200, expected.statusCode(), expected.body());

            // percent-encoding as the reference reads it (Python's parse_qsl): a bad escape is kept as text
            Answer badEscape = raw(port, "GET /v1/allocation?spec=%zz HTTP/1.1");
            assertEquals(400, badEscape.status());
            assertEquals("invalid spec", badEscape.body());
            // the compiler's % sent unencoded ("%gc" is no escape): the same answer as the encoded spec
            Answer unencoded = raw(port, "GET /v1/allocation?spec=" + SPEC.replace(" ", "%20").replace("+", "%2B")
                    + " HTTP/1.1");
            assertEquals(200, unencoded.status(), unencoded.body());
            assertEquals(expected.body(), unencoded.body());

            // a 64 KiB header line: refused with a line
            Answer longHeader = raw(port, "GET /healthz HTTP/1.1", "X-Long: " + "a".repeat(64 * 1024));
            assertEquals(431, longHeader.status());
            assertEquals("request header too large: at most 64 KiB", longHeader.body());
            // 1,000 header fields and 1,000 parameters: taken, as the reference takes them
            List<String> fields = new ArrayList<>();
            for (int i = 0; i < 1000; i++) fields.add("X-Field-" + i + ": " + i);
            Answer manyFields = raw(port, "GET /v1/allocation?spec=" + encoded(SPEC) + " HTTP/1.1", fields, null);
            assertEquals(200, manyFields.status(), manyFields.body());
            assertEquals(expected.body(), manyFields.body());
            Answer manyParameters = raw(port, "GET /v1/allocation?spec=" + encoded(SPEC) + "&a=1".repeat(1000) + " HTTP/1.1");
            assertEquals(200, manyParameters.status(), manyParameters.body());
            assertEquals(expected.body(), manyParameters.body());

            // transfer codings other than chunked alone: 400 and the connection closed (RFC 9112, 6.1 and 6.3)
            byte[] chunked = "2\r\n[]\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (List<String> codings : List.of(List.of("Transfer-Encoding: chunked, identity"),
                    List.of("Transfer-Encoding: gzip, chunked"))) {
                for (String route : List.of("/v1/allocations", "/v1/collect")) {
                    List<String> headers = new ArrayList<>(codings);
                    headers.addAll(List.of("Content-Type: application/json", "X-Gitlab-Event: Job Hook",
                            "X-Gitlab-Token: " + HOOK_TOKEN));
                    Answer refused = raw(port, "POST " + route + " HTTP/1.1", headers, chunked);
                    assertEquals(400, refused.status(), codings + " " + route + ": " + refused.body());
                    assertEquals("unsupported Transfer-Encoding: only chunked alone is accepted", refused.body());
                    assertEquals("close", refused.headers().get("Connection").toLowerCase(Locale.ROOT));
                }
            }
            // chunked alone is still taken
            Answer plainChunked = raw(port, "POST /v1/allocations HTTP/1.1", List.of("Transfer-Encoding: chunked"), chunked);
            assertEquals(200, plainChunked.status(), plainChunked.body());
            assertEquals("[]", plainChunked.body().replaceAll("(?s)^[0-9a-f]+\r\n|\r\n0\r\n\r\n$", ""));

            // methods are case-sensitive (RFC 9110, 9.1)
            Answer lower = raw(port, "get /healthz HTTP/1.1");
            assertEquals(405, lower.status());
            assertEquals("method not allowed", lower.body());

            // HEAD on every GET route: the status and headers of the GET, no body
            HttpResponse<String> headAllocation = head(gantry, "/v1/allocation?spec=" + encoded(SPEC));
            assertEquals(200, headAllocation.statusCode());
            assertEquals("", headAllocation.body());
            assertEquals(expected.headers().firstValue("Content-Type"), headAllocation.headers().firstValue("Content-Type"));
            assertEquals(String.valueOf(expected.body().length()),
                    headAllocation.headers().firstValue("Content-Length").orElse(null));
            HttpResponse<String> headMissing = head(gantry, "/v1/allocation");
            assertEquals(400, headMissing.statusCode());
            assertEquals(String.valueOf("missing spec parameter".length()),
                    headMissing.headers().firstValue("Content-Length").orElse(null));
            for (String path : List.of("/healthz", "/metrics")) {
                HttpResponse<String> h = head(gantry, path);
                assertEquals(200, h.statusCode(), path);
                assertEquals("", h.body(), path);
            }
            assertEquals(405, head(gantry, "/v1/allocations").statusCode());

            // webhooks: strict JSON as the reference's json.loads takes it
            Webhooks hooks = new Webhooks(gantry.baseUrl(), HOOK_TOKEN);
            long now = System.currentTimeMillis() / 1000;
            String strict = Webhooks.success(4242, now - 3600, now - 3000).toString();
            String unquotedKeys = strict.replaceAll("\"([a-z_]+)\":", "$1:");
            String singleQuotes = strict.replace('"', '\'');
            for (String lenient : List.of(unquotedKeys, singleQuotes, strict + " // a comment", strict + " {}")) {
                HttpResponse<String> r = hooks.post(lenient);
                assertEquals(400, r.statusCode(), lenient);
                assertEquals("invalid json", r.body());
            }
            assertEquals(200, hooks.post(strict).statusCode());
            assertTrue(gantry.isAlive());
        }
        System.out.printf("HttpEdgeIT took %.1f s%n", (System.nanoTime() - started) / 1e9);
    }
}
