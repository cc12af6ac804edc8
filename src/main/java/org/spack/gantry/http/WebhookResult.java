package org.spack.gantry.http;

/** What became of a webhook: each is one value of the {@code result} label of gantry_webhooks_total. */
public enum WebhookResult {
    /** Committed to the queue, to be collected. */
    QUEUED,
    /** That build was already queued or done. */
    DUPLICATE,
    /** A job that can never be collected (not a finished build): answered 200, nothing stored. */
    DROPPED,
    /** A finished build whose fields are unreadable: recorded as skipped, answered 200. */
    INVALID,
    /** Not a Job Hook body at all: answered 400. */
    REFUSED,
    /** Another event type than Job Hook: answered 200, ignored. */
    IGNORED,
    /** The secret token did not match: 401. */
    UNAUTHORIZED,
    /** Collection is off: 503. */
    DISABLED,
    /** The event could not be committed: 503. */
    NOT_STORED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
