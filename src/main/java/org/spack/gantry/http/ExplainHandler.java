package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.spack.gantry.explain.Explainer;
import org.spack.gantry.explain.Explanation;
import org.spack.gantry.explain.ExplanationJson;
import org.spack.gantry.explain.ExplanationText;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.store.DatabaseException;

/**
 * {@code GET /v1/allocation/explain?spec=SPEC[&format=json|text]}: why the spec gets its
 * answer ({@link Explainer}). JSON by default; text with {@code format=text}, or with an
 * {@code Accept} that names {@code text/plain} and not {@code application/json}. The same
 * refusals as {@code /v1/allocation}. Answered on a worker thread: it reads the database.
 */
final class ExplainHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ExplainHandler.class);
    static final String ROUTE = "/v1/allocation/explain";

    private final Explainer explainer;
    private final RefusalLog refusals;

    ExplainHandler(Explainer explainer, RefusalLog refusals) {
        this.explainer = explainer;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String text = SpecRequest.read(exchange, ROUTE, "explanation", refusals, log);
        if (text == null) {
            return;
        }
        Boolean asText = asText(exchange);
        if (asText == null) {
            refusals.refused(log, Level.INFO, ROUTE, "invalid_format", "explanation refused: format is not json or text");
            Responses.text(exchange, 400, "format must be json or text");
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(ex -> answer(ex, text, asText));
        } else {
            answer(exchange, text, asText);
        }
    }

    /** Whether the text form was asked for; null when {@code format} names neither form. */
    private static Boolean asText(HttpServerExchange exchange) {
        String format = QueryString.first(exchange.getQueryString(), "format");
        if (format != null) {
            return switch (format) {
                case "text" -> true;
                case "json" -> false;
                default -> null;
            };
        }
        String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
        return accept != null && accept.contains("text/plain") && !accept.contains("application/json");
    }

    private void answer(HttpServerExchange exchange, String text, boolean asText) {
        Explanation e;
        try {
            e = explainer.explain(text);
        } catch (InvalidSpecException invalid) {
            refusals.refused(log, Level.INFO, ROUTE, "invalid_spec", "explanation refused, invalid spec ({}): {}",
                    LogText.escape(invalid.getMessage()), SpecRequest.abbreviate(text));
            Responses.text(exchange, 400, "invalid spec");
            return;
        } catch (DatabaseException unreadable) {
            log.warn("explanation not given: {}", LogText.escape(unreadable.getMessage()));
            Responses.text(exchange, 503, "cannot read the database: " + unreadable.getMessage());
            return;
        }
        if (asText) Responses.text(exchange, 200, ExplanationText.render(e));
        else Responses.json(exchange, 200, ExplanationJson.render(e));
    }
}
