package org.spack.gantry.collect;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door of collection: reads a Job Hook, drops at once what can never be
 * collected, and hands the rest to the {@link IntakeWriter}, whose commit the
 * webhook's answer waits for.
 */
public final class Intake {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    public enum Decision { QUEUED, DUPLICATE, DROPPED }

    /** The event could not be written: the webhook must not be answered 200. */
    public static final class NotStored extends RuntimeException {
        private final long buildId;

        NotStored(long buildId, Throwable cause) {
            super(cause.getMessage(), cause);
            this.buildId = buildId;
        }

        public long buildId() {
            return buildId;
        }
    }

    private final WebhookParser parser = new WebhookParser();
    private final IntakeWriter writer;

    public Intake(IntakeWriter writer) {
        this.writer = writer;
    }

    /**
     * Throws for a body that is not a valid Job Hook. The result completes once the
     * decision is final: for a queued event, once it is committed; it completes with
     * {@link NotStored} when the event could not be written.
     */
    public CompletableFuture<Decision> accept(String body) throws InvalidWebhookException {
        WebhookParser.Parsed parsed = parser.parse(body);
        WebhookEvent e = parsed.event();
        if (e == null) {
            log.debug("dropped a job hook with status {}", parsed.status());
            return CompletableFuture.completedFuture(Decision.DROPPED);
        }
        String reason = Eligibility.skipReason(e);
        if (reason != null) {
            log.debug("dropped job {}: {}", e.buildId(), reason);
            return CompletableFuture.completedFuture(Decision.DROPPED);
        }
        return writer.write(e.buildId(), body).handle((added, error) -> {
            if (error != null) {
                throw new NotStored(e.buildId(), error instanceof CompletionException ce && ce.getCause() != null
                        ? ce.getCause() : error);
            }
            return added ? Decision.QUEUED : Decision.DUPLICATE;
        });
    }
}
