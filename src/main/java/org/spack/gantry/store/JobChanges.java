package org.spack.gantry.store;

import java.util.Set;

/**
 * Tells what other processes committed to {@code jobs}: on SQLite a backfill or an operator's
 * {@code sqlite3}, on PostgreSQL the other hosts' collections.
 */
public interface JobChanges extends AutoCloseable {
    /** What changed since the last call. */
    sealed interface Changes permits Nothing, Packages, Unknown {}

    /** Nothing was committed. */
    record Nothing() implements Changes {}

    /** Jobs of these packages were committed (and maybe others, which a later {@link Unknown} covers). */
    record Packages(Set<String> names) implements Changes {}

    /** Something was committed, which is not said: every package's state must be compared. */
    record Unknown() implements Changes {}

    Changes NOTHING = new Nothing();
    Changes UNKNOWN = new Unknown();

    /** Waits up to {@code timeoutMs} for commits, then says what changed; the first call answers {@link Unknown}. */
    Changes await(long timeoutMs) throws InterruptedException;

    @Override
    void close();
}
