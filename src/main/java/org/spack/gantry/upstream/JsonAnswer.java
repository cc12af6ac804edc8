package org.spack.gantry.upstream;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;

/**
 * JSON read where it enters, as it arrives: a reader that refuses nesting deeper than
 * the API's answers ever go (so nothing downstream can recurse into it), and a way to
 * turn the reader's complaints into one line that says what the answer should have been.
 */
public final class JsonAnswer {
    private JsonAnswer() {}

    /** What a reading step does; may throw the reader's own exceptions. */
    @FunctionalInterface
    public interface Step<T> {
        T read(JsonReader reader) throws IOException;
    }

    /** A strict reader (RFC 8259: no comments, no unquoted names) of at most {@code maxDepth} levels. */
    public static JsonReader reader(InputStream body, Charset charset, int maxDepth) {
        JsonReader r = new JsonReader(new InputStreamReader(body, charset));
        r.setStrictness(Strictness.STRICT);
        r.setNestingLimit(maxDepth);
        return r;
    }

    /**
     * Runs {@code step}; malformed or too deeply nested JSON, or a value of the wrong kind,
     * becomes an {@link UnusableAnswer} that names {@code what} and where it went wrong.
     * The reader's own message is kept as the cause, not in the line (it can be a kilobyte of path).
     */
    public static <T> T read(JsonReader reader, String what, int maxDepth, Step<T> step) throws UnusableAnswer, IOException {
        try {
            return step.read(reader);
        } catch (MalformedJsonException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            String problem = message.startsWith("Nesting limit")
                    ? "JSON nested deeper than " + maxDepth + " levels" : "malformed JSON";
            throw new UnusableAnswer(what + " answered " + problem + where(reader), false, e);
        } catch (IllegalStateException | NumberFormatException e) {
            throw new UnusableAnswer(what + " answered JSON of the wrong shape" + where(reader), false, e);
        }
    }

    /** The line and column the reader got to, without the path (which can be as long as the nesting). */
    private static String where(JsonReader reader) {
        String location = reader.toString();
        int at = location.indexOf(" at line ");
        int path = location.indexOf(" path ");
        return at < 0 ? "" : location.substring(at, path > at ? path : location.length());
    }

    /** The kind of value the reader is at, for a message: "a number", "an object". */
    public static String kind(JsonToken token) {
        return switch (token) {
            case BEGIN_ARRAY -> "a list";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "nothing";
        };
    }
}
