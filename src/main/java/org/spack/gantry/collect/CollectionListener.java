package org.spack.gantry.collect;

import org.spack.gantry.upstream.Upstream;

/** Told about every recorded outcome and every retry, for metrics. */
public interface CollectionListener {
    void outcome(Outcome outcome);

    /** A try failed on {@code upstream} and the job is asked again later. */
    void retry(Upstream upstream);

    CollectionListener NONE = new CollectionListener() {
        @Override
        public void outcome(Outcome outcome) {}

        @Override
        public void retry(Upstream upstream) {}
    };
}
