package org.spack.gantry.upstream;

/**
 * A call to Prometheus or GitLab that did not give a usable answer. Transient
 * failures (no connection, timeout, 5xx, 429, a body that is not what the API
 * sends, such as an expired cookie's login page) are worth retrying; the others are not.
 */
public class UpstreamException extends Exception {
    private final String upstream;
    private final boolean transientFailure;

    /** @param upstream which service failed, {@code Prometheus} or {@code GitLab}: a metrics label */
    public UpstreamException(String upstream, String message, boolean transientFailure) {
        super(message);
        this.upstream = upstream;
        this.transientFailure = transientFailure;
    }

    public String upstream() {
        return upstream;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
