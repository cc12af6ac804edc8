package org.spack.gantry.collect;

import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.NodeRow;

/** Everything one collection found: the job, and its node when that node is not stored yet. */
public record CollectedJob(JobRow job, String nodeUuid, NodeRow newNode) {}
