package org.spack.gantry.http;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The body of {@code POST /v1/allocations}: strict JSON, a list of strings and nothing
 * else, at most {@link #MAX_SPECS}. Checked whole in a first pass (before any answer
 * is sent: a fault found later would follow a 200), then read again spec by
 * spec as they are answered, so that a batch in flight holds its body's bytes and not
 * ten thousand strings as well (what survives a young collection is what grows the
 * serial collector's old generation, and the process with it).
 */
final class SpecList {
    static final int MAX_SPECS = 10_000;

    private final byte[] body;
    private final int size;

    private SpecList(byte[] body, int size) {
        this.body = body;
        this.size = size;
    }

    /** Why the list cannot be answered spec by spec: a status and the one-line message. */
    static final class Refused extends Exception {
        final int status;
        /** The {@code reason} label of gantry_http_refused_total. */
        final String reason;

        Refused(int status, String reason, String message) {
            super(message, null, false, false);
            this.status = status;
            this.reason = reason;
        }
    }

    /** Checks the whole body: broken JSON anywhere is {@code invalid json}, whatever else is wrong. */
    static SpecList of(byte[] body) throws Refused {
        boolean listOfStrings;
        int count = 0;
        try (JsonReader json = reader(body)) {
            listOfStrings = json.peek() == JsonToken.BEGIN_ARRAY;
            if (listOfStrings) {
                json.beginArray();
                while (json.hasNext()) {
                    count++;
                    if (json.peek() == JsonToken.STRING) {
                        // read, not skipped: only reading checks the string (a raw control
                        // character is refused), and the answers are written after this pass
                        json.nextString();
                    } else {
                        listOfStrings = false;
                        json.skipValue();
                    }
                }
                json.endArray();
            } else {
                json.skipValue();
            }
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw invalidJson();
            }
        } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
            // Gson's words for bad syntax and for a document that ends too early
            throw invalidJson();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory
        }
        if (!listOfStrings) {
            throw new Refused(400, "not_a_list", "expected a JSON list of spec strings");
        }
        if (count > MAX_SPECS) {
            throw new Refused(413, "too_many_specs", "too many specs: " + count + ", at most " + MAX_SPECS + " per request");
        }
        return new SpecList(body, count);
    }

    int size() {
        return size;
    }

    /** The specs in order, one at a time (the JSON was checked by {@link #of}). */
    Cursor cursor() {
        return new Cursor(reader(body));
    }

    /** Reads the checked list spec by spec; touched by one thread at a time. */
    static final class Cursor {
        private final JsonReader json;
        private int index = -1;

        private Cursor(JsonReader json) {
            this.json = json;
            try {
                json.beginArray();
            } catch (IOException e) {
                throw new IllegalStateException("a checked spec list failed to read", e);
            }
        }

        boolean hasNext() {
            try {
                return json.hasNext();
            } catch (IOException e) {
                throw new IllegalStateException("a checked spec list failed to read", e);
            }
        }

        /** The next spec; {@link #index} is its position. */
        String next() {
            try {
                index++;
                return json.nextString();
            } catch (IOException e) {
                throw new IllegalStateException("a checked spec list failed to read", e);
            }
        }

        int index() {
            return index;
        }
    }

    private static JsonReader reader(byte[] body) {
        JsonReader json = new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        json.setStrictness(Strictness.STRICT);
        return json;
    }

    private static Refused invalidJson() {
        return new Refused(400, "invalid_json", "invalid json");
    }
}
