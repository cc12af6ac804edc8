package org.spack.gantry.http;

import com.google.gson.JsonObject;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.worker.Worker;

/** {@code GET /healthz}: 200 while the database answers, 503 otherwise; the deploy tooling reads it. */
final class HealthHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(HealthHandler.class);

    private final String version;
    private final Supplier<Health> health;

    HealthHandler(String version, Supplier<Health> health) {
        this.version = version;
        this.health = health;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        JsonObject body = new JsonObject();
        int status;
        try {
            Health h = health.get();
            body.addProperty("status", "ok");
            body.addProperty("version", version);
            body.addProperty("database", h.database());
            body.addProperty("database_reachable", true);
            body.addProperty("schema_version", h.schemaVersion());
            body.addProperty("queue_depth", h.queueDepth());
            body.addProperty("allocations", h.allocations());
            body.addProperty("collection", h.collection());
            body.addProperty("reconciliation", h.reconciliation());
            // a worker that died or is stuck: seen here and in gantry_worker_up, not only in the log
            JsonObject workers = new JsonObject();
            for (Worker.State w : h.workers()) workers.addProperty(w.name(), w.up() ? "up" : w.problem());
            body.add("workers", workers);
            status = 200;
        } catch (RuntimeException e) {
            log.error("health check failed", e);
            body.addProperty("status", "error");
            body.addProperty("version", version);
            body.addProperty("database_reachable", false);
            body.addProperty("error", e.getMessage());
            status = 503;
        }
        Responses.json(exchange, status, body.toString());
    }
}
