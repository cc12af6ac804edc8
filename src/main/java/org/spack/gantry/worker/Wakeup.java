package org.spack.gantry.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How a background loop waits for work: a nap of at most a poll interval that another
 * thread cuts short. A signal given while no thread naps is kept for the next nap, so no
 * wake-up is lost between a loop's last look and its nap; after {@link #stop} no nap waits.
 */
public final class Wakeup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean signalled;
    private boolean stopped;

    /** There is work: the napping threads wake, or the next nap returns at once. */
    public void signal() {
        lock.lock();
        try {
            signalled = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The loop is stopping: every nap, now and from now on, returns at once. */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits at most {@code millis}, less when signalled or stopped (at once when that
     * happened since the last nap). False when the thread was interrupted, with its
     * interrupt flag set again.
     */
    public boolean nap(long millis) {
        lock.lock();
        try {
            if (!signalled && !stopped) {
                woken.await(millis, TimeUnit.MILLISECONDS);
            }
            signalled = false;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }
}
