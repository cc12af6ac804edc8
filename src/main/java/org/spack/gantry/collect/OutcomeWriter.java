package org.spack.gantry.collect;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobStore;
import org.spack.gantry.store.NodeStore;
import org.spack.gantry.store.OomKillRow;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.store.QueueStore;

/**
 * The one place a collection's result is written: the job, its node and the event's
 * outcome (or a failed job's OOM kill and its outcome) in one transaction, so that a
 * crash leaves an event either done or still queued.
 */
public final class OutcomeWriter {
    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);

    private final Database db;
    private final QueueStore queue;
    private final JobStore jobs;
    private final NodeStore nodes;
    private final JobCommitListener committed;
    private final KillListener killed;
    private final CollectionListener listener;
    private final Clock clock;
    private final OomKillStore kills = new OomKillStore();

    public OutcomeWriter(Database db, QueueStore queue, JobStore jobs, NodeStore nodes, JobCommitListener committed,
            CollectionListener listener, Clock clock) {
        this(db, queue, jobs, nodes, committed, KillListener.NONE, listener, clock);
    }

    /** @param killed told of each OOM kill right after its commit */
    public OutcomeWriter(Database db, QueueStore queue, JobStore jobs, NodeStore nodes, JobCommitListener committed,
            KillListener killed, CollectionListener listener, Clock clock) {
        this.db = db;
        this.queue = queue;
        this.jobs = jobs;
        this.nodes = nodes;
        this.committed = committed;
        this.killed = killed;
        this.listener = listener;
        this.clock = clock;
    }

    /** Writes what the collector returned: the job, the OOM kill, or the reason it was skipped. */
    public Outcome write(QueueStore.Claimed claimed, Collector.Result result) {
        long buildId = claimed.buildId();
        if (result instanceof Collector.Skipped s) {
            return finish(claimed, Outcome.skipped(s.reason()));
        }
        if (result instanceof Collector.Killed k) {
            return writeKill(claimed, k.kill());
        }
        CollectedJob found = ((Collector.Found) result).collected();
        Long[] rowId = new Long[1];
        Outcome outcome = db.write(c -> {
            long nodeId = found.node() instanceof CollectedJob.StoredNode stored ? stored.id()
                    : nodes.insertOrFind(c, ((CollectedJob.NewNode) found.node()).row());
            // "already stored" is decided by the Collector before anything is asked upstream, as the
            // reference does; here only when a row came in since (another host's collection of it
            // after a lease expired) or another job's row has this pod (jobs.pod is UNIQUE)
            rowId[0] = jobs.insert(c, found.job(), nodeId);
            Outcome o = rowId[0] != null ? Outcome.inserted() : Outcome.skipped("already stored");
            queue.finish(c, claimed, o.state(), o.reason(), now());
            return o;
        });
        if (rowId[0] != null) {
            committed.committed(rowId[0], found.job());
        }
        log.info("job {} {} ({} {}@{})", buildId, outcome, found.job().pod(), found.job().pkgName(),
                found.job().pkgVersion());
        listener.outcome(outcome);
        return outcome;
    }

    /** The kill and the event's outcome in one transaction; then the listener is told. */
    private Outcome writeKill(QueueStore.Claimed claimed, OomKillRow kill) {
        OomKillStore.Recorded[] recorded = new OomKillStore.Recorded[1];
        Outcome outcome = db.write(c -> {
            recorded[0] = kills.record(c, kill, now());
            Outcome o = recorded[0] == null ? Outcome.skipped("already recorded")
                    : Outcome.oomKilled(recorded[0].killsSinceSuccess());
            queue.finish(c, claimed, o.state(), o.reason(), now());
            return o;
        });
        if (recorded[0] != null) {
            killed.killed(recorded[0]);
        }
        log.info("job {} {} ({} {} limit {} bytes)", claimed.buildId(), outcome, kill.pod(), kill.spec(), kill.memLimit());
        listener.outcome(outcome);
        return outcome;
    }

    /** Records an outcome without a job: skipped or failed. */
    public Outcome finish(QueueStore.Claimed claimed, Outcome outcome) {
        db.write(c -> {
            queue.finish(c, claimed, outcome.state(), outcome.reason(), now());
            return null;
        });
        log.info("job {} {}", claimed.buildId(), outcome);
        listener.outcome(outcome);
        return outcome;
    }

    private double now() {
        return clock.millis() / 1000.0;
    }
}
