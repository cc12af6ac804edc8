package org.spack.gantry.predict;

import org.spack.gantry.spec.Spec;

/** Answers an allocation for a parsed spec from the stored history. */
public interface Predictor {
    /** The answer; may wait for the database, so not for an IO thread. */
    Prediction predict(Spec spec);

    /**
     * The answer if it can be given without waiting for disk or a lock held by a
     * query (an IO thread may then answer at once), or null: then call {@link #predict}
     * on a worker thread.
     */
    default Prediction predictWithoutBlocking(Spec spec) {
        return null;
    }

    /**
     * A number that changes whenever anything an answer about the package depends on
     * changes (0 while it has no history), taken after looking for new jobs; or -1 when
     * answers about it must not be kept (this predictor cannot tell). An answer given
     * after reading a version stays right as long as the version stays the same.
     */
    default long historyVersion(String pkgName) {
        return -1;
    }

    /** For many specs in a row: looks for new jobs once, then answers each spec from that state. */
    default Predictor forBatch() {
        return this;
    }
}
