package org.spack.gantry.store;

/**
 * A role one host holds at a time (automatic reconciliation): on PostgreSQL a session-level
 * advisory lock, which the server releases when the holder's session ends (the host
 * stopped or died); on SQLite, the database is this host's own, so the role always is.
 */
public interface HostLock extends AutoCloseable {
    /** Whether this process holds it now; takes it when it is free. */
    boolean tryHold();

    @Override
    void close();

    /** The lock of a database no other host uses. */
    HostLock ALWAYS_HELD = new HostLock() {
        @Override
        public boolean tryHold() {
            return true;
        }

        @Override
        public void close() {}
    };
}
