package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
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
 * thousands of times; all answers come from one state of the history. Runs on a
 * worker thread (a batch of 10,000 takes tens of milliseconds) and writes the answers
 * as they come.
 */
final class BatchAllocationHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(BatchAllocationHandler.class);
    static final int MAX_SPECS = SpecList.MAX_SPECS;
    static final long MAX_BODY = 8L * 1024 * 1024;
    private static final long MAX_DRAINED = 16L * 1024 * 1024;
    static final String INVALID = "{\"error\": \"invalid spec\"}";
    private static final byte[] SEPARATOR = {',', ' '};

    private final SpecParser parser;
    private final Predictor predictor;
    private final AllocationHandler.PredictionListener listener;
    private final Semaphore running;

    BatchAllocationHandler(SpecParser parser, Predictor predictor, AllocationHandler.PredictionListener listener,
            int concurrentBatches) {
        this.parser = parser;
        this.predictor = predictor;
        this.listener = listener;
        this.running = new Semaphore(concurrentBatches);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (exchange.getRequestContentLength() > MAX_DRAINED) {
            // too large even to read and drop: a client still sending may see a reset instead
            log.warn("allocation batch refused: body of {} bytes is over {}", exchange.getRequestContentLength(), MAX_BODY);
            exchange.setPersistent(false); // the body is not read
            Responses.text(exchange, 413, tooLarge());
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        // past MAX_BODY the body is still read, up to MAX_DRAINED, so that a client still
        // sending sees the 413 rather than a reset; Undertow cuts off beyond that
        exchange.setMaxEntitySize(MAX_DRAINED);
        exchange.startBlocking();
        LimitedInputStream in = new LimitedInputStream(exchange.getInputStream(), MAX_BODY);
        SpecList specs;
        try {
            specs = SpecList.of(readBody(in, exchange.getRequestContentLength()));
        } catch (SpecList.Refused r) {
            log.warn("allocation batch refused: {}", r.getMessage());
            Responses.text(exchange, r.status, r.getMessage());
            return;
        } catch (LimitedInputStream.TooLarge e) {
            log.warn("allocation batch refused: body over {} bytes", MAX_BODY);
            in.drain();
            exchange.setPersistent(false);
            Responses.text(exchange, 413, tooLarge());
            return;
        }
        // a few batches at a time (half the cores: single requests keep the rest); more would not
        // answer sooner, only hold more bodies in memory across collections, which the serial
        // collector then promotes into the old generation
        running.acquireUninterruptibly();
        try {
            answerAll(exchange, specs);
        } finally {
            running.release();
        }
    }

    private void answerAll(HttpServerExchange exchange, SpecList specs) throws IOException {
        Predictor batch = predictor;
        Refusals refusals = new Refusals();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        // answers are ASCII (json.dumps escapes the rest), so each char is one byte
        try (OutputStream out = exchange.getOutputStream()) {
            out.write('[');
            specs.forEach((i, text) -> {
                if (i > 0) out.write(SEPARATOR);
                out.write(answer(batch, text, refusals).getBytes(StandardCharsets.US_ASCII));
            });
            out.write(']');
        }
        if (refusals.count > 0) {
            // one line for the request, as for a refused GET, however many specs it refused
            log.warn("allocation batch of {} specs: {} refused as invalid, the first ({}): {}", specs.size(),
                    refusals.count, refusals.firstReason, AllocationHandler.abbreviate(refusals.first));
        }
    }

    /** The specs of one batch found invalid: how many, and the first with its reason. */
    private static final class Refusals {
        int count;
        String first;
        String firstReason;

        void add(String text, String reason) {
            if (count++ == 0) {
                first = text;
                firstReason = reason;
            }
        }
    }

    /** The whole body, read into one array of the announced length (grown in steps only when sent in chunks). */
    private static byte[] readBody(LimitedInputStream in, long announced) throws IOException {
        if (announced < 0) {
            return in.readAllBytes();
        }
        // an announced length over the limit is read only until the limit trips
        byte[] body = new byte[(int) Math.min(announced, MAX_BODY + 1)];
        int read = in.readNBytes(body, 0, body.length);
        if (read < body.length) {
            throw new java.io.EOFException("request body shorter than its Content-Length");
        }
        return body;
    }

    private String answer(Predictor batch, String text, Refusals refusals) {
        // as GET: a spec longer than its request line may be is refused, which also bounds the regex's work
        if (text.isEmpty() || text.length() > AllocationHandler.MAX_REQUEST_LINE) {
            refusals.add(text, text.isEmpty() ? "empty" : "longer than a request line");
            return INVALID;
        }
        try {
            Prediction p = batch.predict(parser.parse(text));
            listener.predicted(p.predictor());
            return p.toJson();
        } catch (InvalidSpecException e) {
            refusals.add(text, e.getMessage());
            return INVALID;
        }
    }

    private static String tooLarge() {
        return "request body too large: at most " + MAX_BODY / (1024 * 1024) + " MiB";
    }
}
