package org.spack.gantry.collect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.List;

/**
 * Reads a job where it enters, once: a Job Hook body, or one job of the GitLab jobs
 * API (backfill, reconciliation). Both carry the same facts under different names;
 * one set of checks turns them into an {@link Admission}. A failed build job's Job Hook
 * is admitted only when OOM kills are looked for (see {@link #JobEventReader(boolean)}).
 */
public final class JobEventReader {
    /** Where each fact is, by source. Timestamps: the first field present wins. */
    private record Fields(String id, String status, String stage, List<String> started, List<String> finished) {}

    // GitLab docs, "Webhook events" -> "Job events": the _iso fields are ISO-8601; the plain
    // ones "2021-02-23 02:41:37 UTC", or "+0200" from a GitLab whose time zone is not UTC
    private static final Fields WEBHOOK = new Fields("build_id", "build_status", "build_stage",
            List.of("build_started_at_iso", "build_started_at"), List.of("build_finished_at_iso", "build_finished_at"));
    // GitLab docs, Jobs API: "started_at": "2015-12-24T17:54:27.722Z"
    private static final Fields API = new Fields("id", "status", "stage", List.of("started_at"), List.of("finished_at"));

    private final boolean admitsFailures;

    /** Admits only successful jobs. */
    public JobEventReader() {
        this(false);
    }

    /** @param admitsFailures whether a failed build job's Job Hook is admitted, to be looked at for an OOM kill */
    public JobEventReader(boolean admitsFailures) {
        this.admitsFailures = admitsFailures;
    }

    /**
     * A Job Hook body. Throws only for what is not a Job Hook at all (not a JSON object,
     * or a success event without an integer {@code build_id}): GitLab counts a 4xx against the hook.
     */
    public Admission fromWebhook(String body) throws InvalidWebhookException {
        JsonElement root = strictJson(body);
        if (root == null || !root.isJsonObject()) throw new InvalidWebhookException("invalid json");
        JsonObject o = root.getAsJsonObject();
        if (admitsFailures && FailedJob.STATUS.equals(status(o, WEBHOOK))) {
            return failure(o);
        }
        return read(o, WEBHOOK);
    }

    /**
     * JSON as the reference's {@code await request.json()} (Python's {@code json.loads})
     * takes it: no unquoted names, single quotes, comments or trailing content (Gson's
     * lenient mode takes them all); null when it is not JSON.
     */
    private static JsonElement strictJson(String body) {
        try (JsonReader json = new JsonReader(new StringReader(body))) {
            json.setStrictness(Strictness.STRICT);
            JsonElement root = JsonParser.parseReader(json);
            return json.peek() == JsonToken.END_DOCUMENT ? root : null;
        } catch (RuntimeException | IOException notJson) {
            return null;
        }
    }

    /** One job of {@code GET /projects/:id/jobs}. A job without an integer id is dropped. */
    public Admission fromApi(JsonObject job) {
        try {
            return read(job, API);
        } catch (InvalidWebhookException noId) {
            return new Admission.Dropped(noId.getMessage());
        }
    }

    private static String status(JsonObject o, Fields f) {
        JsonElement status = o.get(f.status());
        return status != null && status.isJsonPrimitive() ? status.getAsString() : String.valueOf(status);
    }

    /**
     * A failed job's Job Hook. Never refused (GitLab counts a 4xx against the hook): what
     * cannot be read, or can never have been OOM-killed in the cluster, is dropped.
     */
    private static Admission failure(JsonObject o) {
        try {
            long id = integer(o, WEBHOOK.id());
            String ineligible = ineligible(o, WEBHOOK);
            if (ineligible != null) return new Admission.Dropped(ineligible);
            JsonElement pipeline = o.get("pipeline_id");
            Long pipelineId = pipeline != null && pipeline.isJsonPrimitive() && pipeline.getAsJsonPrimitive().isNumber()
                    ? pipeline.getAsLong() : null;
            return new Admission.AdmittedFailure(new FailedJob(id, timestamp(o, WEBHOOK.started()),
                    timestamp(o, WEBHOOK.finished()), string(o, "ref"), pipelineId));
        } catch (InvalidWebhookException | InvalidField e) {
            return new Admission.Dropped("failed job not readable: " + e.getMessage());
        }
    }

    /** Why the job can never be collected (see {@link Eligibility}), or null when it can. */
    private static String ineligible(JsonObject o, Fields f) throws InvalidField {
        String stage = string(o, f.stage());
        JsonElement runner = o.get("runner");
        if (runner == null) throw new InvalidField("missing field: runner");
        if (!runner.isJsonNull() && !runner.isJsonObject()) {
            throw new InvalidField("field runner must be an object or null");
        }
        String description = null;
        if (runner.isJsonObject()) {
            JsonElement d = runner.getAsJsonObject().get("description");
            description = d != null && d.isJsonPrimitive() ? d.getAsString() : "";
        }
        return Eligibility.skipReason(stage, runner.isJsonObject(), description);
    }

    private static Admission read(JsonObject o, Fields f) throws InvalidWebhookException {
        // GitLab sends a hook for every status change, and the unfinished ones carry nulls
        if (!JobEvent.STATUS.equals(status(o, f))) return new Admission.Dropped("not a successful job");
        long id = integer(o, f.id());
        try {
            string(o, f.stage()); // a missing stage is reported before a missing ref
            String ref = string(o, "ref");
            String ineligible = ineligible(o, f);
            if (ineligible != null) return new Admission.Dropped(ineligible);
            return new Admission.Admitted(new JobEvent(id, timestamp(o, f.started()), timestamp(o, f.finished()), ref));
        } catch (InvalidField e) {
            return new Admission.Invalid(id, e.getMessage());
        }
    }

    /** A field of an event that is otherwise a Job Hook: recorded, not refused. */
    private static final class InvalidField extends Exception {
        InvalidField(String message) {
            super(message, null, false, false);
        }
    }

    private static String string(JsonObject o, String field) throws InvalidField {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) throw new InvalidField("missing field: " + field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new InvalidField("field " + field + " must be a string");
        }
        return e.getAsString();
    }

    private static long integer(JsonObject o, String field) throws InvalidWebhookException {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) throw new InvalidWebhookException("missing field: " + field);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                return new BigDecimal(e.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException notAnInteger) {
                // falls through to the error below
            }
        }
        throw new InvalidWebhookException("field " + field + " must be an integer");
    }

    private static long timestamp(JsonObject o, List<String> fields) throws InvalidField {
        for (String field : fields) {
            JsonElement e = o.get(field);
            if (e == null || e.isJsonNull()) continue;
            Long t = e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? Timestamps.parse(e.getAsString()) : null;
            if (t == null) {
                throw new InvalidField("field " + field + " is not a timestamp such as 2024-01-24 17:24:06 UTC");
            }
            return t;
        }
        throw new InvalidField("missing field: " + fields.get(fields.size() - 1));
    }
}
