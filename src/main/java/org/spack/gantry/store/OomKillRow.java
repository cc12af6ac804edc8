package org.spack.gantry.store;

/**
 * A build container killed for exceeding its memory limit: a row of {@code oom_kills}
 * without the count that is computed when it is recorded.
 *
 * @param pipelineId null when the webhook did not say
 * @param memRequest the killed container's memory request in bytes, null when it had none
 * @param memLimit the killed container's memory limit in bytes, null when it had none
 * @param end when the job finished (unix seconds)
 */
public record OomKillRow(long buildId, Long pipelineId, String ref, String pod, ExactSpec spec, Double memRequest,
        Double memLimit, long end) {}
