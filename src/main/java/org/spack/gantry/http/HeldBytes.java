package org.spack.gantry.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bound on the bytes that requests under way may hold at once (the bodies of the
 * batches being received or answered): a request that would go past it is refused at
 * once instead of taking the heap.
 */
final class HeldBytes {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    HeldBytes(long limit) {
        this.limit = limit;
    }

    /** What one request holds; released once, however many paths release it. */
    final class Hold {
        private final AtomicLong bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        private Hold(long bytes) {
            this.bytes = new AtomicLong(bytes);
        }

        /** Holds {@code actual} bytes from now on instead of what was reserved (never more). */
        void shrinkTo(long actual) {
            long before = bytes.get();
            if (actual < before && !released.get() && bytes.compareAndSet(before, actual)) {
                held.addAndGet(actual - before);
            }
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                held.addAndGet(-bytes.get());
            }
        }
    }

    /** A hold of {@code bytes}, or null when that would go past the limit. */
    Hold tryHold(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > limit) return null;
            if (held.compareAndSet(now, now + bytes)) return new Hold(bytes);
        }
    }

    long limit() {
        return limit;
    }
}
