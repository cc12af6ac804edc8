package org.spack.gantry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * GitLab and Prometheus stand-ins on a real HTTP port (no GitLab can run here, and
 * some tests need canned Prometheus answers). Answers are chosen by a function of
 * the request path and decoded query; every request is recorded.
 */
public final class FakeUpstream implements AutoCloseable {
    /** A canned answer, with extra response headers. */
    public record Answer(int status, String contentType, String body, long delayMs, Map<String, String> headers) {
        public Answer(int status, String contentType, String body, long delayMs) {
            this(status, contentType, body, delayMs, Map.of());
        }

        public static Answer json(String body) {
            return new Answer(200, "application/json", body, 0);
        }

        public static Answer text(String body) {
            return new Answer(200, "text/plain", body, 0);
        }
    }

    /** One request as received. */
    public record Request(String path, String query, Map<String, String> headers, String method) {
        public Request(String path, String query, Map<String, String> headers) {
            this(path, query, headers, "GET");
        }
    }

    static {
        // the JDK server writes headers and body separately: without this, Nagle's algorithm
        // and the client's delayed ACK hold every answer back 40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Function<Request, Answer> responder;

    public FakeUpstream(Function<Request, Answer> responder) {
        this.responder = responder;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public void respondWith(Function<Request, Answer> responder) {
        this.responder = responder;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Request> requests() {
        return requests;
    }

    private void handle(HttpExchange ex) throws IOException {
        Map<String, String> headers = new ConcurrentHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        String rawQuery = ex.getRequestURI().getRawQuery();
        Request req = new Request(ex.getRequestURI().getPath(),
                rawQuery == null ? "" : URLDecoder.decode(rawQuery, StandardCharsets.UTF_8), headers, ex.getRequestMethod());
        requests.add(req);
        Answer a;
        try {
            a = responder.apply(req);
        } catch (RuntimeException e) {
            a = new Answer(500, "text/plain", "stand-in failed: " + e, 0);
        }
        if (a.delayMs() > 0) {
            try {
                Thread.sleep(a.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", a.contentType());
        a.headers().forEach(ex.getResponseHeaders()::set);
        ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        // handlers still sleeping out a delay are woken, so that no thread outlives the test
        executor.shutdownNow();
    }
}
