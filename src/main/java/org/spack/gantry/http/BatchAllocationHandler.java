package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * read on the IO thread as it arrives and checked whole; then a batch thread answers
 * it chunk by chunk ({@link BatchAnswer}), never waiting for a client that does not
 * read. The bodies held at once are bounded: past that bound a batch is answered 503.
 */
final class BatchAllocationHandler implements HttpHandler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchAllocationHandler.class);
    static final int MAX_SPECS = SpecList.MAX_SPECS;
    static final long MAX_BODY = 8L * 1024 * 1024;
    private static final long MAX_DRAINED = 16L * 1024 * 1024;
    private static final String ROUTE = "/v1/allocations";
    private static final RequestBody.Limits LIMITS = new RequestBody.Limits(MAX_BODY, MAX_DRAINED, Server.BODY_DEADLINE);
    /** How long in all a client may keep its answer waiting (not reading) before it is cut off. */
    static final Duration ANSWER_DEADLINE = Duration.ofSeconds(20);
    /** Told to a client refused because too many batches are under way. */
    static final int RETRY_AFTER_SECONDS = 5;
    static final byte[] INVALID = "{\"error\": \"invalid spec\"}".getBytes(StandardCharsets.US_ASCII);

    private final Allocations allocations;
    private final ExecutorService batchThreads;
    private final HeldBytes bodies;
    private final RefusalLog refusals;

    /**
     * @param batchThreads how many batches are answered at once (each holds a thread only
     *     while it makes answers, never while it waits for its client)
     * @param heldBodies the bytes of batch bodies that may be held at once
     */
    BatchAllocationHandler(Allocations allocations, int batchThreads, long heldBodies, RefusalLog refusals) {
        this.allocations = allocations;
        this.batchThreads = new ThreadPoolExecutor(batchThreads, batchThreads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "allocation-batch");
                    t.setDaemon(true);
                    return t;
                });
        this.bodies = new HeldBytes(heldBodies);
        this.refusals = refusals;
    }

    /** An eighth of the heap, and room for two of the largest bodies at least. */
    static long defaultHeldBodies() {
        return Math.max(2 * MAX_BODY, Runtime.getRuntime().maxMemory() / 8);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long announced = exchange.getRequestContentLength();
        HeldBytes.Hold hold = bodies.tryHold(announced >= 0 ? Math.min(announced, MAX_BODY) : MAX_BODY);
        if (hold == null) {
            refusals.refused(log, Level.INFO, ROUTE, "busy", "allocation batch refused: {} MiB of batches under way already",
                    bodies.limit() / (1024 * 1024));
            // the body is not read (not even to drop it): the connection is closed after the answer
            exchange.setMaxEntitySize(0);
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, RETRY_AFTER_SECONDS);
            Responses.text(exchange, 503, "busy: too many batches under way, retry in " + RETRY_AFTER_SECONDS + " s");
            return;
        }
        // whatever happens to the request, what it held is given back when it ends
        exchange.addExchangeCompleteListener((ex, next) -> {
            hold.release();
            next.proceed();
        });
        // the body is read on the IO thread as it comes; a batch thread is taken only to answer it
        RequestBody.receive(exchange, LIMITS, (ex, body) -> {
            hold.shrinkTo(body.length);
            ex.dispatch(batchThreads, () -> answer(ex, body, hold));
        }, this::refusedBody);
    }

    private void refusedBody(HttpServerExchange exchange, RequestBody.Problem problem, String detail) {
        String answer = problem.answer(LIMITS);
        refusals.refused(log, Level.INFO, ROUTE, problem.reason, "allocation batch refused: {} ({})", detail, answer);
        Responses.text(exchange, problem.status, answer);
    }

    private void answer(HttpServerExchange exchange, byte[] body, HeldBytes.Hold hold) {
        SpecList specs;
        try {
            specs = SpecList.of(body);
        } catch (SpecList.Refused r) {
            refusals.refused(log, Level.INFO, ROUTE, r.reason, "allocation batch refused: {}", r.getMessage());
            Responses.text(exchange, r.status, r.getMessage());
            return;
        }
        Refusals invalid = new Refusals();
        new BatchAnswer(exchange, specs, text -> answer(text, invalid), batchThreads, ANSWER_DEADLINE,
                new BatchAnswer.Ended() {
                    @Override
                    public void written(int answers) {
                        logInvalid(specs, invalid);
                    }

                    @Override
                    public void notDelivered(int answersMade, boolean cutOff, String why) {
                        refusals.refused(log, Level.INFO, ROUTE, cutOff ? "answer_not_read" : "client_gone",
                                "allocation batch answer not delivered after {} of {} answers: {}", answersMade,
                                specs.size(), LogText.escape(why));
                    }

                    @Override
                    public void broke(RuntimeException e) {
                        log.error("allocation batch of {} specs failed; connection closed", specs.size(), e);
                    }
                }, hold::release).start();
    }

    private void logInvalid(SpecList specs, Refusals invalid) {
        if (invalid.count > 0) {
            // one line for the request, as for a refused GET, however many specs it refused
            refusals.refused(log, Level.INFO, ROUTE, "invalid_spec", invalid.count,
                    "allocation batch of {} specs: {} refused as invalid, the first ({}): {}", specs.size(),
                    invalid.count, LogText.escape(invalid.firstReason), SpecRequest.abbreviate(invalid.first));
        }
    }

    @Override
    public void close() {
        batchThreads.shutdownNow();
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
        if (text.isEmpty() || text.length() > SpecRequest.MAX_REQUEST_LINE) {
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
