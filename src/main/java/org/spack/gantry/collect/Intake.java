package org.spack.gantry.collect;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door of collection for webhooks: reads a Job Hook once into an {@link Admission},
 * drops at once what can never be collected, and hands the rest to the {@link IntakeWriter},
 * whose commit the webhook's answer waits for.
 */
public final class Intake {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    /** INVALID: a successful job with unreadable fields, recorded as skipped (answered 200 all the same). */
    public enum Decision { QUEUED, DUPLICATE, DROPPED, INVALID }

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

    private final JobEventReader reader = new JobEventReader();
    private final IntakeWriter writer;

    public Intake(IntakeWriter writer) {
        this.writer = writer;
    }

    /**
     * Throws for a body that is not a Job Hook at all. The result completes once the
     * decision is final: for a recorded event, once it is committed; it completes with
     * {@link NotStored} when the event could not be written.
     */
    public CompletableFuture<Decision> accept(String body) throws InvalidWebhookException {
        Admission admission = reader.fromWebhook(body);
        if (admission instanceof Admission.Dropped d) {
            log.debug("dropped a job hook: {}", d.reason());
            return CompletableFuture.completedFuture(Decision.DROPPED);
        }
        IntakeWriter.Arrival arrival = new IntakeWriter.Arrival(admission, "webhook", body);
        boolean invalid = admission instanceof Admission.Invalid;
        if (invalid) {
            log.warn("job {}: webhook recorded as skipped: {}", arrival.buildId(), ((Admission.Invalid) admission).reason());
        }
        return writer.write(arrival).handle((added, error) -> {
            if (error != null) {
                throw new NotStored(arrival.buildId(), error instanceof CompletionException ce && ce.getCause() != null
                        ? ce.getCause() : error);
            }
            return invalid ? Decision.INVALID : added ? Decision.QUEUED : Decision.DUPLICATE;
        });
    }
}
