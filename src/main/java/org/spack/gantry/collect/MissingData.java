package org.spack.gantry.collect;

/** Prometheus has not what a job row needs; the job is skipped with this reason. */
final class MissingData extends Exception {
    MissingData(String reason) {
        super(reason, null, false, false);
    }

    /** @param cause what could not be read (a parse error) */
    MissingData(String reason, Throwable cause) {
        super(reason, cause, false, false);
    }
}
