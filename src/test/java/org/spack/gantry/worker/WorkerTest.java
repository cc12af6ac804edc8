package org.spack.gantry.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.spack.gantry.testing.SteppedClock;

/** A background loop that dies or stalls is seen, not silent. */
class WorkerTest {
    private final SteppedClock clock = new SteppedClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final Workers workers = new Workers(clock);

    private static Worker.State await(Workers workers, String problemPrefix) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            Worker.State s = workers.states().get(0);
            if (s.problem() != null && s.problem().startsWith(problemPrefix)) return s;
            Thread.sleep(10);
        }
        return workers.states().get(0);
    }

    @Test
    void aLoopThatAnErrorEscapesIsDeadAndSaysWhy() throws Exception {
        Worker w = workers.register("history");
        w.start("history-index", () -> {
            throw new StackOverflowError();
        }).join(10_000);
        Worker.State s = await(workers, "dead");
        assertEquals(new Worker.State("history", false, clock.millis() / 1000.0, "dead: java.lang.StackOverflowError"), s);
    }

    @Test
    void aLoopOverdueForProgressIsStuckAndUpAgainOnceItMoves() throws Exception {
        Worker w = workers.register("reconcile");
        CountDownLatch stop = new CountDownLatch(1);
        w.progressed(Duration.ofSeconds(60));
        Thread t = w.start("reconcile", () -> {
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(workers.states().get(0).up());
        clock.advance(Duration.ofSeconds(61));
        assertEquals("stuck: no progress for 61 s", workers.states().get(0).problem());
        w.progressed(Duration.ofSeconds(60));
        assertTrue(workers.states().get(0).up());
        assertEquals(clock.millis() / 1000.0, workers.states().get(0).lastProgressAt());

        w.stopping();
        stop.countDown();
        t.join(10_000);
        assertEquals("stopped", workers.states().get(0).problem(), "asked to stop: not a death");
    }

    @Test
    void aLoopThatReturnsUnaskedIsDead() throws Exception {
        workers.register("intake").start("intake-writer", () -> {}).join(10_000);
        assertEquals("dead: its loop ended", await(workers, "dead").problem());
    }
}
