package org.spack.gantry.collect;

/**
 * A finished, eligible build job to collect: what a Job Hook, a backfill or a
 * reconciliation says about it, read and checked once where it entered. Whatever the
 * source, this is what the queue holds and the collector reads.
 */
public record JobEvent(long buildId, long startedAt, long finishedAt, String ref) {
    /** Every job the queue holds finished successfully: only those are admitted. */
    public static final String STATUS = "success";

    /** Prometheus is not sure to have data at the very start or end; the middle is safe. */
    public double midpoint() {
        return (startedAt + finishedAt) / 2.0;
    }
}
