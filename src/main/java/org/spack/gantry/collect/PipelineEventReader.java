package org.spack.gantry.collect;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Pipeline Hook body once, where it enters, into a {@link FailedPipeline}: the
 * pipeline's id, ref and status ({@code object_attributes}) and, of its {@code builds},
 * the failed build jobs (GitLab docs, "Webhook events" → "Pipeline events"). The body is
 * streamed, keeping only those: a pipeline of thousands of jobs is read in little memory.
 */
public final class PipelineEventReader {
    /** The documented payload nests five levels at most (builds, a build, its runner, its tags). */
    private static final int MAX_DEPTH = 32;

    /** What becomes of a Pipeline Hook: a failed pipeline to record, or nothing to do. */
    public sealed interface Result {}

    public record Failed(FailedPipeline pipeline) implements Result {}

    public record Dropped(String reason) implements Result {}

    /** A build of the hook, as far as it was read. */
    private static final class Build {
        Long id;
        String stage;
        String status;
        String startedAt;
        String finishedAt;
        boolean runnerPresent;
        boolean hasRunner;
        String runnerDescription = "";
    }

    /** Throws for a body that is not JSON, or not a pipeline object: GitLab sent something else. */
    public Result read(Reader body) throws InvalidWebhookException {
        Long id = null;
        String ref = null;
        String status = null;
        List<Build> builds = new ArrayList<>();
        try (JsonReader in = new JsonReader(body)) {
            // JSON as the reference reads a webhook (Python's json.loads), and no deeper than GitLab's payloads go
            in.setStrictness(com.google.gson.Strictness.STRICT);
            in.setNestingLimit(MAX_DEPTH);
            if (in.peek() != JsonToken.BEGIN_OBJECT) throw new InvalidWebhookException("invalid json");
            in.beginObject();
            while (in.hasNext()) {
                String name = in.nextName();
                if (name.equals("object_attributes") && in.peek() == JsonToken.BEGIN_OBJECT) {
                    in.beginObject();
                    while (in.hasNext()) {
                        switch (in.nextName()) {
                            case "id" -> id = integerOrNull(in);
                            case "ref" -> ref = stringOrNull(in);
                            case "status" -> status = stringOrNull(in);
                            default -> in.skipValue();
                        }
                    }
                    in.endObject();
                } else if (name.equals("builds") && in.peek() == JsonToken.BEGIN_ARRAY) {
                    in.beginArray();
                    while (in.hasNext()) {
                        Build b = build(in);
                        // only failed builds are kept: the others are never looked at
                        if (b != null && FailedJob.STATUS.equals(b.status)) builds.add(b);
                    }
                    in.endArray();
                } else {
                    in.skipValue();
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) throw new InvalidWebhookException("invalid json");
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new InvalidWebhookException("invalid json");
        }
        if (!FailedJob.STATUS.equals(status)) return new Dropped("pipeline did not fail");
        if (id == null) return new Dropped("missing field: object_attributes.id");
        if (ref == null) return new Dropped("missing field: object_attributes.ref");
        List<FailedJob> failed = new ArrayList<>();
        for (Build b : builds) {
            FailedJob job = failedJob(b, ref, id);
            if (job != null) failed.add(job);
        }
        if (failed.isEmpty()) return new Dropped("no failed build job");
        return new Failed(new FailedPipeline(id, ref, failed));
    }

    /** A build object; null when it is not an object. */
    private static Build build(JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            in.skipValue();
            return null;
        }
        Build b = new Build();
        in.beginObject();
        while (in.hasNext()) {
            switch (in.nextName()) {
                case "id" -> b.id = integerOrNull(in);
                case "stage" -> b.stage = stringOrNull(in);
                case "status" -> b.status = stringOrNull(in);
                case "started_at" -> b.startedAt = stringOrNull(in);
                case "finished_at" -> b.finishedAt = stringOrNull(in);
                case "runner" -> runner(in, b);
                default -> in.skipValue();
            }
        }
        in.endObject();
        return b;
    }

    private static void runner(JsonReader in, Build b) throws IOException {
        b.runnerPresent = true;
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            in.skipValue();
            return;
        }
        b.hasRunner = true;
        in.beginObject();
        while (in.hasNext()) {
            if (in.nextName().equals("description")) {
                String d = stringOrNull(in);
                b.runnerDescription = d == null ? "" : d;
            } else {
                in.skipValue();
            }
        }
        in.endObject();
    }

    /** The failed build job, or null when it can never have been OOM-killed in the cluster or is unreadable. */
    private static FailedJob failedJob(Build b, String ref, long pipelineId) {
        if (b.id == null || b.stage == null || !b.runnerPresent) return null;
        if (Eligibility.skipReason(b.stage, b.hasRunner, b.runnerDescription) != null) return null;
        Long start = Timestamps.parse(b.startedAt);
        Long end = Timestamps.parse(b.finishedAt);
        if (start == null || end == null) return null;
        return new FailedJob(b.id, start, end, ref, pipelineId);
    }

    private static Long integerOrNull(JsonReader in) throws IOException {
        if (in.peek() != JsonToken.NUMBER) {
            in.skipValue();
            return null;
        }
        String n = in.nextString();
        try {
            return new java.math.BigDecimal(n).longValueExact();
        } catch (ArithmeticException | NumberFormatException notAnInteger) {
            return null;
        }
    }

    private static String stringOrNull(JsonReader in) throws IOException {
        if (in.peek() != JsonToken.STRING) {
            in.skipValue();
            return null;
        }
        return in.nextString();
    }
}
