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
    private final Upstream upstream;
    private final boolean transientFailure;
    private final Duration retryAfter;
    /** The upstream's HTTP status when it answered one that failed the call; 0 otherwise. */
    private final int httpStatus;

    public UpstreamException(Upstream upstream, String message, boolean transientFailure) {
        this(upstream, message, transientFailure, null, null);
    }

    /** @param cause what went wrong underneath (an IOException, a parse error), or null */
    public UpstreamException(Upstream upstream, String message, boolean transientFailure, Throwable cause) {
        this(upstream, message, transientFailure, null, cause);
    }

    /** @param retryAfter how long the upstream asked to be left alone, or null */
    public UpstreamException(Upstream upstream, String message, boolean transientFailure, Duration retryAfter,
            Throwable cause) {
        this(upstream, message, transientFailure, retryAfter, 0, cause);
    }

    /** A call the upstream answered with a failing HTTP status. */
    UpstreamException(Upstream upstream, String message, boolean transientFailure, Duration retryAfter, int httpStatus,
            Throwable cause) {
        super(message, cause);
        this.upstream = upstream;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
        this.httpStatus = httpStatus;
    }

    /** 401 and 403: the upstream refused the credentials Gantry sent, or what they allow. */
    static boolean refusesCredentials(int httpStatus) {
        return httpStatus == 401 || httpStatus == 403;
    }

    /** Whether the upstream refused the credentials (HTTP 401 or 403): a setting to change, not a call to repeat. */
    public boolean credentialsRefused() {
        return refusesCredentials(httpStatus);
    }

    public Upstream upstream() {
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
