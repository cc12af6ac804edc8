package org.spack.gantry.store;

/**
 * A row one of the reference's sample queries selects: the job's GitLab id and end (which
 * say which build it was), and the four figures the prediction is made of.
 *
 * @param gitlabId the {@code gitlab_id} column: the GitLab job id ({@code build_id} in a Job Hook)
 * @param end when the job finished (unix seconds, as stored)
 */
public record SampleRow(long gitlabId, double end, double cpuMean, double cpuMax, double memMean, double memMax) {}
