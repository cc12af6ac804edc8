package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/**
 * Reads a Job Hook body. Only {@code success} events are checked field by field:
 * GitLab sends a hook for every status change and the unfinished ones carry nulls.
 */
public final class WebhookParser {

    /** The parsed body: the event, or null for a status that is never collected. */
    public record Parsed(String status, WebhookEvent event) {}

    public Parsed parse(String body) throws InvalidWebhookException {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(body);
            if (!root.isJsonObject()) {
                throw new InvalidWebhookException("invalid json");
            }
            o = root.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new InvalidWebhookException("invalid json");
        }
        JsonElement status = o.get("build_status");
        String statusText = status != null && status.isJsonPrimitive() ? status.getAsString() : String.valueOf(status);
        if (!"success".equals(statusText)) {
            return new Parsed(statusText, null);
        }
        long buildId = integer(o, "build_id");
        String stage = string(o, "build_stage");
        long started = timestamp(o, "build_started_at");
        long finished = timestamp(o, "build_finished_at");
        String ref = string(o, "ref");
        JsonElement runner = o.get("runner");
        if (runner == null) {
            throw new InvalidWebhookException("missing field: runner");
        }
        if (!runner.isJsonNull() && !runner.isJsonObject()) {
            throw new InvalidWebhookException("field runner must be an object or null");
        }
        String description = null;
        if (runner.isJsonObject()) {
            JsonElement d = runner.getAsJsonObject().get("description");
            description = d != null && d.isJsonPrimitive() ? d.getAsString() : "";
        }
        return new Parsed(statusText, new WebhookEvent(buildId, statusText, stage, started, finished, ref,
                runner.isJsonObject(), description));
    }

    private static JsonElement required(JsonObject o, String field) throws InvalidWebhookException {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new InvalidWebhookException("missing field: " + field);
        }
        return e;
    }

    private static String string(JsonObject o, String field) throws InvalidWebhookException {
        JsonElement e = required(o, field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidWebhookException("field " + field + " must be a string");
        }
        return e.getAsString();
    }

    private static long integer(JsonObject o, String field) throws InvalidWebhookException {
        JsonElement e = required(o, field);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            try {
                return new BigDecimal(p.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException notAnInteger) {
                // falls through to the error below
            }
        }
        throw new InvalidWebhookException("field " + field + " must be an integer");
    }

    private static long timestamp(JsonObject o, String field) throws InvalidWebhookException {
        Long t = Timestamps.parse(string(o, field));
        if (t == null) {
            throw new InvalidWebhookException("field " + field + " is not a timestamp such as 2024-01-24 17:24:06 UTC");
        }
        return t;
    }
}
