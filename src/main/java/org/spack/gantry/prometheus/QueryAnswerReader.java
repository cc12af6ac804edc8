package org.spack.gantry.prometheus;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spack.gantry.upstream.JsonAnswer;
import org.spack.gantry.upstream.UnusableAnswer;

/**
 * Reads a query answer of Prometheus' HTTP API ("Format overview": {@code status},
 * {@code data.resultType}, {@code data.result}, {@code errorType}, {@code error}) as it
 * arrives, keeping only the series: memory follows what is kept, and a result that is not
 * a list of series ({@code [{},{},...]}) is refused at its first element.
 */
final class QueryAnswerReader {
    /** An answer nests five levels (answer, data, result, series, sample). */
    static final int MAX_DEPTH = 16;
    /** No query of collection returns more than a few series of at most 10,001 samples. */
    static final int MAX_SERIES = 1_000;
    static final int MAX_SAMPLES = 100_000;
    private static final String WHAT = "Prometheus";

    /** What the answer said. {@code result} holds series only for a vector or matrix. */
    record Answer(String status, String errorType, String error, String resultType, List<Series> result) {}

    /** One element of {@code result} as read: its labels, and its {@code value} or {@code values}. */
    private record Element(Map<String, String> labels, Series.Sample value, List<Series.Sample> values) {}

    private int samples;

    private QueryAnswerReader() {}

    static Answer read(String mimeType, InputStream body, Charset charset) throws IOException {
        JsonReader r = JsonAnswer.reader(body, charset, MAX_DEPTH);
        try {
            if (r.peek() != JsonToken.BEGIN_OBJECT) throw notJson(mimeType, null);
        } catch (MalformedJsonException e) {
            throw notJson(mimeType, e);
        }
        return JsonAnswer.read(r, WHAT, MAX_DEPTH, reader -> new QueryAnswerReader().answer(reader));
    }

    /** An expired PROMETHEUS_COOKIE gets the proxy's HTML login page with a 200: worth another try with a new one. */
    private static UnusableAnswer notJson(String mimeType, Throwable cause) {
        return new UnusableAnswer("Prometheus answered with something other than JSON (" + mimeType
                + "); is PROMETHEUS_COOKIE expired?", true, cause);
    }

    private Answer answer(JsonReader r) throws IOException {
        String status = null;
        String errorType = null;
        String error = null;
        String resultType = null;
        List<Element> elements = null;
        boolean notSeries = false;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "status" -> status = text(r);
                case "errorType" -> errorType = text(r);
                case "error" -> error = text(r);
                case "data" -> {
                    if (r.peek() != JsonToken.BEGIN_OBJECT) {
                        r.skipValue();
                        continue;
                    }
                    r.beginObject();
                    while (r.hasNext()) {
                        switch (r.nextName()) {
                            case "resultType" -> resultType = text(r);
                            case "result" -> {
                                if (r.peek() != JsonToken.BEGIN_ARRAY) throw refused("a result that is not a list");
                                elements = new ArrayList<>();
                                notSeries = result(r, elements);
                            }
                            default -> r.skipValue();
                        }
                    }
                    r.endObject();
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        boolean series = "vector".equals(resultType) || "matrix".equals(resultType);
        if (!series || elements == null) {
            // the reference treats any other result type as no data
            return new Answer(status, errorType, error, resultType, List.of());
        }
        if (notSeries) throw refused("a " + resultType + " whose result is not a list of series");
        List<Series> out = new ArrayList<>(elements.size());
        for (Element e : elements) {
            boolean vector = resultType.equals("vector");
            if (vector ? e.value() == null : e.values() == null) {
                throw refused("a " + resultType + " series without " + (vector ? "value" : "values"));
            }
            out.add(new Series(e.labels(), vector ? List.of(e.value()) : e.values()));
        }
        return new Answer(status, errorType, error, resultType, out);
    }

    /**
     * The elements of {@code result}; true when they are not objects (a scalar or string
     * result is {@code [time, "value"]}: fine when that is its type, read past).
     */
    private boolean result(JsonReader r, List<Element> into) throws IOException {
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                while (r.hasNext()) r.skipValue();
                r.endArray();
                return true;
            }
            if (into.size() == MAX_SERIES) throw refused("more than " + MAX_SERIES + " series");
            into.add(element(r, into.size() + 1));
        }
        r.endArray();
        return false;
    }

    private Element element(JsonReader r, int index) throws IOException {
        Map<String, String> labels = null;
        Series.Sample value = null;
        List<Series.Sample> values = null;
        r.beginObject();
        while (r.hasNext()) {
            switch (r.nextName()) {
                case "metric" -> labels = labels(r, index);
                case "value" -> value = sample(r, index);
                case "values" -> {
                    if (r.peek() != JsonToken.BEGIN_ARRAY) throw refused("series " + index + " with values that are not a list");
                    values = new ArrayList<>();
                    r.beginArray();
                    while (r.hasNext()) values.add(sample(r, index));
                    r.endArray();
                }
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (labels == null) throw refused("result element " + index + " without metric, not a series");
        return new Element(labels, value, values);
    }

    private static Map<String, String> labels(JsonReader r, int index) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) throw refused("series " + index + " whose metric is not an object");
        Map<String, String> labels = new LinkedHashMap<>();
        r.beginObject();
        while (r.hasNext()) {
            String name = r.nextName();
            JsonToken t = r.peek();
            if (t != JsonToken.STRING && t != JsonToken.NUMBER) {
                throw refused("series " + index + " whose label " + shortened(name) + " is " + JsonAnswer.kind(t));
            }
            labels.put(name, r.nextString());
        }
        r.endObject();
        return labels;
    }

    /** {@code [unix time, "value"]}. */
    private Series.Sample sample(JsonReader r, int index) throws IOException {
        if (++samples > MAX_SAMPLES) throw refused("more than " + MAX_SAMPLES + " samples");
        if (r.peek() != JsonToken.BEGIN_ARRAY) throw refused("series " + index + " with a sample that is not [time, value]");
        r.beginArray();
        double time = r.nextDouble();
        String value = r.nextString();
        while (r.hasNext()) r.skipValue();
        r.endArray();
        return new Series.Sample(time, value);
    }

    private static String text(JsonReader r) throws IOException {
        JsonToken t = r.peek();
        if (t == JsonToken.NULL) {
            r.nextNull();
            return null;
        }
        if (t == JsonToken.BEGIN_ARRAY || t == JsonToken.BEGIN_OBJECT) {
            r.skipValue();
            return null;
        }
        return r.nextString();
    }

    private static UnusableAnswer refused(String what) {
        return new UnusableAnswer("Prometheus answered " + what, false, null);
    }

    private static String shortened(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
