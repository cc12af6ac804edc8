package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** All SQL on {@code failed_jobs}: a failed build job's facts, as they arrived. */
public final class FailedJobStore {
    /** A failed build job: when it ran, its ref, and its pipeline when known. */
    public record Facts(long buildId, long start, long end, String ref, Long pipelineId) {}

    /** Keeps the facts; false when that build's are already kept. */
    public boolean insert(Connection c, Facts f) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO failed_jobs (build_id, job_start, job_end, ref,"
                + " pipeline_id) VALUES (?, ?, ?, ?, ?) ON CONFLICT(build_id) DO NOTHING")) {
            st.setLong(1, f.buildId());
            st.setLong(2, f.start());
            st.setLong(3, f.end());
            st.setString(4, f.ref());
            if (f.pipelineId() == null) st.setNull(5, Types.INTEGER);
            else st.setLong(5, f.pipelineId());
            return st.executeUpdate() > 0;
        }
    }

    /** The facts of a failed build, or null. */
    public Facts facts(Connection c, long buildId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT job_start, job_end, ref, pipeline_id FROM failed_jobs WHERE build_id=?")) {
            st.setLong(1, buildId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return null;
                long pipeline = rs.getLong(4);
                return new Facts(buildId, rs.getLong(1), rs.getLong(2), rs.getString(3), rs.wasNull() ? null : pipeline);
            }
        }
    }
}
