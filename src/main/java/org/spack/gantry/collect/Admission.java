package org.spack.gantry.collect;

/** What becomes of a job as it enters, whichever the source: queued (a success, or a failure to look at), dropped, or recorded as invalid. */
public sealed interface Admission {
    /** An eligible, successful job: queued for collection. */
    record Admitted(JobEvent event) implements Admission {}

    /** A failed, eligible build job: queued to be looked at for an OOM kill. */
    record AdmittedFailure(FailedJob job) implements Admission {}

    /** Never collectable (not finished successfully, not a build, a runner Prometheus does not watch): dropped. */
    record Dropped(String reason) implements Admission {}

    /** A successful job whose fields cannot be read: recorded as skipped with the reason, not collected. */
    record Invalid(long buildId, String reason) implements Admission {}
}
