package org.spack.gantry.oom;

import java.util.List;
import org.spack.gantry.collect.KillListener;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.store.OomKillStore;

/**
 * Recovery from OOM kills as a server runs it: on while answers carry a memory limit
 * (failed build jobs are looked at, kills raise the next answer's limit, and failed
 * pipelines may be run again), or off, saying why.
 */
public sealed interface OomRecovery extends KillListener, JobCommitListener permits OomRecovery.On, OomRecovery.Off {
    /** The raises in force (none while off). */
    OomRaises raises();

    /** For the log and {@code gantry info}. */
    String status();

    void start();

    /** A failed pipeline arrived, or failed jobs were looked at: pipelines may be decided. */
    void wake();

    /** Stops deciding pipelines; a GitLab call under way ends when the HTTP client closes. */
    void stop();

    /** Waits for the pipeline thread to end. */
    void close();

    /** Off: answers carry no memory limit, so a kill could raise nothing. */
    record Off(String reason) implements OomRecovery {
        private static final OomRaises NONE = new OomRaises(List.of());

        @Override
        public OomRaises raises() {
            return NONE;
        }

        @Override
        public String status() {
            return "disabled: " + reason;
        }

        @Override
        public void start() {}

        @Override
        public void wake() {}

        @Override
        public void stop() {}

        @Override
        public void close() {}

        @Override
        public void killed(OomKillStore.Recorded kill) {}

        @Override
        public void committed(long id, JobRow row) {}
    }

    /** On: kills raise limits; {@code reruns} decides failed pipelines (none while collection is off). */
    final class On implements OomRecovery {
        private final OomRaises raises;
        private final List<PipelineReruns> reruns;
        private final String status;
        private List<RaisesFollower> followers = List.of();

        public On(OomRaises raises, PipelineReruns reruns, boolean rerunsEnabled) {
            this.raises = raises;
            this.reruns = List.of(reruns);
            this.status = "enabled: raises after OOM kills, " + (rerunsEnabled
                    ? "failed pipelines with OOM-killed build jobs run again" : "no pipeline run again (GANTRY_OOM_RERUN_PIPELINES is off)");
        }

        /** Without collection: the raises recorded before still apply; nothing new is looked at. */
        public On(OomRaises raises) {
            this.raises = raises;
            this.reruns = List.of();
            this.status = "enabled: raises after OOM kills (collection is off: no new kill is looked at)";
        }

        /** On a database other hosts share: their kills and successes are followed too. */
        public On followingOtherHosts(RaisesFollower follower) {
            this.followers = List.of(follower);
            return this;
        }

        @Override
        public OomRaises raises() {
            return raises;
        }

        @Override
        public String status() {
            return status + (followers.isEmpty() ? "" : "; other hosts' kills followed every second");
        }

        @Override
        public void start() {
            reruns.forEach(PipelineReruns::start);
            followers.forEach(RaisesFollower::start);
        }

        @Override
        public void wake() {
            reruns.forEach(PipelineReruns::signal);
        }

        @Override
        public void stop() {
            reruns.forEach(PipelineReruns::stop);
            followers.forEach(RaisesFollower::close);
        }

        @Override
        public void close() {
            reruns.forEach(PipelineReruns::close);
        }

        @Override
        public void killed(OomKillStore.Recorded kill) {
            raises.killed(kill);
            wake();
        }

        @Override
        public void committed(long id, JobRow row) {
            raises.committed(id, row);
        }
    }
}
