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
    private static final String ROUTE = "/v1/allocation";

    private final Allocations allocations;
    private final RefusalLog refusals;

    AllocationHandler(Allocations allocations, RefusalLog refusals) {
        this.allocations = allocations;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String text = SpecRequest.read(exchange, ROUTE, "allocation", refusals, log);
        if (text == null) {
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
                    LogText.escape(e.getMessage()), SpecRequest.abbreviate(text));
            Responses.text(exchange, 400, "invalid spec");
        }
    }
}
