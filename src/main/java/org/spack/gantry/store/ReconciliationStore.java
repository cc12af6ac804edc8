package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** All SQL on {@code reconciliation}: where automatic reconciliation got to. */
public final class ReconciliationStore {

    /** Every successful job finished before {@code coveredUntil} was looked at; when the last run completed. */
    public record Progress(double coveredUntil, double lastSuccessAt, long lastQueued) {}

    /** Null before the first completed run. */
    public Progress progress(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT covered_until, last_success_at, last_queued FROM reconciliation WHERE id=1");
                ResultSet rs = st.executeQuery()) {
            return rs.next() ? new Progress(rs.getDouble(1), rs.getDouble(2), rs.getLong(3)) : null;
        }
    }

    public void completed(Connection c, Progress p) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO reconciliation (id, covered_until, last_success_at,"
                + " last_queued) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET covered_until=excluded.covered_until,"
                + " last_success_at=excluded.last_success_at, last_queued=excluded.last_queued")) {
            st.setDouble(1, p.coveredUntil());
            st.setDouble(2, p.lastSuccessAt());
            st.setLong(3, p.lastQueued());
            st.executeUpdate();
        }
    }
}
