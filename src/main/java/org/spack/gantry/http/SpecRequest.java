package org.spack.gantry.http;

import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The spec of a {@code GET ...?spec=SPEC} request, read as the reference reads it, or the
 * refusal every such route gives: 414 for a request line over 8190 bytes, 400 {@code
 * missing spec parameter}.
 */
final class SpecRequest {
    static final int MAX_REQUEST_LINE = 8190;

    private SpecRequest() {}

    /** The spec's text; null when the request was refused (answered here, logged as {@code what} refused). */
    static String read(HttpServerExchange exchange, String route, String what, RefusalLog refusals, Logger log) {
        int length = requestLineLength(exchange);
        if (length > MAX_REQUEST_LINE) {
            refusals.refused(log, Level.INFO, route, "request_line_too_long", "{} refused: request line of {} bytes is over {}",
                    what, length, MAX_REQUEST_LINE);
            Responses.text(exchange, 414, "request line too long");
            return null;
        }
        // Undertow leaves the query undecoded (Server): it is read here as the reference reads it
        String text = QueryString.first(exchange.getQueryString(), "spec");
        if (text == null || text.isEmpty()) {
            refusals.refused(log, Level.INFO, route, "missing_spec", "{} refused: no spec parameter", what);
            Responses.text(exchange, 400, "missing spec parameter");
            return null;
        }
        return text;
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
