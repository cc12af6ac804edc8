package org.spack.gantry.collect;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.QueueStore;

/**
 * The door of collection: reads a Job Hook, drops at once what can never be
 * collected, and commits the rest to the queue before the webhook is answered.
 */
public final class Intake {
    private static final Logger log = LoggerFactory.getLogger(Intake.class);

    public enum Decision { QUEUED, DUPLICATE, DROPPED }

    private final Database db;
    private final QueueStore queue;
    private final WebhookParser parser = new WebhookParser();
    private final Runnable onQueued;
    private final Clock clock;

    public Intake(Database db, QueueStore queue, Runnable onQueued, Clock clock) {
        this.db = db;
        this.queue = queue;
        this.onQueued = onQueued;
        this.clock = clock;
    }

    /** Throws for a body that is not a valid Job Hook; a database failure propagates (no 200). */
    public Decision accept(String body) throws InvalidWebhookException {
        WebhookParser.Parsed parsed = parser.parse(body);
        WebhookEvent e = parsed.event();
        if (e == null) {
            log.debug("dropped a job hook with status {}", parsed.status());
            return Decision.DROPPED;
        }
        String reason = Eligibility.skipReason(e);
        if (reason != null) {
            log.debug("dropped job {}: {}", e.buildId(), reason);
            return Decision.DROPPED;
        }
        boolean added = db.write(c -> queue.enqueue(c, e.buildId(), body, clock.millis() / 1000.0));
        if (added) {
            onQueued.run();
            return Decision.QUEUED;
        }
        return Decision.DUPLICATE;
    }
}
