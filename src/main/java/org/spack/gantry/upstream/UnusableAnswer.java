package org.spack.gantry.upstream;

import java.io.IOException;

/**
 * Thrown by a {@link HttpFetcher.BodyReader} for an answer that arrived but is not what
 * the API sends: the wrong shape, nested too deep, not JSON at all. The upstream
 * misbehaves, not the network; the reader says whether asking again may help (a proxy's
 * login page in place of Prometheus' JSON goes away with a new cookie, a list of empty
 * objects in place of jobs does not).
 */
public final class UnusableAnswer extends IOException {
    private final boolean transientFailure;

    public UnusableAnswer(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
