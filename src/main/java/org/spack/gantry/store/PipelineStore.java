package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All SQL on {@code failed_pipelines} and {@code failed_pipeline_jobs}: failed pipelines
 * waiting for their failed build jobs to be looked at, and the one outcome each ends with.
 */
public final class PipelineStore {
    /**
     * A failed pipeline whose failed build jobs all have their outcome.
     *
     * @param firstTriedAt when a new pipeline was first asked for, or null before the first try
     */
    public record Due(long pipelineId, String ref, int attempts, Double firstTriedAt, List<Long> buildIds) {}

    /** Records a failed pipeline and its failed build jobs; false when the pipeline is already recorded. */
    public boolean record(Connection c, long pipelineId, String ref, List<Long> buildIds, double now)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO failed_pipelines (pipeline_id, ref, state,"
                + " attempts, received_at, next_attempt_at) VALUES (?, ?, 'pending', 0, ?, ?)"
                + " ON CONFLICT(pipeline_id) DO NOTHING")) {
            st.setLong(1, pipelineId);
            st.setString(2, ref);
            st.setDouble(3, now);
            st.setDouble(4, now);
            if (st.executeUpdate() == 0) return false;
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO failed_pipeline_jobs (pipeline_id, build_id)"
                + " VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (long id : buildIds) {
                st.setLong(1, pipelineId);
                st.setLong(2, id);
                st.executeUpdate();
            }
        }
        return true;
    }

    /**
     * Pending pipelines, due by {@code now}, none of whose failed build jobs is still
     * waiting for collection: the oldest first, at most {@code limit}.
     */
    public List<Due> due(Connection c, double now, int limit) throws SQLException {
        Map<Long, Due> due = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT p.pipeline_id, p.ref, p.attempts, p.first_tried_at"
                + " FROM failed_pipelines p WHERE p.state='pending' AND p.next_attempt_at<=?"
                + " AND NOT EXISTS (SELECT 1 FROM failed_pipeline_jobs b JOIN collection_queue q"
                + " ON q.build_id=b.build_id WHERE b.pipeline_id=p.pipeline_id AND q.state IN ('pending','running'))"
                + " ORDER BY p.next_attempt_at LIMIT ?")) {
            st.setDouble(1, now);
            st.setInt(2, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    double first = rs.getDouble(4);
                    Double firstOrNull = rs.wasNull() ? null : first;
                    long id = rs.getLong(1);
                    due.put(id, new Due(id, rs.getString(2), rs.getInt(3), firstOrNull, new ArrayList<>()));
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement(
                "SELECT build_id FROM failed_pipeline_jobs WHERE pipeline_id=? ORDER BY build_id")) {
            for (Due d : due.values()) {
                st.setLong(1, d.pipelineId());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) d.buildIds().add(rs.getLong(1));
                }
            }
        }
        return List.copyOf(due.values());
    }

    /** Marks a pipeline as being started, counting the try; false when it was no longer pending. */
    public boolean claim(Connection c, long pipelineId, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE failed_pipelines SET state='starting',"
                + " attempts=attempts+1, first_tried_at=coalesce(first_tried_at, ?) WHERE pipeline_id=? AND state='pending'")) {
            st.setDouble(1, now);
            st.setLong(2, pipelineId);
            return st.executeUpdate() > 0;
        }
    }

    /** Records the pipeline's outcome; {@code newPipelineId} is the pipeline started for it, or null. */
    public void finish(Connection c, long pipelineId, String state, String reason, Long newPipelineId, double now)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE failed_pipelines SET state=?, reason=?,"
                + " new_pipeline_id=?, finished_at=? WHERE pipeline_id=?")) {
            st.setString(1, state);
            st.setString(2, reason);
            if (newPipelineId == null) st.setNull(3, java.sql.Types.INTEGER);
            else st.setLong(3, newPipelineId);
            st.setDouble(4, now);
            st.setLong(5, pipelineId);
            st.executeUpdate();
        }
    }

    /** Puts a claimed pipeline back to be tried again at {@code at}. */
    public void retryAt(Connection c, long pipelineId, String reason, double at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE failed_pipelines SET state='pending', reason=?,"
                + " next_attempt_at=? WHERE pipeline_id=?")) {
            st.setString(1, reason);
            st.setDouble(2, at);
            st.setLong(3, pipelineId);
            st.executeUpdate();
        }
    }

    /**
     * Puts back the pipelines a stopped process was starting: whether GitLab started one
     * for them is not known, so the next try looks before it asks. How many.
     */
    public int releaseStarting(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE failed_pipelines SET state='pending' WHERE state='starting'")) {
            return st.executeUpdate();
        }
    }

    /** Outcomes recorded since {@code since}, by state. */
    public Map<String, Long> outcomesSince(Connection c, double since) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT state, count(*) FROM failed_pipelines"
                + " WHERE finished_at>=? GROUP BY state ORDER BY 2 DESC")) {
            st.setDouble(1, since);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The state of one pipeline and the pipeline started for it, or null when not recorded. */
    public record Outcome(String state, String reason, Long newPipelineId) {}

    public Outcome outcome(Connection c, long pipelineId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT state, reason, new_pipeline_id FROM failed_pipelines WHERE pipeline_id=?")) {
            st.setLong(1, pipelineId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) return null;
                long n = rs.getLong(3);
                return new Outcome(rs.getString(1), rs.getString(2), rs.wasNull() ? null : n);
            }
        }
    }
}
