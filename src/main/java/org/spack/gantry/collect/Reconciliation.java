package org.spack.gantry.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.config.ReconcileSetting;

/** Automatic reconciliation with the GitLab jobs API as a server runs it: on, or off saying why. */
public sealed interface Reconciliation permits Reconciliation.On, Reconciliation.Off {
    /** The setting, for /healthz and {@code gantry info}. */
    ReconcileSetting setting();

    void start();

    void stop();

    /** Off: lost webhooks are found only by an operator's {@code gantry backfill}. */
    record Off(ReconcileSetting.Off setting) implements Reconciliation {
        private static final Logger log = LoggerFactory.getLogger(Reconciliation.class);

        @Override
        public void start() {
            log.info("reconciliation with the GitLab jobs API is {}", setting.describe());
        }

        @Override
        public void stop() {}
    }

    /** On: the {@link Reconciler} runs every interval on a thread of its own. */
    record On(Reconciler reconciler, ReconcileSetting.Every setting) implements Reconciliation {
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
