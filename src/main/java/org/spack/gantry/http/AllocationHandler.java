package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.SpecParser;

/** {@code GET /v1/allocation?spec=SPEC}: the variables Spack puts into a build job. */
final class AllocationHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(AllocationHandler.class);
    static final int MAX_REQUEST_LINE = 8190;

    private final SpecParser parser;
    private final Predictor predictor;
    private final PredictionListener listener;

    AllocationHandler(SpecParser parser, Predictor predictor, PredictionListener listener) {
        this.parser = parser;
        this.predictor = predictor;
        this.listener = listener;
    }

    /** Told which predictor answered each allocation. */
    interface PredictionListener {
        void predicted(String predictor);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (requestLineLength(exchange) > MAX_REQUEST_LINE) {
            log.warn("allocation refused: request line of {} bytes is over {}", requestLineLength(exchange), MAX_REQUEST_LINE);
            Responses.text(exchange, 414, "request line too long");
            return;
        }
        Deque<String> specs = exchange.getQueryParameters().get("spec");
        String text = specs == null ? null : specs.peekFirst();
        if (text == null || text.isEmpty()) {
            log.warn("allocation refused: no spec parameter");
            Responses.text(exchange, 400, "missing spec parameter");
            return;
        }
        Prediction prediction;
        try {
            // the predictor too may find a spec invalid (an expensive variant that is not a number)
            prediction = predictor.predict(parser.parse(text));
        } catch (InvalidSpecException e) {
            log.warn("allocation refused, invalid spec ({}): {}", e.getMessage(), abbreviate(text));
            Responses.text(exchange, 400, "invalid spec");
            return;
        }
        listener.predicted(prediction.predictor());
        Responses.json(exchange, 200, prediction.toJson());
    }

    static int requestLineLength(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestMethod().length() + 1 + exchange.getRequestURI().length()
                + (query == null || query.isEmpty() ? 0 : 1 + query.length()) + 1 + exchange.getProtocol().length();
    }

    /** Short, and on one line: a client's text must not forge log lines. */
    private static String abbreviate(String s) {
        String head = s.length() <= 200 ? s : s.substring(0, 200) + "... (" + s.length() + " characters)";
        return head.replace("\n", "\\n").replace("\r", "\\r");
    }
}
