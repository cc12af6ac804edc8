package org.spack.gantry.upstream;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to Prometheus or GitLab that did not give a usable answer. Transient
 * failures (no connection, timeout, 5xx, 429, a body that is not what the API
 * sends, such as an expired cookie's login page) are worth retrying; the others are not.
 * An upstream that said when to come back ({@code Retry-After}) is not asked earlier.
 */
public class UpstreamException extends Exception {
    private final String upstream;
    private final boolean transientFailure;
    private final Duration retryAfter;

    /** @param upstream which service failed, {@code Prometheus} or {@code GitLab}: a metrics label */
    public UpstreamException(String upstream, String message, boolean transientFailure) {
        this(upstream, message, transientFailure, null);
    }

    /** @param retryAfter how long the upstream asked to be left alone, or null */
    public UpstreamException(String upstream, String message, boolean transientFailure, Duration retryAfter) {
        super(message);
        this.upstream = upstream;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
    }

    public String upstream() {
        return upstream;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** The upstream's {@code Retry-After}, when it sent one with a 429 or 503. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
