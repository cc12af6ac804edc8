package org.spack.gantry.oom;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.collect.RetryPolicy;
import org.spack.gantry.gitlab.GitLabPipelines;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.store.OomKillStore;
import org.spack.gantry.store.PipelineStore;
import org.spack.gantry.upstream.UpstreamException;
import org.spack.gantry.worker.Wakeup;
import org.spack.gantry.worker.Worker;

/**
 * Decides each failed pipeline once all its failed build jobs have been looked at, and
 * ends it with exactly one outcome: {@code started} (a new pipeline on the same ref:
 * Spack's generate job prunes what is already built, so only the failed specs build
 * again), {@code not_oom}, {@code capped}, {@code not_started} (reruns are off) or
 * {@code failed}. A pipeline delivered twice is recorded once, so it is started once.
 * A try that may have reached GitLab (a timeout, a crash) is followed by a look at the
 * pipelines the API started on the ref since the first try, before asking again.
 */
public final class PipelineReruns implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineReruns.class);
    private static final long POLL_MS = 1_000;
    /** GitLab's clock and ours differ: look a little further back than the first try. */
    private static final long CLOCK_SKEW_SECONDS = 300;

    /** What a failed pipeline comes to. */
    public enum Decision { START, NOT_OOM, CAPPED, NOT_STARTED }

    /** Told of each pipeline started, for metrics. */
    public interface Listener {
        void pipelineStarted();

        Listener NONE = () -> {};
    }

    private final Database db;
    private final PipelineStore pipelines = new PipelineStore();
    private final OomKillStore kills = new OomKillStore();
    private final GitLabPipelines gitlab;
    private final boolean enabled;
    private final RetryPolicy retry;
    private final Listener listener;
    private final Clock clock;
    private final Wakeup wakeup = new Wakeup();
    private final Worker worker;
    private final Duration patience;
    private Thread thread;
    private volatile boolean running = true;

    /**
     * @param enabled {@code GANTRY_OOM_RERUN_PIPELINES}: when false, no pipeline is started and each says so
     * @param callDeadline how long one GitLab call may take: a round of decisions longer than a few is stuck
     */
    public PipelineReruns(Database db, GitLabPipelines gitlab, boolean enabled, RetryPolicy retry, Listener listener,
            Worker worker, Duration callDeadline, Clock clock) {
        this.db = db;
        this.gitlab = gitlab;
        this.enabled = enabled;
        this.retry = retry;
        this.listener = listener;
        this.worker = worker;
        this.patience = callDeadline.multipliedBy(4).plusSeconds(60);
        this.clock = clock;
    }

    /** From the kills recorded for a failed pipeline's failed build jobs (build id to its count since the last success). */
    public static Decision decide(Map<Long, Integer> killsSinceSuccess, boolean enabled) {
        if (killsSinceSuccess.isEmpty()) return Decision.NOT_OOM;
        if (killsSinceSuccess.values().stream().noneMatch(OomRaise::worthRerunning)) return Decision.CAPPED;
        return enabled ? Decision.START : Decision.NOT_STARTED;
    }

    public PipelineReruns start() {
        int released = db.write(pipelines::releaseStarting);
        if (released > 0) {
            log.warn("{} failed pipeline(s) were being run again when Gantry last stopped; looking at GitLab before"
                    + " asking again", released);
        }
        thread = worker.start("oom-reruns", patience, this::loop);
        return this;
    }

    /** Wakes the thread: failed jobs were just looked at, or a failed pipeline arrived. */
    public void signal() {
        wakeup.signal();
    }

    private void loop() {
        while (running) {
            try {
                for (PipelineStore.Due due : db.read(c -> pipelines.due(c, now(), 100))) {
                    if (!running) break;
                    decide(due);
                    worker.progressed(patience);
                }
            } catch (DatabaseException e) {
                // the database is refusing (a full disk): the pipelines wait in it, and are decided once it answers
                log.warn("failed pipelines: cannot decide what to run again: {}", e.getMessage());
            }
            worker.progressed(patience);
            sleep();
        }
    }

    private void decide(PipelineStore.Due due) {
        Map<Long, Integer> killed = db.read(c -> kills.killsOf(c, due.buildIds()));
        Decision d = decide(killed, enabled);
        switch (d) {
            case NOT_OOM -> finish(due, "not_oom", "none of its " + due.buildIds().size() + " failed build job(s) was OOM-killed", null);
            case CAPPED -> finish(due, "capped", "its OOM-killed build job(s) " + killed.keySet()
                    + " are past the " + OomRaise.CAP + " raises since their spec's last successful build", null);
            case NOT_STARTED -> finish(due, "not_started", "GANTRY_OOM_RERUN_PIPELINES is off (OOM-killed: "
                    + killed.keySet() + ")", null);
            case START -> {
                if (db.write(c -> pipelines.claim(c, due.pipelineId(), now()))) {
                    startFor(due, killed);
                }
            }
        }
    }

    private void startFor(PipelineStore.Due due, Map<Long, Integer> killed) {
        int attempts = due.attempts() + 1;
        try {
            OptionalLong earlier = due.firstTriedAt() == null ? OptionalLong.empty() : gitlab.startedSince(due.ref(),
                    Instant.ofEpochMilli((long) (due.firstTriedAt() * 1000)).minusSeconds(CLOCK_SKEW_SECONDS));
            if (earlier.isPresent()) {
                log.warn("pipeline {} on {} was already started for failed pipeline {} by an earlier try",
                        earlier.getAsLong(), due.ref(), due.pipelineId());
                finish(due, "started", "found the pipeline an earlier try started", earlier.getAsLong());
                return;
            }
            long started = gitlab.start(due.ref());
            log.warn("started pipeline {} on {} to run again the OOM-killed build job(s) {} of failed pipeline {}",
                    started, due.ref(), killed.keySet(), due.pipelineId());
            finish(due, "started", "OOM-killed: " + killed.keySet(), started);
            listener.pipelineStarted();
        } catch (UpstreamException e) {
            if (e.isTransient() && !running) {
                // stopping: the next start looks at GitLab before it asks again
                db.write(c -> {
                    pipelines.retryAt(c, due.pipelineId(), e.getMessage(), now());
                    return null;
                });
            } else if (e.isTransient() && retry.mayRetry(attempts)) {
                double delay = retry.delayAfter(attempts, e.retryAfter());
                log.warn("failed pipeline {}: {}; try {} of {} to run it again failed, next in {} s", due.pipelineId(),
                        e.getMessage(), attempts, retry.maxAttempts(), Math.round(delay));
                db.write(c -> {
                    pipelines.retryAt(c, due.pipelineId(), e.getMessage(), now() + delay);
                    return null;
                });
            } else {
                log.error("failed pipeline {} on {} not run again: {}{}", due.pipelineId(), due.ref(), e.getMessage(),
                        e.credentialsRefused() ? " (starting a pipeline needs a GITLAB_API_TOKEN with the api scope)" : "");
                finish(due, "failed", e.getMessage(), null);
            }
        }
    }

    private void finish(PipelineStore.Due due, String state, String reason, Long newPipeline) {
        db.write(c -> {
            pipelines.finish(c, due.pipelineId(), state, reason, newPipeline, now());
            return null;
        });
        log.info("failed pipeline {} on {}: {} ({})", due.pipelineId(), due.ref(), state, reason);
    }

    private void sleep() {
        if (!wakeup.nap(POLL_MS)) running = false;
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    /** Stops taking pipelines; a call under way ends as its HTTP client is closed, or by itself. */
    public void stop() {
        running = false;
        worker.stopping();
        wakeup.stop();
    }

    @Override
    public void close() {
        stop();
        if (thread == null) return;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
