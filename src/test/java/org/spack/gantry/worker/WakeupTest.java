package org.spack.gantry.worker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A nap that a signal cuts short; naps here are ten minutes, so only a wake-up ends them within the test's bound. */
class WakeupTest {
    private static final long TEN_MINUTES = 600_000;
    /** A minute against the microseconds a wake-up takes. */
    private static final Duration BOUND = Duration.ofMinutes(1);

    @Test
    void aSignalGivenBeforeTheNapEndsIt() {
        Wakeup wakeup = new Wakeup();
        wakeup.signal();
        assertTimeoutPreemptively(BOUND, () -> assertTrue(wakeup.nap(TEN_MINUTES)));
    }

    @Test
    void aSignalEndsOneNapOnly() {
        Wakeup wakeup = new Wakeup();
        wakeup.signal();
        wakeup.nap(TEN_MINUTES);
        long started = System.nanoTime();
        assertTrue(wakeup.nap(50));
        assertTrue(System.nanoTime() - started >= 50_000_000L, "the second nap waited its whole time");
    }

    @Test
    void aSignalWakesANappingThread() throws Exception {
        Wakeup wakeup = new Wakeup();
        AtomicReference<Thread> napper = new AtomicReference<>();
        CompletableFuture<Boolean> nap = CompletableFuture.supplyAsync(() -> {
            napper.set(Thread.currentThread());
            return wakeup.nap(TEN_MINUTES);
        });
        assertTimeoutPreemptively(BOUND, () -> {
            while (napper.get() == null || napper.get().getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
            wakeup.signal();
            assertTrue(nap.get());
        });
    }

    @Test
    void afterStopNoNapWaits() {
        Wakeup wakeup = new Wakeup();
        wakeup.stop();
        assertTimeoutPreemptively(BOUND, () -> {
            for (int i = 0; i < 3; i++) assertTrue(wakeup.nap(TEN_MINUTES));
        });
    }

    @Test
    void anInterruptedNapSaysSoAndKeepsTheInterrupt() {
        Wakeup wakeup = new Wakeup();
        Thread.currentThread().interrupt();
        try {
            assertFalse(wakeup.nap(TEN_MINUTES));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
