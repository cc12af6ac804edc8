package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.spack.gantry.collect.Intake;
import org.spack.gantry.collect.InvalidWebhookException;

/**
 * {@code POST /v1/collect}, GitLab's Job Hook (and, while OOM kills are looked for, its
 * Pipeline Hook). Answers 200 only once the event is committed to disk (or needs no
 * collecting): GitLab never delivers a webhook twice.
 */
final class CollectHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(CollectHandler.class);
    static final long MAX_BODY = 1024 * 1024;
    /** A Pipeline Hook lists every job of the pipeline: some 700 bytes each, thousands in a Spack pipeline. */
    static final long MAX_PIPELINE_BODY = 16 * 1024 * 1024;
    private static final long MAX_DRAINED = 16 * 1024 * 1024;
    private static final String ROUTE = "/v1/collect";
    private static final RequestBody.Limits LIMITS = new RequestBody.Limits(MAX_BODY, MAX_DRAINED, Server.BODY_DEADLINE);
    private static final RequestBody.Limits PIPELINE_LIMITS = new RequestBody.Limits(MAX_PIPELINE_BODY,
            MAX_PIPELINE_BODY + MAX_DRAINED, Server.BODY_DEADLINE);
    private static final String JOB_HOOK = "Job Hook";
    private static final String PIPELINE_HOOK = "Pipeline Hook";
    private static final HttpString TOKEN = new HttpString("X-Gitlab-Token");
    private static final HttpString EVENT = new HttpString("X-Gitlab-Event");

    private final Intake intake;
    private final byte[] webhookToken;
    private final String disabledReason;
    private final WebhookListener listener;
    private final RefusalLog refusals;

    /** @param disabledReason why collection is off (then every call is 503), or null */
    CollectHandler(Intake intake, String webhookToken, String disabledReason, WebhookListener listener,
            RefusalLog refusals) {
        this.refusals = refusals;
        this.intake = intake;
        this.listener = listener;
        this.webhookToken = webhookToken == null ? null : webhookToken.getBytes(StandardCharsets.UTF_8);
        this.disabledReason = disabledReason;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (disabledReason != null) {
            listener.webhook("disabled");
            Responses.text(exchange, 503, "collection " + disabledReason);
            return;
        }
        String token = exchange.getRequestHeaders().getFirst(TOKEN);
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), webhookToken)) {
            refusals.refused(log, Level.WARN, ROUTE, "invalid_token", "webhook from {} refused: invalid token",
                    exchange.getSourceAddress());
            listener.webhook("unauthorized");
            Responses.text(exchange, 401, "invalid token");
            return;
        }
        boolean pipeline = isPipelineHook(exchange);
        // read on the IO thread as it comes: a slow sender holds no worker
        RequestBody.receive(exchange, pipeline ? PIPELINE_LIMITS : LIMITS, (ex, body) -> ex.dispatch(() -> accept(ex, body)),
                this::refusedBody);
    }

    /** A Pipeline Hook, taken while OOM kills are looked for. */
    private boolean isPipelineHook(HttpServerExchange exchange) {
        return PIPELINE_HOOK.equals(exchange.getRequestHeaders().getFirst(EVENT)) && intake.takesPipelines();
    }

    private void refusedBody(HttpServerExchange exchange, RequestBody.Problem problem, String detail) {
        refusals.refused(log, Level.WARN, ROUTE, problem.reason, "webhook refused: {}{}", detail,
                problem == RequestBody.Problem.TOO_LARGE ? (isPipelineHook(exchange) ? ", over the 16 MiB limit of a Pipeline Hook"
                : ", over the 1 MiB limit") : "");
        Responses.text(exchange, problem.status, switch (problem) {
            case TOO_LARGE -> "request body too large";
            case TOO_SLOW -> "request body not received in time";
            case INCOMPLETE -> "request body could not be read";
        });
    }

    private void accept(HttpServerExchange exchange, byte[] body) {
        String event = exchange.getRequestHeaders().getFirst(EVENT);
        boolean pipeline = isPipelineHook(exchange);
        if (!JOB_HOOK.equals(event) && !pipeline) {
            // not fatal: a 200 keeps GitLab from disabling the hook
            log.warn("ignored a webhook of event type '{}': only {} collected",
                    event == null ? null : LogText.escape(event),
                    intake.takesPipelines() ? "Job Hook and Pipeline Hook are" : "Job Hook is");
            listener.webhook("ignored");
            Responses.empty(exchange, 200);
            return;
        }
        CompletableFuture<Intake.Decision> decision;
        try {
            decision = pipeline
                    ? intake.acceptPipeline(new java.io.InputStreamReader(new java.io.ByteArrayInputStream(body),
                            StandardCharsets.UTF_8))
                    : intake.accept(new String(body, StandardCharsets.UTF_8));
        } catch (InvalidWebhookException e) {
            refusals.refused(log, Level.WARN, ROUTE, "invalid_webhook", "webhook refused: {}", LogText.escape(e.getMessage()));
            listener.webhook("invalid");
            Responses.text(exchange, 400, e.getMessage());
            return;
        }
        // no thread waits for the commit: the answer is sent from the connection's IO thread once it is done
        decision.whenCompleteAsync((d, error) -> answer(exchange, d, error), exchange.getIoThread());
    }

    private void answer(HttpServerExchange exchange, Intake.Decision decision, Throwable error) {
        if (error == null) {
            listener.webhook(decision.name().toLowerCase(Locale.ROOT));
            Responses.empty(exchange, 200);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String subject = cause instanceof Intake.NotStored n ? n.subject() : "an event";
        // never a 200 for an event that is not on disk; GitLab will not send it again, backfill recovers it
        log.error("webhook for {} not stored, answered 503 (recover it with 'gantry backfill'): {}",
                subject, cause.getMessage());
        listener.webhook("not_stored");
        Responses.text(exchange, 503, "cannot store the event: " + cause.getMessage());
    }

    /** Told how each webhook was answered, for metrics. */
    interface WebhookListener {
        void webhook(String result);
    }
}
