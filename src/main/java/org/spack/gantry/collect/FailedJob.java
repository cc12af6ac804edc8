package org.spack.gantry.collect;

/**
 * A failed, eligible build job to look at for an OOM kill: what its Job Hook (or its
 * pipeline's Pipeline Hook) says about it, read and checked once where it entered.
 *
 * @param pipelineId null when the webhook does not say
 */
public record FailedJob(long buildId, long startedAt, long finishedAt, String ref, Long pipelineId) {
    /** Its status in GitLab's webhooks. */
    public static final String STATUS = "failed";

    /**
     * How long after the job's end its pod's state is looked at: kube-state-metrics reports
     * a container's termination only once Prometheus has scraped it (every 15 to 60 s).
     */
    public static final long SIGNAL_DELAY_SECONDS = 120;

    /** When Prometheus holds the job's last state for sure. */
    public double dueAt() {
        return finishedAt + (double) SIGNAL_DELAY_SECONDS;
    }
}
