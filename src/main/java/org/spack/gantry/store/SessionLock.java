package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL session-level advisory lock on a connection of its own, kept while held:
 * {@code pg_try_advisory_lock} takes it without waiting, and the server releases it when
 * the session ends, so a host that dies hands the role on.
 */
final class SessionLock implements HostLock {
    private final DatabaseLocation.Postgres location;
    private final long key;
    private Connection session;
    private boolean held;

    SessionLock(DatabaseLocation.Postgres location, long key) {
        this.location = location;
        this.key = key;
    }

    @Override
    public synchronized boolean tryHold() {
        try {
            if (session != null && !session.isValid(5)) {
                // the session ended, and the lock with it: another host may hold it now
                release();
            }
            if (held) return true;
            if (session == null) session = PostgresDatabase.connect(location);
            try (PreparedStatement st = session.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
                st.setLong(1, key);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    held = rs.getBoolean(1);
                }
            }
            return held;
        } catch (SQLException e) {
            release();
            throw new DatabaseException("cannot take the advisory lock " + key + ": " + e.getMessage(), e);
        }
    }

    private void release() {
        held = false;
        if (session != null) {
            try {
                session.close();
            } catch (SQLException ignored) {
                // closing the session releases the lock in any case
            }
            session = null;
        }
    }

    @Override
    public synchronized void close() {
        release();
    }
}
