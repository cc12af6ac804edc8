package org.spack.gantry.collect;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collection as a server runs it: on, with the intake webhooks are handed to and the
 * workers that collect what it queued, or off, saying which settings are missing.
 */
public sealed interface Collection permits Collection.On, Collection.Off {
    /** {@code enabled}, or {@code disabled: X, Y not set}: for /healthz and the log. */
    String status();

    void start();

    /** Wakes idle workers: events were queued other than through the intake (reconciliation). */
    void wake();

    /**
     * Refuses new webhooks, commits those already waiting, lets collections under way finish
     * within {@code graceMs} and puts the others back in the queue.
     */
    void stop(long graceMs);

    /** Off: every webhook is answered 503 with the reason. */
    record Off(List<String> missingSettings) implements Collection {
        private static final Logger log = LoggerFactory.getLogger(Collection.class);

        public Off {
            missingSettings = List.copyOf(missingSettings);
        }

        @Override
        public String status() {
            return "disabled: " + String.join(", ", missingSettings) + " not set";
        }

        @Override
        public void start() {
            log.warn("collection is {}: /v1/collect answers 503 until they are set", status());
        }

        @Override
        public void wake() {}

        @Override
        public void stop(long graceMs) {}
    }

    /** On: webhooks are committed to the queue by the intake, then collected by the workers. */
    final class On implements Collection {
        private static final Logger log = LoggerFactory.getLogger(Collection.class);

        private final IntakeWriter writer;
        private final CollectionWorkers workers;
        private final Intake intake;
        private final Runnable abandonUpstreamCalls;

        /** @param abandonUpstreamCalls makes calls under way fail at once, so that their events go back to the queue */
        public On(IntakeWriter writer, CollectionWorkers workers, Runnable abandonUpstreamCalls) {
            this(writer, workers, abandonUpstreamCalls, false);
        }

        /** @param oomTracking whether failed build jobs and failed pipelines are taken too, to look for OOM kills */
        public On(IntakeWriter writer, CollectionWorkers workers, Runnable abandonUpstreamCalls, boolean oomTracking) {
            this.writer = writer;
            this.workers = workers;
            this.intake = new Intake(writer, oomTracking);
            this.abandonUpstreamCalls = abandonUpstreamCalls;
        }

        public Intake intake() {
            return intake;
        }

        @Override
        public String status() {
            return "enabled";
        }

        @Override
        public void start() {
            workers.start();
            writer.start();
        }

        @Override
        public void wake() {
            workers.signal();
        }

        @Override
        public void stop(long graceMs) {
            writer.close();
            int released = workers.stop(graceMs, abandonUpstreamCalls);
            if (released > 0) {
                log.info("{} collection(s) under way were put back in the queue for the next start", released);
            }
        }
    }
}
