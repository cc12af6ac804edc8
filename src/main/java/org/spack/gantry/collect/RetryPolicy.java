package org.spack.gantry.collect;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter for transient upstream failures, a bounded number of times. */
public record RetryPolicy(int maxAttempts, double baseDelaySeconds, double maxDelaySeconds) {
    public static RetryPolicy defaults() {
        // 2 s doubling to 5 min: about 10 minutes of Prometheus or GitLab trouble is ridden out
        return new RetryPolicy(8, 2.0, 300.0);
    }

    public boolean mayRetry(int attemptsSoFar) {
        return attemptsSoFar < maxAttempts;
    }

    /** Delay before the next try after {@code attemptsSoFar} tries: full jitter on the upper half. */
    public double delayAfter(int attemptsSoFar) {
        double ceiling = Math.min(maxDelaySeconds, baseDelaySeconds * Math.pow(2, Math.max(0, attemptsSoFar - 1)));
        return ceiling / 2 + ThreadLocalRandom.current().nextDouble() * ceiling / 2;
    }

    /** As {@link #delayAfter(int)}, but never sooner than the upstream asked ({@code Retry-After}). */
    public double delayAfter(int attemptsSoFar, Optional<Duration> retryAfter) {
        double backoff = delayAfter(attemptsSoFar);
        return retryAfter.map(d -> Math.max(backoff, d.toMillis() / 1000.0)).orElse(backoff);
    }
}
