package org.spack.gantry.collect;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door of collection for webhooks: reads a Job Hook once into an {@link Admission}
 * (and, while OOM kills are looked for, a Pipeline Hook into a {@link FailedPipeline}),
 * drops at once what can never be collected, and hands the rest to the {@link IntakeWriter},
 * whose commit the webhook's answer waits for.
 */
public final class Intake {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    /** INVALID: a successful job with unreadable fields, recorded as skipped (answered 200 all the same). */
    public enum Decision { QUEUED, DUPLICATE, DROPPED, INVALID }

    /** The event could not be written: the webhook must not be answered 200. */
    public static final class NotStored extends RuntimeException {
        private final String subject;

        NotStored(String subject, Throwable cause) {
            super(cause.getMessage(), cause);
            this.subject = subject;
        }

        /** {@code job N} or {@code pipeline N}. */
        public String subject() {
            return subject;
        }
    }

    private final JobEventReader reader;
    private final PipelineEventReader pipelineReader = new PipelineEventReader();
    private final IntakeWriter writer;
    private final boolean oomTracking;

    /** Takes successful jobs only. */
    public Intake(IntakeWriter writer) {
        this(writer, false);
    }

    /** @param oomTracking whether failed build jobs and failed pipelines are taken too, to look for OOM kills */
    public Intake(IntakeWriter writer, boolean oomTracking) {
        this.writer = writer;
        this.oomTracking = oomTracking;
        this.reader = new JobEventReader(oomTracking);
    }

    /** Whether Pipeline Hooks are taken (else they are ignored, as any other event). */
    public boolean takesPipelines() {
        return oomTracking;
    }

    /**
     * A Pipeline Hook body, read as it streams in. Throws for a body that is not a pipeline
     * object. A failed pipeline with failed build jobs completes QUEUED once it and its jobs
     * are committed (DUPLICATE when the pipeline was recorded before); any other, DROPPED.
     */
    public CompletableFuture<Decision> acceptPipeline(java.io.Reader body) throws InvalidWebhookException {
        PipelineEventReader.Result read = pipelineReader.read(body);
        if (read instanceof PipelineEventReader.Dropped d) {
            log.debug("dropped a pipeline hook: {}", d.reason());
            return CompletableFuture.completedFuture(Decision.DROPPED);
        }
        FailedPipeline pipeline = ((PipelineEventReader.Failed) read).pipeline();
        return writer.write(new IntakeWriter.PipelineArrival(pipeline)).handle((added, error) -> {
            if (error != null) {
                throw new NotStored("pipeline " + pipeline.pipelineId(), error instanceof CompletionException ce
                        && ce.getCause() != null ? ce.getCause() : error);
            }
            return added ? Decision.QUEUED : Decision.DUPLICATE;
        });
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
                throw new NotStored("job " + arrival.buildId(), error instanceof CompletionException ce && ce.getCause() != null
                        ? ce.getCause() : error);
            }
            return invalid ? Decision.INVALID : added ? Decision.QUEUED : Decision.DUPLICATE;
        });
    }
}
