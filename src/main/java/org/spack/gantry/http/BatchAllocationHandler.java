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
import org.slf4j.event.Level;
import org.spack.gantry.allocate.Allocations;
import org.spack.gantry.spec.InvalidSpecException;

/**
 * {@code POST /v1/allocations}: a JSON list of specs in, the list of answers in the
 * same order out, each exactly the body {@code GET /v1/allocation} would give for it
 * or {@code {"error": "invalid spec"}}. A pipeline generator asks once instead of
 * thousands of times; each answer is what a GET would give at that moment. The body is
 * read on the IO thread as it arrives and checked whole; only then does a worker thread
 * answer it (a batch of 10,000 takes tens of milliseconds), writing the answers as they come.
 */
final class BatchAllocationHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(BatchAllocationHandler.class);
    static final int MAX_SPECS = SpecList.MAX_SPECS;
    static final long MAX_BODY = 8L * 1024 * 1024;
    private static final long MAX_DRAINED = 16L * 1024 * 1024;
    private static final String ROUTE = "/v1/allocations";
    private static final RequestBody.Limits LIMITS = new RequestBody.Limits(MAX_BODY, MAX_DRAINED, Server.BODY_DEADLINE);
    static final byte[] INVALID = "{\"error\": \"invalid spec\"}".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = {',', ' '};

    private final Allocations allocations;
    private final Semaphore running;
    private final RefusalLog refusals;

    BatchAllocationHandler(Allocations allocations, int concurrentBatches, RefusalLog refusals) {
        this.allocations = allocations;
        this.running = new Semaphore(concurrentBatches);
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        // the body is read on the IO thread as it comes; a worker is taken only to answer it
        RequestBody.receive(exchange, LIMITS, (ex, body) -> ex.dispatch(() -> answer(ex, body)), this::refusedBody);
    }

    private void refusedBody(HttpServerExchange exchange, RequestBody.Problem problem, String detail) {
        String answer = problem.answer(LIMITS);
        refusals.refused(log, Level.INFO, ROUTE, problem.reason, "allocation batch refused: {} ({})", detail, answer);
        Responses.text(exchange, problem.status, answer);
    }

    private void answer(HttpServerExchange exchange, byte[] body) {
        SpecList specs;
        try {
            specs = SpecList.of(body);
        } catch (SpecList.Refused r) {
            refusals.refused(log, Level.INFO, ROUTE, r.reason, "allocation batch refused: {}", r.getMessage());
            Responses.text(exchange, r.status, r.getMessage());
            return;
        }
        exchange.startBlocking();
        // a few batches at a time (half the cores: single requests keep the rest); more would not
        // answer sooner, only hold more bodies in memory across collections, which the serial
        // collector then promotes into the old generation
        running.acquireUninterruptibly();
        try {
            answerAll(exchange, specs);
        } catch (IOException e) {
            // the client went away while the answers were written: nobody to tell
            log.info("allocation batch answer not delivered: {}", e.getMessage());
            exchange.setPersistent(false);
        } finally {
            running.release();
        }
    }

    private void answerAll(HttpServerExchange exchange, SpecList specs) throws IOException {
        Refusals invalid = new Refusals();
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        // answers are ASCII (json.dumps escapes the rest), so each char is one byte
        try (OutputStream out = exchange.getOutputStream()) {
            out.write('[');
            specs.forEach((i, text) -> {
                if (i > 0) out.write(SEPARATOR);
                out.write(answer(text, invalid));
            });
            out.write(']');
        }
        if (invalid.count > 0) {
            // one line for the request, as for a refused GET, however many specs it refused
            refusals.refused(log, Level.INFO, ROUTE, "invalid_spec", invalid.count,
                    "allocation batch of {} specs: {} refused as invalid, the first ({}): {}", specs.size(),
                    invalid.count, LogText.escape(invalid.firstReason), AllocationHandler.abbreviate(invalid.first));
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

    /** Exactly the body GET would give, or {@link #INVALID}. */
    private byte[] answer(String text, Refusals refusals) {
        // as GET: a spec longer than its request line may be is refused, which also bounds the regex's work
        if (text.isEmpty() || text.length() > AllocationHandler.MAX_REQUEST_LINE) {
            refusals.add(text, text.isEmpty() ? "empty" : "longer than a request line");
            return INVALID;
        }
        try {
            return allocations.answer(text).body();
        } catch (InvalidSpecException e) {
            refusals.add(text, e.getMessage());
            return INVALID;
        }
    }
}
