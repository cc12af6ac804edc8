package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.spack.gantry.allocate.Allocations;
import org.spack.gantry.spec.InvalidSpecException;

/**
 * {@code GET /v1/allocation?spec=SPEC}: the variables Spack puts into a build job.
 * Runs on the IO thread: parsing (linear in the spec's length) and an answer from
 * memory take microseconds, and a hand-over to a worker thread would cost more than
 * that. Only while the history is loading, when the database answers, is it dispatched.
 */
final class AllocationHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AllocationHandler.class);
    static final int MAX_REQUEST_LINE = 8190;
    private static final String ROUTE = "/v1/allocation";

    private final Allocations allocations;
    private final RefusalLog refusals;

    AllocationHandler(Allocations allocations, RefusalLog refusals) {
        this.allocations = allocations;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (requestLineLength(exchange) > MAX_REQUEST_LINE) {
            refusals.refused(log, Level.INFO, ROUTE, "request_line_too_long", "allocation refused: request line of {} bytes is over {}",
                    requestLineLength(exchange), MAX_REQUEST_LINE);
            Responses.text(exchange, 414, "request line too long");
            return;
        }
        // Undertow leaves the query undecoded (Server): it is read here as the reference reads it
        String text = QueryString.first(exchange.getQueryString(), "spec");
        if (text == null || text.isEmpty()) {
            refusals.refused(log, Level.INFO, ROUTE, "missing_spec", "allocation refused: no spec parameter");
            Responses.text(exchange, 400, "missing spec parameter");
            return;
        }
        if (allocations.fromMemory()) {
            answer(exchange, text);
        } else {
            // the reference queries may wait for the database: not on the IO thread
            exchange.dispatch(ex -> answer(ex, text));
        }
    }

    private void answer(HttpServerExchange exchange, String text) {
        try {
            Responses.json(exchange, 200, allocations.answer(text).body());
        } catch (InvalidSpecException e) {
            refusals.refused(log, Level.INFO, ROUTE, "invalid_spec", "allocation refused, invalid spec ({}): {}",
                    LogText.escape(e.getMessage()), abbreviate(text));
            Responses.text(exchange, 400, "invalid spec");
        }
    }

    static int requestLineLength(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestMethod().length() + 1 + exchange.getRequestURI().length()
                + (query == null || query.isEmpty() ? 0 : 1 + query.length()) + 1 + exchange.getProtocol().length();
    }

    /** Short, and on one line: a client's text must not forge log lines. */
    static String abbreviate(String s) {
        String head = s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " characters)";
        return LogText.escape(head);
    }
}
