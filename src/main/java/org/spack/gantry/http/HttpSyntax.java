package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What HTTP forbids and Undertow lets through, refused with one line before any route
 * sees the request: a method that is not all upper case (methods are case-sensitive,
 * RFC 9110 section 9.1: {@code get} is not {@code GET}), a transfer coding other than
 * {@code chunked} alone (RFC 9112 section 6.3: chunked not last is a 400 and a closed
 * connection; section 6.1: a coding the server does not understand, here a 400 and not a
 * 5xx, as it is the client's), and a request header over {@link #MAX_HEADER_BYTES}.
 * Undertow itself only cuts off what is past twice that, with an empty 400.
 */
final class HttpSyntax implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(HttpSyntax.class);
    /** The request line and header fields together. */
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final HttpHandler next;
    private final RefusalLog refusals;

    HttpSyntax(HttpHandler next, RefusalLog refusals) {
        this.next = next;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String route = Server.route(exchange.getRequestPath());
        String method = exchange.getRequestMethod().toString();
        if (!method.equals(method.toUpperCase(Locale.ROOT))) {
            refusals.refused(log, Level.INFO, route, "method_not_allowed", "request refused: method {} is not upper case",
                    LogText.escape(method));
            Responses.text(exchange, 405, "method not allowed");
            return;
        }
        HeaderValues codings = exchange.getRequestHeaders().get(Headers.TRANSFER_ENCODING);
        if (codings != null && !onlyChunked(codings)) {
            String sent = LogText.escape(String.join(", ", codings));
            refusals.refused(log, Level.INFO, route, "transfer_encoding", "request refused: Transfer-Encoding {}", sent);
            refuseAndClose(exchange, 400, "unsupported Transfer-Encoding: only chunked alone is accepted");
            return;
        }
        long headerBytes = headerBytes(exchange);
        if (headerBytes > MAX_HEADER_BYTES) {
            refusals.refused(log, Level.INFO, route, "header_too_large", "request refused: header of {} bytes", headerBytes);
            refuseAndClose(exchange, 431, "request header too large: at most " + MAX_HEADER_BYTES / 1024 + " KiB");
            return;
        }
        next.handleRequest(exchange);
    }

    /**
     * The connection is closed after the answer; what the client sent meanwhile is read
     * and dropped first (up to Undertow's entity limit), so that closing does not reset
     * the connection before the client has read the answer.
     */
    private static void refuseAndClose(HttpServerExchange exchange, int status, String line) {
        exchange.setPersistent(false);
        Responses.text(exchange, status, line);
    }

    /** Exactly one coding, {@code chunked}, in any case, over any number of header lines. */
    private static boolean onlyChunked(HeaderValues codings) {
        String only = null;
        for (String line : codings) {
            for (String coding : line.split(",", -1)) {
                String c = coding.strip();
                if (only != null || c.isEmpty()) return false;
                only = c;
            }
        }
        return "chunked".equalsIgnoreCase(only);
    }

    /** The request line and header fields as they came (each field {@code name: value} and CRLF). */
    private static long headerBytes(HttpServerExchange exchange) {
        long bytes = SpecRequest.requestLineLength(exchange) + 2;
        for (var values : exchange.getRequestHeaders()) {
            for (String value : values) {
                bytes += values.getHeaderName().length() + 2 + value.length() + 2;
            }
        }
        return bytes + 2;
    }
}
