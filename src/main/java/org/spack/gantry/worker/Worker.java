package org.spack.gantry.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background loop, run on threads this class starts: it says when it made progress
 * and when to expect the next, so that a loop that died (an error escaped it) or is
 * stuck (no progress when it was due) is seen, not silent. Whatever escapes the loop is
 * logged once, with its stack trace.
 */
public final class Worker {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /**
     * What an operator sees: {@code up} while its threads run and its progress is not
     * overdue; {@code problem} says why not.
     */
    public record State(String name, boolean up, double lastProgressAt, String problem) {}

    private final String name;
    private final Clock clock;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopping;
    private volatile double lastProgressAt;
    private volatile double dueBy = Double.MAX_VALUE;
    private volatile String death;

    Worker(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
        this.lastProgressAt = now();
    }

    public String name() {
        return name;
    }

    /**
     * Starts a daemon thread running {@code loop}, which returns when the worker is
     * stopped, and which is stuck unless it makes progress within {@code firstProgressWithin}. If anything escapes it, the worker is dead: logged with the stack trace,
     * shown down, not restarted (the error is in Gantry, not in what it was given).
     */
    public Thread start(String threadName, Duration firstProgressWithin, Runnable loop) {
        progressed(firstProgressWithin);
        return start(threadName, loop);
    }

    /** Another thread of the worker, started as {@link #start(String, Duration, Runnable)} starts the first. */
    public Thread start(String threadName, Runnable loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
                if (!stopping) died("its loop ended");
            } catch (Throwable e) {
                log.error("worker {} died: {}", name, e.toString(), e);
                died(e.toString());
            } finally {
                running.decrementAndGet();
            }
        }, threadName);
        t.setDaemon(true);
        running.incrementAndGet();
        t.start();
        return t;
    }

    /** The loop made progress; it is stuck unless it makes more within {@code next}. */
    public void progressed(Duration next) {
        double now = now();
        lastProgressAt = now;
        dueBy = now + next.toMillis() / 1000.0;
    }

    /** The worker is being stopped: its threads ending is not a death. */
    public void stopping() {
        stopping = true;
    }

    private void died(String why) {
        death = why;
    }

    State state() {
        double now = now();
        if (death != null) return new State(name, false, lastProgressAt, "dead: " + death);
        if (running.get() == 0) return new State(name, false, lastProgressAt, stopping ? "stopped" : "not started");
        if (now > dueBy) {
            return new State(name, false, lastProgressAt, "stuck: no progress for " + Math.round(now - lastProgressAt) + " s");
        }
        return new State(name, true, lastProgressAt, null);
    }

    private double now() {
        return clock.millis() / 1000.0;
    }
}
