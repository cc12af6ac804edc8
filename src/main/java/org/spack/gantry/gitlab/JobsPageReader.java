package org.spack.gantry.gitlab;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.spack.gantry.upstream.JsonAnswer;
import org.spack.gantry.upstream.UnusableAnswer;

/**
 * Reads the jobs API's answers as they arrive, keeping of each job only what {@link ApiJob}
 * holds: memory follows the jobs kept, not the bytes received. An answer that is not a
 * list of job objects (each with an integer {@code id}) is refused at the first element
 * that is not one, and nesting is bounded where the JSON enters.
 */
final class JobsPageReader {
    /** GitLab's job objects nest four levels (job, pipeline, ...); a list of them five. */
    static final int MAX_DEPTH = 32;
    private static final Set<String> KEPT = Set.of("id", "status", "stage", "ref", "created_at", "started_at",
            "finished_at");
    private static final String WHAT = "GitLab's jobs API";

    private JobsPageReader() {}

    /** {@code GET /projects/:id/jobs}: a list of jobs. */
    static List<ApiJob> page(InputStream body, Charset charset) throws IOException {
        JsonReader r = JsonAnswer.reader(body, charset, MAX_DEPTH);
        return JsonAnswer.read(r, WHAT, MAX_DEPTH, reader -> {
            JsonToken first = reader.peek();
            if (first != JsonToken.BEGIN_ARRAY) {
                throw new UnusableAnswer(WHAT + " answered " + JsonAnswer.kind(first) + ", not a list of jobs", false, null);
            }
            List<ApiJob> jobs = new ArrayList<>();
            reader.beginArray();
            while (reader.hasNext()) {
                jobs.add(job(reader, "element " + (jobs.size() + 1)));
            }
            reader.endArray();
            end(reader);
            return jobs;
        });
    }

    /** {@code GET /projects/:id/jobs/:job_id}: one job. */
    static ApiJob single(InputStream body, Charset charset) throws IOException {
        JsonReader r = JsonAnswer.reader(body, charset, MAX_DEPTH);
        return JsonAnswer.read(r, WHAT, MAX_DEPTH, reader -> {
            ApiJob job = job(reader, "its answer");
            end(reader);
            return job;
        });
    }

    private static void end(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw new UnusableAnswer(WHAT + " answered more than one JSON value", false, null);
        }
    }

    private static ApiJob job(JsonReader reader, String which) throws IOException {
        JsonToken token = reader.peek();
        if (token != JsonToken.BEGIN_OBJECT) {
            throw new UnusableAnswer(WHAT + " answered " + which + " as " + JsonAnswer.kind(token) + ", not a job", false,
                    null);
        }
        JsonObject kept = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (KEPT.contains(name)) {
                kept.add(name, scalar(reader));
            } else if (name.equals("runner")) {
                kept.add(name, runner(reader));
            } else {
                reader.skipValue();
            }
        }
        reader.endObject();
        Long id = integer(kept.get("id"));
        if (id == null) {
            throw new UnusableAnswer(WHAT + " answered " + which + " without an integer id, not a job", false, null);
        }
        return new ApiJob(id, kept);
    }

    /** A value kept as it is when it is a string, number, boolean or null; a list or object only as its kind. */
    private static JsonElement scalar(JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case STRING:
                return new JsonPrimitive(reader.nextString());
            case NUMBER:
                return new JsonPrimitive(new BigDecimal(reader.nextString()));
            case BOOLEAN:
                return new JsonPrimitive(reader.nextBoolean());
            case NULL:
                reader.nextNull();
                return JsonNull.INSTANCE;
            case BEGIN_ARRAY:
                reader.skipValue();
                return new JsonArray();
            default:
                reader.skipValue();
                return new JsonObject();
        }
    }

    /** The runner: its {@code description} only (which runners Prometheus watches); null when none ran the job. */
    private static JsonElement runner(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) return scalar(reader);
        JsonObject runner = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
            if (reader.nextName().equals("description")) {
                runner.add("description", scalar(reader));
            } else {
                reader.skipValue();
            }
        }
        reader.endObject();
        return runner;
    }

    private static Long integer(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
        try {
            return e.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException notAnInteger) {
            return null;
        }
    }
}
