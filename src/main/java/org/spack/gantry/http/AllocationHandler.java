package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.spack.gantry.predict.HistoryIndex;
import org.spack.gantry.predict.LiveHistory;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.predict.Prediction;
import org.spack.gantry.predict.Predictor;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.SpecParser;

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

    private final SpecParser parser;
    private final LiveHistory history;
    private final Predictor untilLoaded;
    private final PredictionListener listener;
    private final AnswerCache answers;
    private final MemoryLimit memoryLimit;
    private final RefusalLog refusals;

    AllocationHandler(SpecParser parser, LiveHistory history, Predictor untilLoaded, PredictionListener listener,
            AnswerCache answers, MemoryLimit memoryLimit, RefusalLog refusals) {
        this.parser = parser;
        this.history = history;
        this.untilLoaded = untilLoaded;
        this.listener = listener;
        this.answers = answers;
        this.memoryLimit = memoryLimit;
        this.refusals = refusals;
    }

    /** Told which predictor answered each allocation. */
    interface PredictionListener {
        void predicted(String predictor);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (requestLineLength(exchange) > MAX_REQUEST_LINE) {
            refusals.refused(log, Level.INFO, ROUTE, "request_line_too_long", "allocation refused: request line of {} bytes is over {}",
                    requestLineLength(exchange), MAX_REQUEST_LINE);
            Responses.text(exchange, 414, "request line too long");
            return;
        }
        Deque<String> specs = exchange.getQueryParameters().get("spec");
        String text = specs == null ? null : specs.peekFirst();
        if (text == null || text.isEmpty()) {
            refusals.refused(log, Level.INFO, ROUTE, "missing_spec", "allocation refused: no spec parameter");
            Responses.text(exchange, 400, "missing spec parameter");
            return;
        }
        HistoryIndex index = history.index();
        if (index == null) {
            exchange.dispatch(ex -> answerFromDatabase(ex, text));
            return;
        }
        AnswerCache.Answer kept = answers.get(text, index::version);
        if (kept != null) {
            answer(exchange, kept);
            return;
        }
        Spec spec;
        try {
            spec = parser.parse(text);
        } catch (InvalidSpecException e) {
            refuse(exchange, e, text);
            return;
        }
        long version = index.version(spec.pkgName()); // before predicting: see AnswerCache.put
        Prediction p = index.predict(spec);
        answer(exchange, answers.put(text, spec.pkgName(), version, p.predictor(), p.toJson(memoryLimit)));
    }

    /** On a worker thread, where the reference queries may wait for the database. */
    private void answerFromDatabase(HttpServerExchange exchange, String text) {
        try {
            Prediction p = untilLoaded.predict(parser.parse(text));
            listener.predicted(p.predictor());
            Responses.json(exchange, 200, p.toJson(memoryLimit));
        } catch (InvalidSpecException e) {
            refuse(exchange, e, text);
        }
    }

    private void answer(HttpServerExchange exchange, AnswerCache.Answer answer) {
        listener.predicted(answer.predictor());
        Responses.json(exchange, 200, answer.body());
    }

    /** The parser found the spec invalid. */
    private void refuse(HttpServerExchange exchange, InvalidSpecException e, String text) {
        refusals.refused(log, Level.INFO, ROUTE, "invalid_spec", "allocation refused, invalid spec ({}): {}",
                LogText.escape(e.getMessage()), abbreviate(text));
        Responses.text(exchange, 400, "invalid spec");
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
