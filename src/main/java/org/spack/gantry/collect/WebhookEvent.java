package org.spack.gantry.collect;

/**
 * The parts of a GitLab Job Hook that collection needs, already checked for type.
 * {@code runnerDescription} is null when the job had no runner.
 */
public record WebhookEvent(
        long buildId,
        String status,
        String stage,
        long startedAt,
        long finishedAt,
        String ref,
        boolean hasRunner,
        String runnerDescription) {

    /** Prometheus is not sure to have data at the very start or end; the middle is safe. */
    public double midpoint() {
        return (startedAt + finishedAt) / 2.0;
    }
}
