package org.spack.gantry.gitlab;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * One job of the GitLab jobs API, as far as Gantry reads it: its id, its status, and the
 * few fields a job's admission needs ({@code id status stage ref created_at started_at
 * finished_at}, and the runner's {@code description}), kept with the API's names and JSON
 * types. Everything else the API sends is skipped as it arrives.
 */
public record ApiJob(long id, JsonObject kept) {
    /** GitLab's status ({@code success}, {@code running}, ...), or null when it sent none or not a string. */
    public String status() {
        JsonElement s = kept.get("status");
        return s != null && s.isJsonPrimitive() && s.getAsJsonPrimitive().isString() ? s.getAsString() : null;
    }

    /** The kept fields as a JSON document: what is stored with a queued job. */
    public String document() {
        return kept.toString();
    }
}
