package org.spack.gantry.collect;

import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.upstream.UpstreamException;

/** A call to GitLab tried again after a transient failure, at least {@code Retry-After} later after a 429. */
final class Tries {
    private static final Logger log = LoggerFactory.getLogger(Tries.class);

    interface Call<T> {
        T run() throws UpstreamException;
    }

    private final RetryPolicy retry;
    private final JobsScan.Sleeper sleeper;

    Tries(RetryPolicy retry, JobsScan.Sleeper sleeper) {
        this.retry = retry;
        this.sleeper = sleeper;
    }

    /** The same tries, telling {@code beforeWait} how long each wait will be before it begins. */
    Tries announcing(DoubleConsumer beforeWait) {
        return new Tries(retry, seconds -> {
            beforeWait.accept(seconds);
            sleeper.sleep(seconds);
        });
    }

    <T> T call(String what, Call<T> call) throws UpstreamException, InterruptedException {
        for (int attempt = 1;; attempt++) {
            try {
                return call.run();
            } catch (UpstreamException e) {
                if (!e.isTransient() || !retry.mayRetry(attempt)) throw e;
                double delay = retry.delayAfter(attempt, e.retryAfter());
                log.warn("{}; try {} of {} for {}, next in {} s", e.getMessage(), attempt, retry.maxAttempts(), what,
                        Math.round(delay));
                sleeper.sleep(delay);
            }
        }
    }
}
