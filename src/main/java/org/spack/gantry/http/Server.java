package org.spack.gantry.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.collect.Intake;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.spec.SpecParser;

/** Undertow with Gantry's routes, limits and request metrics. */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    /** GANTRY_ACCESS_LOG=true turns it on (org.spack.gantry.Logging). */
    private static final Logger ACCESS = LoggerFactory.getLogger("gantry.access");
    private static final long DEFAULT_GRACE_MS = 5_000;
    /** A request body must arrive within this (GitLab itself gives up on a webhook after 10 s). */
    static final java.time.Duration BODY_DEADLINE = java.time.Duration.ofSeconds(20);
    /** A request's header must be complete within this after its first byte. */
    static final int HEADER_DEADLINE_MS = 10_000;
    /** A kept-alive connection with no request under way is closed after this. */
    static final int IDLE_CONNECTION_MS = 60_000;

    private final Undertow undertow;
    private final GracefulShutdownHandler graceful;
    private final RefusalLog refusals;

    /**
     * @param history answers allocations once loaded
     * @param untilLoaded answers them until then (the reference queries)
     */
    public record Routes(LiveHistory history, Predictor untilLoaded, Intake intake, String webhookToken, String collectionDisabledReason,
            String version, String collectionStatus, Supplier<HealthHandler.DatabaseState> databaseState,
            GantryMetrics metrics, MemoryLimit memoryLimit, org.spack.gantry.worker.Workers workers) {
        /** The index once loaded, the reference queries until then. */
        Predictor current() {
            return spec -> {
                HistoryIndex index = history.index();
                return (index != null ? index : untilLoaded).predict(spec);
            };
        }
    }

    public Server(String host, int port, int ioThreads, int workerThreads, Routes routes) {
        SpecParser parser = new SpecParser();
        // a few lines per 5 s at most, whatever a client sends
        this.refusals = new RefusalLog(routes.metrics(), 10, 5);
        RoutingHandler router = new RoutingHandler()
                .get("/v1/allocation", new AllocationHandler(parser, routes.history(), routes.untilLoaded(), routes.metrics(),
                        new AnswerCache(AnswerCache.defaultBudget()), routes.memoryLimit(), refusals))
                .post("/v1/allocations", new BatchAllocationHandler(parser, routes.current(), routes.metrics(),
                        Math.max(1, ioThreads / 2), routes.memoryLimit(), refusals))
                .post("/v1/collect", new CollectHandler(routes.intake(), routes.webhookToken(), routes.collectionDisabledReason(),
                        routes.metrics(), refusals))
                .get("/healthz", blocking(new HealthHandler(routes.version(), routes.collectionStatus(), routes.databaseState(),
                        routes.workers())))
                .get("/metrics", blocking(exchange -> {
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getResponseSender().send(routes.metrics().scrape());
                }))
                .setFallbackHandler(exchange -> Responses.text(exchange, 404, "not found"))
                .setInvalidMethodHandler(exchange -> Responses.text(exchange, 405, "method not allowed"));
        // counts requests under way, so that a shutdown can let them finish (webhooks: their commit)
        this.graceful = new GracefulShutdownHandler(router);
        this.undertow = Undertow.builder()
                .addHttpListener(port, host)
                .setIoThreads(ioThreads)
                .setWorkerThreads(workerThreads)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, CollectHandler.MAX_BODY)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, HEADER_DEADLINE_MS)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, IDLE_CONNECTION_MS)
                .setHandler(new MeasuredHandler(graceful, routes.metrics()))
                .build();
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
        refusals.close();
    }

    @Override
    public void close() {
        shutdown(DEFAULT_GRACE_MS);
    }

    /** Counts every request by route and status, and times it. */
    private static final class MeasuredHandler implements HttpHandler {
        private final HttpHandler next;
        private final GantryMetrics metrics;

        MeasuredHandler(HttpHandler next, GantryMetrics metrics) {
            this.next = next;
            this.metrics = metrics;
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            long start = System.nanoTime();
            String route = route(exchange.getRequestPath());
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                double seconds = (System.nanoTime() - start) / 1e9;
                metrics.request(route, ex.getStatusCode(), seconds);
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

        private static String route(String path) {
            return switch (path) {
                case "/v1/allocation", "/v1/allocations", "/v1/collect", "/healthz", "/metrics" -> path;
                default -> "other";
            };
        }
    }
}
