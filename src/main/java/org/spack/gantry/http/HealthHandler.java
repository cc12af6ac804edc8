package org.spack.gantry.http;

import com.google.gson.JsonObject;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /healthz}: 200 while the database answers, 503 otherwise; the deploy tooling reads it. */
public final class HealthHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(HealthHandler.class);

    /**
     * What the database says right now; throws when it cannot answer.
     * @param database which database: {@code sqlite /path} or {@code postgresql://user@host:port/db}
     * @param reconciliation whether automatic reconciliation runs, and its last completed run
     */
    public record DatabaseState(String database, String schemaVersion, long queueDepth, String reconciliation) {}

    private final String version;
    private final String collection;
    private final Supplier<DatabaseState> database;

    HealthHandler(String version, String collection, Supplier<DatabaseState> database) {
        this.version = version;
        this.collection = collection;
        this.database = database;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        JsonObject body = new JsonObject();
        int status;
        try {
            DatabaseState state = database.get();
            body.addProperty("status", "ok");
            body.addProperty("version", version);
            body.addProperty("database", state.database());
            body.addProperty("database_reachable", true);
            body.addProperty("schema_version", state.schemaVersion());
            body.addProperty("queue_depth", state.queueDepth());
            body.addProperty("reconciliation", state.reconciliation());
            status = 200;
        } catch (RuntimeException e) {
            log.error("health check failed: {}", e.getMessage());
            body.addProperty("status", "error");
            body.addProperty("version", version);
            body.addProperty("database_reachable", false);
            body.addProperty("error", e.getMessage());
            status = 503;
        }
        body.addProperty("collection", collection);
        Responses.json(exchange, status, body.toString());
    }
}
