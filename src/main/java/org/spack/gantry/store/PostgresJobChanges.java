package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The other hosts' collections, as PostgreSQL announces them: a trigger on {@code jobs}
 * (migration V1) runs {@code pg_notify('gantry_jobs', pkg_name)} for every row inserted, by
 * Gantry or anyone, delivered at commit to this connection's {@code LISTEN}. A notification is lost while the connection is down,
 * so after a reconnection, and every {@link #POLL_MS} ms anyway, the answer is {@link
 * Unknown}: every package's state is compared.
 */
final class PostgresJobChanges implements JobChanges {
    static final long POLL_MS = 5_000;
    private static final long RECONNECT_MS = 1_000;

    private final DatabaseLocation.Postgres location;
    private Connection connection;
    private long lastPoll;
    private boolean closed;

    PostgresJobChanges(DatabaseLocation.Postgres location) {
        this.location = location;
    }

    @Override
    public synchronized Changes await(long timeoutMs) throws InterruptedException {
        if (closed) return NOTHING;
        if (connection == null) {
            try {
                connection = PostgresDatabase.connect(location);
                try (Statement st = connection.createStatement()) {
                    st.execute("LISTEN " + PostgresDatabase.JOBS_CHANNEL);
                }
            } catch (SQLException e) {
                closeConnection();
                wait(RECONNECT_MS);
                throw new DatabaseException("cannot listen for other hosts' jobs: " + e.getMessage(), e);
            }
            // anything committed while not listening is found by comparing
            return poll();
        }
        long now = System.currentTimeMillis();
        if (now - lastPoll >= POLL_MS) return poll();
        try {
            PGNotification[] notifications = connection.unwrap(PGConnection.class)
                    .getNotifications((int) Math.max(1, Math.min(timeoutMs, POLL_MS - (now - lastPoll))));
            if (notifications == null || notifications.length == 0) return NOTHING;
            Set<String> packages = new HashSet<>();
            for (PGNotification n : notifications) {
                packages.add(n.getParameter());
            }
            return new Packages(packages);
        } catch (SQLException e) {
            closeConnection();
            throw new DatabaseException("lost the connection that listens for other hosts' jobs: " + e.getMessage(), e);
        }
    }

    private Changes poll() {
        lastPoll = System.currentTimeMillis();
        return UNKNOWN;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is being replaced
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }
}
