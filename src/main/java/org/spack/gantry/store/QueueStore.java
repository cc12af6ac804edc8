package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All SQL on {@code collection_queue}: acknowledged webhooks waiting for collection,
 * and the one outcome each ends with. Every method runs inside the caller's
 * transaction on the writer (or a reader for the counts).
 */
public final class QueueStore {
    /** The reason of a job recorded as skipped because it arrived unreadable. */
    public static final String INVALID_PREFIX = "invalid event: ";

    /**
     * A claimed event: the job's facts (null in a row a previous release queued, which
     * holds only the webhook body in {@code payload}, and in a failed job's row, whose facts
     * are in {@code failed_jobs}), how many times collection was tried before, and whether
     * the job failed.
     */
    public record Claimed(long buildId, Long startedAt, Long finishedAt, String ref, String payload, int attempts,
            boolean failed) {
        /** What the row's {@code attempts} is while this claim holds it: a later claim of the same event counts one more. */
        int token() {
            return attempts + 1;
        }
    }

    /** {@code job_status} of a failed build job's row (NULL: a successful job). */
    private static final String FAILED = "failed";

    private static final String INSERT = "INSERT INTO collection_queue (build_id, payload, state, attempts,"
            + " received_at, next_attempt_at, job_start, job_end, ref, source)"
            + " VALUES (?, ?, 'pending', 0, ?, ?, ?, ?, ?, ?)";
    /** A build already in the queue is queued again only where the WHERE that follows says so. */
    private static final String REQUEUE = " ON CONFLICT(build_id) DO UPDATE SET state='pending', payload=excluded.payload,"
            + " attempts=0, reason=NULL, next_attempt_at=excluded.next_attempt_at, finished_at=NULL,"
            + " job_start=excluded.job_start, job_end=excluded.job_end, ref=excluded.ref, source=excluded.source";
    /** It arrived unreadable (recorded as skipped): a readable report of the same job is collected after all. */
    private static final String UNREADABLE_BEFORE = "(collection_queue.state='skipped' AND substr(collection_queue.reason, 1, "
            + INVALID_PREFIX.length() + ")='" + INVALID_PREFIX + "')";

    /**
     * Queues a job to collect; false when that build is already queued or done.
     * @param source {@code webhook}, {@code backfill} or {@code reconcile}
     * @param document what the source said, as received (kept for operators)
     */
    public boolean enqueue(Connection c, long buildId, long start, long end, String ref, String source,
            String document, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(INSERT + REQUEUE + " WHERE " + UNREADABLE_BEFORE)) {
            bindNew(st, buildId, start, end, ref, source, document, now);
            return st.executeUpdate() > 0;
        }
    }

    /** As {@link #enqueue}, and queues again a build whose collection failed (an operator's backfill). */
    public boolean enqueueOrRetryFailed(Connection c, long buildId, long start, long end, String ref, String source,
            String document, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(INSERT + REQUEUE + " WHERE collection_queue.state='failed' OR "
                + UNREADABLE_BEFORE)) {
            bindNew(st, buildId, start, end, ref, source, document, now);
            return st.executeUpdate() > 0;
        }
    }

    private static void bindNew(PreparedStatement st, long buildId, long start, long end, String ref, String source,
            String document, double now) throws SQLException {
        st.setLong(1, buildId);
        st.setString(2, document);
        st.setDouble(3, now);
        st.setDouble(4, now);
        st.setLong(5, start);
        st.setLong(6, end);
        st.setString(7, ref);
        st.setString(8, source);
    }

    /**
     * Queues a failed build job, to be looked at from {@code dueAt} on; false when that build
     * is already queued or done. Its facts go to {@code failed_jobs}: the row has no
     * job_start, job_end or ref, so that a previous release skips it (see V6).
     */
    public boolean enqueueFailed(Connection c, long buildId, String source, String document, double now, double dueAt)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO collection_queue (build_id, payload, state,"
                + " attempts, received_at, next_attempt_at, source, job_status) VALUES (?, ?, 'pending', 0, ?, ?, ?, ?)"
                + " ON CONFLICT(build_id) DO NOTHING")) {
            st.setLong(1, buildId);
            st.setString(2, document);
            st.setDouble(3, now);
            st.setDouble(4, dueAt);
            st.setString(5, source);
            st.setString(6, FAILED);
            return st.executeUpdate() > 0;
        }
    }

    /** Records a job that arrived unreadable as skipped with the reason; false when that build is already known. */
    public boolean recordSkipped(Connection c, long buildId, String source, String document, String reason, double now)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO collection_queue (build_id, payload, state, reason,"
                + " attempts, received_at, next_attempt_at, finished_at, source) VALUES (?, ?, 'skipped', ?, 0, ?, ?, ?, ?)"
                + " ON CONFLICT(build_id) DO NOTHING")) {
            st.setLong(1, buildId);
            st.setString(2, document);
            st.setString(3, reason);
            st.setDouble(4, now);
            st.setDouble(5, now);
            st.setDouble(6, now);
            st.setString(7, source);
            return st.executeUpdate() > 0;
        }
    }

    /**
     * Takes the oldest due event and marks it running, counting the try, with a lease until
     * {@code leaseUntil}; null when none is due. Due: waiting and its time has come, or
     * running under a lease that expired (its host died or stalled), tries left. On
     * PostgreSQL the row is locked as it is read and rows other hosts are claiming are
     * passed over ({@code FOR UPDATE SKIP LOCKED}), so each event is claimed by one host.
     */
    public Claimed claimNext(Connection c, double now, double leaseUntil, int maxAttempts) throws SQLException {
        Claimed claimed = null;
        try (PreparedStatement st = c.prepareStatement("SELECT build_id, job_start, job_end, ref, payload, attempts, job_status"
                + " FROM collection_queue WHERE (state='pending' OR state='running' AND attempts<?) AND next_attempt_at<=?"
                + " ORDER BY next_attempt_at LIMIT 1" + Dialect.of(c).claimRows())) {
            st.setInt(1, maxAttempts);
            st.setDouble(2, now);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    long start = rs.getLong(2);
                    Long startedAt = rs.wasNull() ? null : start;
                    long end = rs.getLong(3);
                    Long finishedAt = rs.wasNull() ? null : end;
                    claimed = new Claimed(rs.getLong(1), startedAt, finishedAt, rs.getString(4), rs.getString(5),
                            rs.getInt(6), FAILED.equals(rs.getString(7)));
                }
            }
        }
        if (claimed != null) {
            // counted when taken, so that a try the process died in counts too
            try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state='running',"
                    + " attempts=attempts+1, next_attempt_at=? WHERE build_id=?")) {
                st.setDouble(1, leaseUntil);
                st.setLong(2, claimed.buildId());
                st.executeUpdate();
            }
        }
        return claimed;
    }

    /**
     * Ends as failed the events whose lease expired at their last try: each claim counted
     * one, so an event that kills the process that collects it is not taken again and again.
     * How many.
     */
    public int failAbandoned(Connection c, int maxAttempts, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state='failed', reason=?,"
                + " finished_at=? WHERE state='running' AND attempts>=? AND next_attempt_at<=?")) {
            st.setString(1, "interrupted: the process stopped while collecting it, " + maxAttempts + " time(s)");
            st.setDouble(2, now);
            st.setInt(3, maxAttempts);
            st.setDouble(4, now);
            return st.executeUpdate();
        }
    }

    /** Extends the lease of a claim this process still holds; false when it lost it (another host took it over). */
    public boolean renew(Connection c, Claimed claimed, double leaseUntil) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET next_attempt_at=?"
                + " WHERE build_id=? AND state='running' AND attempts=?")) {
            st.setDouble(1, leaseUntil);
            st.setLong(2, claimed.buildId());
            st.setInt(3, claimed.token());
            return st.executeUpdate() > 0;
        }
    }

    /** Records the final outcome: {@code inserted}, {@code skipped} or {@code failed}, with the reason. */
    public void finish(Connection c, Claimed claimed, String state, String reason, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state=?, reason=?, finished_at=?"
                + " WHERE build_id=? AND state='running' AND attempts=?")) {
            st.setString(1, state);
            st.setString(2, reason);
            st.setDouble(3, now);
            st.setLong(4, claimed.buildId());
            st.setInt(5, claimed.token());
            requireClaim(st.executeUpdate(), claimed);
        }
    }

    /** Puts a claimed event back to be tried again at {@code at}. */
    public void retryAt(Connection c, Claimed claimed, String reason, double at) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state='pending', reason=?,"
                + " next_attempt_at=? WHERE build_id=? AND state='running' AND attempts=?")) {
            st.setString(1, reason);
            st.setDouble(2, at);
            st.setLong(3, claimed.buildId());
            st.setInt(4, claimed.token());
            requireClaim(st.executeUpdate(), claimed);
        }
    }

    /** Thrown inside the writing transaction when another host took the claim over: nothing of it is committed. */
    public static final class LostClaimException extends SQLException {
        LostClaimException(long buildId) {
            super("job " + buildId + " was taken over by another process after its lease expired");
        }
    }

    private static void requireClaim(int updated, Claimed claimed) throws LostClaimException {
        if (updated == 0) throw new LostClaimException(claimed.buildId());
    }

    /** What became of the events a stopped process left running. */
    public record Released(int requeued, int failed) {}

    /**
     * Returns events left running by a crash or a shutdown to the queue; those whose
     * tries are used up (each claim counted one) end {@code failed} instead, so that an
     * event that kills the process is not taken again and again.
     */
    public Released releaseRunning(Connection c, int maxAttempts, double now) throws SQLException {
        int failed;
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state='failed', reason=?,"
                + " finished_at=? WHERE state='running' AND attempts>=?")) {
            st.setString(1, "interrupted: the process stopped while collecting it, " + maxAttempts + " time(s)");
            st.setDouble(2, now);
            st.setInt(3, maxAttempts);
            failed = st.executeUpdate();
        }
        // due at once: the lease it was claimed under belonged to the process that stopped
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE collection_queue SET state='pending', next_attempt_at=? WHERE state='running'")) {
            st.setDouble(1, now);
            return new Released(st.executeUpdate(), failed);
        }
    }

    /** Puts a claimed event back without counting the try (the process is stopping). */
    public void release(Connection c, Claimed claimed, double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE collection_queue SET state='pending', attempts=?,"
                + " next_attempt_at=? WHERE build_id=? AND state='running' AND attempts=?")) {
            st.setInt(1, claimed.attempts());
            st.setDouble(2, now);
            st.setLong(3, claimed.buildId());
            st.setInt(4, claimed.token());
            st.executeUpdate();
        }
    }

    /** The events not yet collected: waiting (of which retrying after a failure), being collected, the oldest. */
    public record Waiting(long pending, long retrying, long running, Double oldestReceivedAt) {}

    public Waiting waiting(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT"
                + " coalesce(sum(CASE WHEN state='pending' THEN 1 ELSE 0 END), 0),"
                + " coalesce(sum(CASE WHEN state='pending' AND attempts>0 THEN 1 ELSE 0 END), 0),"
                + " coalesce(sum(CASE WHEN state='running' THEN 1 ELSE 0 END), 0), min(received_at)"
                + " FROM collection_queue WHERE state IN ('pending','running')");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            // wasNull right after the column it is about: an empty queue has no oldest event
            double oldest = rs.getDouble(4);
            Double oldestOrNull = rs.wasNull() ? null : oldest;
            return new Waiting(rs.getLong(1), rs.getLong(2), rs.getLong(3), oldestOrNull);
        }
    }

    /** Events not yet collected (pending or running). */
    public long depth(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT count(*) FROM collection_queue WHERE state IN ('pending','running')");
                ResultSet rs = st.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** When the oldest event still waiting was received, or null when nothing waits. */
    public Double oldestWaitingSince(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT min(received_at) FROM collection_queue WHERE state IN ('pending','running')");
                ResultSet rs = st.executeQuery()) {
            double v = rs.next() ? rs.getDouble(1) : 0;
            return rs.wasNull() ? null : v;
        }
    }

    /** Outcomes finished since {@code since}, counted by state and reason. */
    public Map<String, Long> outcomesSince(Connection c, double since) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement st = c.prepareStatement("SELECT state, coalesce(reason, ''), count(*) FROM collection_queue"
                + " WHERE finished_at>=? GROUP BY 1, 2 ORDER BY 3 DESC")) {
            st.setDouble(1, since);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String reason = rs.getString(2);
                    out.put(reason.isEmpty() ? rs.getString(1) : rs.getString(1) + ":" + reason, rs.getLong(3));
                }
            }
        }
        return out;
    }
}
