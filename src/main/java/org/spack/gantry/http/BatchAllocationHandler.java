package org.spack.gantry.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.SpecParser;

/**
 * {@code POST /v1/allocations}: a JSON list of specs in, the list of answers in the
 * same order out, each exactly the body {@code GET /v1/allocation} would give for it
 * or {@code {"error": "invalid spec"}}. A pipeline generator asks once instead of
 * thousands of times; all answers come from one state of the history.
 */
final class BatchAllocationHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(BatchAllocationHandler.class);
    static final int MAX_SPECS = 10_000;
    static final long MAX_BODY = 8L * 1024 * 1024;
    static final String INVALID = "{\"error\": \"invalid spec\"}";

    private final SpecParser parser;
    private final Predictor predictor;
    private final AllocationHandler.PredictionListener listener;

    BatchAllocationHandler(SpecParser parser, Predictor predictor, AllocationHandler.PredictionListener listener) {
        this.parser = parser;
        this.predictor = predictor;
        this.listener = listener;
    }

    /** The request could not be answered spec by spec: the status and one-line message to send. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.getRequestContentLength() > MAX_BODY) {
            exchange.setPersistent(false); // the rest of the body is not read
            Responses.text(exchange, 413, tooLarge());
            return;
        }
        exchange.setMaxEntitySize(MAX_BODY);
        // a batch takes milliseconds: off the IO thread
        exchange.getRequestReceiver().receiveFullBytes(
                (ex, body) -> ex.dispatch(() -> answer(ex, body)),
                (ex, error) -> {
                    if (error instanceof RequestTooBigException) {
                        ex.setPersistent(false);
                        Responses.text(ex, 413, tooLarge());
                    } else {
                        Responses.text(ex, 400, "request body could not be read");
                    }
                });
    }

    private void answer(HttpServerExchange exchange, byte[] body) {
        List<String> specs;
        try {
            specs = read(body);
        } catch (Refused r) {
            Responses.text(exchange, r.status, r.getMessage());
            return;
        }
        Predictor batch = predictor.forBatch();
        StringBuilder out = new StringBuilder(64 + specs.size() * 96).append('[');
        for (int i = 0; i < specs.size(); i++) {
            if (i > 0) out.append(", ");
            out.append(answer(batch, specs.get(i)));
        }
        Responses.json(exchange, 200, out.append(']').toString());
    }

    private String answer(Predictor batch, String text) {
        // as GET: a spec longer than its request line may be is refused, which also bounds the regex's work
        if (text.isEmpty() || text.length() > AllocationHandler.MAX_REQUEST_LINE) return INVALID;
        try {
            Prediction p = batch.predict(parser.parse(text));
            listener.predicted(p.predictor());
            return p.toJson();
        } catch (InvalidSpecException e) {
            log.info("invalid spec in a batch ({}): {}", e.getMessage(), AllocationHandler.abbreviate(text));
            return INVALID;
        }
    }

    /** The specs, from strict JSON: a list of strings and nothing else. */
    static List<String> read(byte[] body) throws Refused {
        JsonElement root;
        try (JsonReader json = new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            json.setStrictness(Strictness.STRICT);
            json.peek(); // an empty body is no JSON (Gson would make it a null)
            root = JsonParser.parseReader(json);
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw new Refused(400, "invalid json");
            }
        } catch (JsonParseException | IOException e) {
            throw new Refused(400, "invalid json");
        }
        if (!root.isJsonArray()) {
            throw notAList();
        }
        JsonArray list = root.getAsJsonArray();
        if (list.size() > MAX_SPECS) {
            throw new Refused(413, "too many specs: " + list.size() + ", at most " + MAX_SPECS + " per request");
        }
        List<String> specs = new ArrayList<>(list.size());
        for (JsonElement e : list) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw notAList();
            }
            specs.add(e.getAsString());
        }
        return specs;
    }

    private static Refused notAList() {
        return new Refused(400, "expected a JSON list of spec strings");
    }

    private static String tooLarge() {
        return "request body too large: at most " + MAX_BODY / (1024 * 1024) + " MiB";
    }
}
