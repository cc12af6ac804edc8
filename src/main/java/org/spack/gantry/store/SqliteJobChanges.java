package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Whether another connection (another process: a backfill, an operator's {@code sqlite3})
 * committed since the last look: SQLite's {@code PRAGMA data_version}, which only changes
 * between two looks on the same connection, so it keeps one of its own.
 */
final class SqliteJobChanges implements JobChanges {
    private final Connection connection;
    private final PreparedStatement dataVersion;
    private long lastSeen = -1;

    SqliteJobChanges(Connection connection) throws SQLException {
        this.connection = connection;
        this.dataVersion = connection.prepareStatement("PRAGMA data_version");
    }

    @Override
    public synchronized Changes await(long timeoutMs) throws InterruptedException {
        if (lastSeen >= 0) {
            Thread.sleep(timeoutMs);
        }
        try (ResultSet rs = dataVersion.executeQuery()) {
            rs.next();
            long v = rs.getLong(1);
            boolean changed = v != lastSeen;
            lastSeen = v;
            return changed ? UNKNOWN : NOTHING;
        } catch (SQLException e) {
            throw new DatabaseException("cannot look for commits: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // shutting down
        }
    }
}
