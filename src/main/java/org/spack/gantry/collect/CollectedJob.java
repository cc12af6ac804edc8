package org.spack.gantry.collect;

import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.NodeRow;

/** Everything one collection found: the job, and its node, found stored or new. */
public record CollectedJob(JobRow job, Node node) {
    /** The node the job ran on, looked up once while collecting. */
    public sealed interface Node permits StoredNode, NewNode {}

    /** A node already stored: its {@code nodes.id}. */
    public record StoredNode(long id) implements Node {}

    /** A node not stored yet, with the labels Prometheus gave; stored with the job. */
    public record NewNode(NodeRow row) implements Node {}
}
