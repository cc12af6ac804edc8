package org.spack.gantry.collect;

import java.util.List;

/**
 * A failed pipeline as its Pipeline Hook describes it: its ref and its failed build jobs
 * (the jobs that can never be looked at, not build stages or without a runner, left out).
 */
public record FailedPipeline(long pipelineId, String ref, List<FailedJob> failedJobs) {
    public FailedPipeline {
        failedJobs = List.copyOf(failedJobs);
    }
}
