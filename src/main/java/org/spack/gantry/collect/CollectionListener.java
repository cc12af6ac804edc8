package org.spack.gantry.collect;

/** Told about every recorded outcome and every retry, for metrics. */
public interface CollectionListener {
    void outcome(Outcome outcome);

    void retry(String reason);

    CollectionListener NONE = new CollectionListener() {
        @Override
        public void outcome(Outcome outcome) {}

        @Override
        public void retry(String reason) {}
    };
}
