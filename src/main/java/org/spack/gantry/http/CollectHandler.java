package org.spack.gantry.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.spack.gantry.collect.Collection;
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
    private static final long MAX_DRAINED = 16 * 1024 * 1024;
    private static final String ROUTE = "/v1/collect";
    private static final RequestBody.Limits LIMITS = new RequestBody.Limits(MAX_BODY, MAX_DRAINED, Server.BODY_DEADLINE);
    /** A Pipeline Hook lists every job of the pipeline: some 700 bytes each, thousands in a Spack pipeline. */
    static final long MAX_PIPELINE_BODY = 16 * 1024 * 1024;
    private static final RequestBody.Limits PIPELINE_LIMITS = new RequestBody.Limits(MAX_PIPELINE_BODY,
            MAX_PIPELINE_BODY + MAX_DRAINED, Server.BODY_DEADLINE);
    private static final String JOB_HOOK = "Job Hook";
    private static final String PIPELINE_HOOK = "Pipeline Hook";
    private static final HttpString TOKEN = new HttpString("X-Gitlab-Token");
    private static final HttpString EVENT = new HttpString("X-Gitlab-Event");

    private final Collection collection;
    private final byte[] webhookToken;
    private final HttpListener listener;
    private final RefusalLog refusals;

    /** @param webhookToken GitLab's secret token; set whenever collection is on */
    CollectHandler(Collection collection, String webhookToken, HttpListener listener, RefusalLog refusals) {
        this.collection = collection;
        this.webhookToken = webhookToken == null ? new byte[0] : webhookToken.getBytes(StandardCharsets.UTF_8);
        this.listener = listener;
        this.refusals = refusals;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!(collection instanceof Collection.On on)) {
            listener.webhook(WebhookResult.DISABLED);
            Responses.text(exchange, 503, "collection " + collection.status());
            return;
        }
        String token = exchange.getRequestHeaders().getFirst(TOKEN);
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), webhookToken)) {
            refusals.refused(log, Level.WARN, ROUTE, "invalid_token", "webhook from {} refused: invalid token",
                    exchange.getSourceAddress());
            listener.webhook(WebhookResult.UNAUTHORIZED);
            Responses.text(exchange, 401, "invalid token");
            return;
        }
        boolean pipeline = isPipelineHook(exchange, on.intake());
        // read on the IO thread as it comes: a slow sender holds no worker
        RequestBody.receive(exchange, pipeline ? PIPELINE_LIMITS : LIMITS,
                (ex, body) -> ex.dispatch(() -> accept(ex, on.intake(), pipeline, body)),
                (ex, problem, detail) -> refusedBody(ex, problem, detail, pipeline ? PIPELINE_LIMITS : LIMITS));
    }

    /** A Pipeline Hook, taken while OOM kills are looked for. */
    private static boolean isPipelineHook(HttpServerExchange exchange, Intake intake) {
        return PIPELINE_HOOK.equals(exchange.getRequestHeaders().getFirst(EVENT)) && intake.takesPipelines();
    }

    private void refusedBody(HttpServerExchange exchange, RequestBody.Problem problem, String detail,
            RequestBody.Limits limits) {
        String answer = problem.answer(limits);
        refusals.refused(log, Level.WARN, ROUTE, problem.reason, "webhook refused: {} ({})", detail, answer);
        Responses.text(exchange, problem.status, answer);
    }

    private void accept(HttpServerExchange exchange, Intake intake, boolean pipeline, byte[] body) {
        String event = exchange.getRequestHeaders().getFirst(EVENT);
        if (!JOB_HOOK.equals(event) && !pipeline) {
            // not fatal: a 200 keeps GitLab from disabling the hook
            log.warn("ignored a webhook of event type '{}': only {} collected", event == null ? null : LogText.escape(event),
                    intake.takesPipelines() ? "Job Hook and Pipeline Hook are" : "Job Hook is");
            listener.webhook(WebhookResult.IGNORED);
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
            listener.webhook(WebhookResult.REFUSED);
            Responses.text(exchange, 400, e.getMessage());
            return;
        }
        // no thread waits for the commit: the answer is sent from the connection's IO thread once it is done
        decision.whenCompleteAsync((d, error) -> answer(exchange, d, error), exchange.getIoThread());
    }

    private void answer(HttpServerExchange exchange, Intake.Decision decision, Throwable error) {
        if (error == null) {
            listener.webhook(switch (decision) {
                case QUEUED -> WebhookResult.QUEUED;
                case DUPLICATE -> WebhookResult.DUPLICATE;
                case DROPPED -> WebhookResult.DROPPED;
                case INVALID -> WebhookResult.INVALID;
            });
            Responses.empty(exchange, 200);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String subject = cause instanceof Intake.NotStored n ? n.subject() : "an event";
        // never a 200 for an event that is not on disk; GitLab will not send it again, backfill recovers it
        log.error("webhook for {} not stored, answered 503 (recover it with 'gantry backfill'): {}",
                subject, cause.getMessage());
        listener.webhook(WebhookResult.NOT_STORED);
        Responses.text(exchange, 503, "cannot store the event: " + cause.getMessage());
    }
}
