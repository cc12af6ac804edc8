package org.spack.gantry.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import org.xnio.Options;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.allocate.Allocations;
import org.spack.gantry.collect.Collection;
import org.spack.gantry.explain.Explainer;

/**
 * Undertow with Gantry's limits and request metrics. Each route is added with what its
 * handler needs; {@link #start} listens.
 */
public final class Server {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    /** GANTRY_ACCESS_LOG=true turns it on (org.spack.gantry.Logging). */
    private static final Logger ACCESS = LoggerFactory.getLogger("gantry.access");
    /** A request body must arrive within this (GitLab itself gives up on a webhook after 10 s). */
    static final java.time.Duration BODY_DEADLINE = java.time.Duration.ofSeconds(20);
    /** A request's header must be complete within this after its first byte. */
    static final int HEADER_DEADLINE_MS = 10_000;
    /** The socket send buffer of each connection. */
    static final int SEND_BUFFER_BYTES = 128 * 1024;
    /** A kept-alive connection with no request under way is closed after this. */
    static final int IDLE_CONNECTION_MS = 60_000;

    private final RoutingHandler router = new RoutingHandler()
            .setFallbackHandler(exchange -> Responses.text(exchange, 404, "not found"))
            .setInvalidMethodHandler(exchange -> Responses.text(exchange, 405, "method not allowed"));
    private final int ioThreads;
    private final HttpListener listener;
    /** A few lines per 5 s at most, whatever a client sends. */
    private final RefusalLog refusals;
    /** Counts requests under way, so that a shutdown can let them finish (webhooks: their commit). */
    private final GracefulShutdownHandler graceful = new GracefulShutdownHandler(router);
    private final Undertow undertow;
    /** Its threads are stopped with the server; none until {@link #allocations} adds the route. */
    private AutoCloseable batches = () -> {};

    public Server(String host, int port, int ioThreads, int workerThreads, HttpListener listener) {
        this.ioThreads = ioThreads;
        this.listener = listener;
        this.refusals = new RefusalLog(listener, 10, 5);
        this.undertow = Undertow.builder()
                .addHttpListener(port, host)
                .setIoThreads(ioThreads)
                .setWorkerThreads(workerThreads)
                // Undertow's own refusals (an empty 400) only past twice Gantry's limit (HttpSyntax),
                // which answers with a line; as many fields and parameters as fit (the reference, aiohttp,
                // takes 32,768 fields and any number of parameters)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 2 * HttpSyntax.MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.MAX_HEADERS, 2 * HttpSyntax.MAX_HEADER_BYTES)
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 2 * HttpSyntax.MAX_HEADER_BYTES)
                // the query is read as the reference reads it (QueryString), not decoded (and refused) here
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, CollectHandler.MAX_BODY)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, HEADER_DEADLINE_MS)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, IDLE_CONNECTION_MS)
                // what the kernel keeps of answers not yet taken, per connection: a client that does
                // not read is answered (and costs) this much at most before it waits (Linux would
                // grow it to 4 MiB); ample for a 10,000-spec answer within a cluster
                .setSocketOption(Options.SEND_BUFFER, SEND_BUFFER_BYTES)
                .setHandler(new MeasuredHandler(new HttpSyntax(graceful, refusals), listener))
                .build();
    }

    /** {@code GET /v1/allocation} and {@code POST /v1/allocations}. */
    public Server allocations(Allocations allocations) {
        getAndHead("/v1/allocation", new AllocationHandler(allocations, refusals));
        // a few batches made at a time (half the IO threads' worth): single requests keep the rest
        BatchAllocationHandler batch = new BatchAllocationHandler(allocations, Math.max(1, ioThreads / 2),
                BatchAllocationHandler.defaultHeldBodies(), refusals);
        batches = batch;
        router.post("/v1/allocations", batch);
        return this;
    }

    /** {@code GET /v1/allocation/explain}: why a spec gets its answer. */
    public Server explanations(Explainer explainer) {
        getAndHead(ExplainHandler.ROUTE, new ExplainHandler(explainer, refusals));
        return this;
    }

    /** {@code POST /v1/collect}: GitLab's Job Hook. */
    public Server webhooks(Collection collection, String webhookToken) {
        router.post("/v1/collect", new CollectHandler(collection, webhookToken, listener, refusals));
        return this;
    }

    /** {@code GET /healthz}, answered on a worker thread: it asks the database. */
    public Server health(String version, Supplier<Health> health) {
        getAndHead("/healthz", blocking(new HealthHandler(version, health)));
        return this;
    }

    /** {@code GET /metrics}: the Prometheus text format. */
    public Server metrics(Supplier<String> scrape) {
        getAndHead("/metrics", blocking(exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseSender().send(scrape.get());
        }));
        return this;
    }

    /**
     * As the reference's aiohttp routes ({@code add_get} with {@code allow_head=True}, its
     * default): HEAD answers with the status and headers GET would have, and no body
     * (Undertow drops the body of an answer to HEAD and keeps its Content-Length).
     */
    private void getAndHead(String path, HttpHandler handler) {
        router.get(path, handler);
        router.add(Methods.HEAD, path, handler);
    }

    /** Database work must leave the IO threads. */
    private static HttpHandler blocking(HttpHandler handler) {
        return exchange -> {
            if (exchange.isInIoThread()) {
                exchange.dispatch(handler);
            } else {
                handler.handleRequest(exchange);
            }
        };
    }

    /**
     * One IO thread per core: allocations are answered on them, and more threads than
     * cores only adds switching (measured in bench/RESULTS.md).
     */
    public static int ioThreads(int cores) {
        return Math.max(1, cores);
    }

    public void start() {
        undertow.start();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /**
     * Answers new requests with 503, waits up to {@code graceMs} for those under way
     * (a webhook waiting for its commit gets its answer), then closes the listener.
     */
    public void shutdown(long graceMs) {
        graceful.shutdown();
        try {
            if (!graceful.awaitShutdown(graceMs)) {
                log.warn("requests still under way after {} ms; closing anyway", graceMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        undertow.stop();
        try {
            batches.close();
        } catch (Exception e) {
            log.warn("stopping the allocation batch threads failed", e);
        }
        refusals.close();
    }

    /** Counts every request by route and status, and times it. */
    private static final class MeasuredHandler implements HttpHandler {
        private final HttpHandler next;
        private final HttpListener listener;

        MeasuredHandler(HttpHandler next, HttpListener listener) {
            this.next = next;
            this.listener = listener;
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            long start = System.nanoTime();
            String route = route(exchange.getRequestPath());
            listener.begun(route);
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                listener.request(route, ex.getStatusCode(), seconds);
                if (ACCESS.isInfoEnabled()) {
                    // the path without its query: a token or a spec never reaches the log
                    ACCESS.atInfo().addKeyValue("route", route)
                            .log("{} {} {} {} bytes {} ms", ex.getRequestMethod(), ex.getRequestPath().replaceAll("\\p{Cntrl}", "?"), ex.getStatusCode(),
                                    ex.getResponseBytesSent(), Math.round(seconds * 1000));
                }
                nextListener.proceed();
            });
            next.handleRequest(exchange);
        }
    }

    /** The {@code route} label of a path: one of Gantry's, or {@code other}. */
    static String route(String path) {
        return switch (path) {
            case "/v1/allocation", "/v1/allocations", "/v1/allocation/explain", "/v1/collect", "/healthz", "/metrics" -> path;
            default -> "other";
        };
    }
}
