package org.spack.gantry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * An upstream that misbehaves on a real HTTP port: answers of any size produced as they
 * are sent (a 100 MB job log is never held in memory), answers trickled a byte at a time,
 * any status with any headers. Each request is recorded with the time it arrived.
 */
public final class HostileUpstream implements AutoCloseable {
    /** How one request is answered. */
    @FunctionalInterface
    public interface Reply {
        void send(HttpExchange ex) throws IOException;
    }

    /** One request as received: its path and when ({@link System#nanoTime()}). */
    public record Request(String path, long nanoTime) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** @param route the reply for a request path (its query left out) */
    public HostileUpstream(Function<String, Reply> route) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            requests.add(new Request(ex.getRequestURI().getPath(), System.nanoTime()));
            try {
                route.apply(ex.getRequestURI().getPath()).send(ex);
            } catch (IOException | RuntimeException e) {
                // the client hung up (as it should once it has what it needs, or at its deadline)
            } finally {
                ex.close();
            }
        });
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<Request> requests() {
        return requests;
    }

    /** A complete answer. */
    public static Reply answer(int status, Map<String, String> headers, String body) {
        return ex -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) ex.getResponseBody().write(bytes);
        };
    }

    /**
     * A job log of {@code size} bytes, sent chunked: build output lines, then (when not
     * null) {@code lastLine} as the log's very end.
     */
    public static Reply jobLog(long size, String lastLine) {
        return ex -> {
            byte[] tail = lastLine == null ? new byte[0] : (lastLine + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] block = filler(64 << 10);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            long left = size - tail.length;
            while (left > 0) {
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                left -= n;
            }
            out.write(tail);
        };
    }

    /** Build output, line after line, {@code size} bytes. */
    static byte[] filler(int size) {
        byte[] line = "==> Installing zlib-ng-2.1.6-abcdefghijklmnopqrstuvwxyz012345 [12/345]\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) out[i] = line[i % line.length];
        return out;
    }

    /** A 200 whose {@code body} arrives one byte every {@code every} (declared length, so it looks healthy). */
    public static Reply trickle(String contentType, String body, Duration every) {
        return ex -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(200, bytes.length);
            OutputStream out = ex.getResponseBody();
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        };
    }

    /** Paths asked for, in order. */
    public List<String> paths() {
        return Arrays.asList(requests.stream().map(Request::path).toArray(String[]::new));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
