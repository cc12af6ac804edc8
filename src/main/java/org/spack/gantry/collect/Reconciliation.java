package org.spack.gantry.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Automatic reconciliation with the GitLab jobs API as a server runs it: on, or off saying why. */
public sealed interface Reconciliation permits Reconciliation.On, Reconciliation.Off {
    /** The setting, for /healthz and {@code gantry info}. */
    String status();

    void start();

    void stop();

    /** Off: lost webhooks are found only by an operator's {@code gantry backfill}. */
    record Off(String reason) implements Reconciliation {
        private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

        @Override
        public String status() {
            return reason;
        }

        @Override
        public void start() {
            log.info("reconciliation with the GitLab jobs API is {}", reason);
        }

        @Override
        public void stop() {}
    }

    /** On: the {@link Reconciler} runs every interval on a thread of its own. */
    record On(Reconciler reconciler, String status) implements Reconciliation {
        @Override
        public void start() {
            reconciler.start();
        }

        @Override
        public void stop() {
            reconciler.close();
        }
    }
}
