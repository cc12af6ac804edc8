package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * All SQL on where automatic reconciliation got to: {@code reconciliation} (the instant
 * covered, which a previous release goes on from), {@code reconcile_frontier} and
 * {@code reconcile_unfinished} (by job id), and {@code reconcile_last_run}.
 */
public final class ReconciliationStore {

    /** Every successful job finished before {@code coveredUntil} was looked at; when the last run completed. */
    public record Progress(double coveredUntil, double lastSuccessAt, long lastQueued) {}

    /**
     * Every job with an id up to {@code newestId} was seen finished, or is among
     * {@code unfinished}; {@code listedAt}: when that run listed the newest jobs.
     */
    public record Frontier(long newestId, double listedAt, Set<Long> unfinished) {}

    /** A run, successful or not, and what it cost: requests made, bytes read, jobs seen. */
    public record Run(double startedAt, double finishedAt, boolean succeeded, String reason, long requests, long bytes,
            long jobsSeen, long queued) {}

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

    /** Empty before the first run of a release that keeps one (and after a restore of a database without). */
    public Optional<Frontier> frontier(Connection c) throws SQLException {
        long newest;
        double listedAt;
        try (PreparedStatement st = c.prepareStatement("SELECT newest_id, listed_at FROM reconcile_frontier WHERE id=1");
                ResultSet rs = st.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            newest = rs.getLong(1);
            listedAt = rs.getDouble(2);
        }
        Set<Long> unfinished = new HashSet<>();
        try (PreparedStatement st = c.prepareStatement("SELECT build_id FROM reconcile_unfinished");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) unfinished.add(rs.getLong(1));
        }
        return Optional.of(new Frontier(newest, listedAt, unfinished));
    }

    /** Moves the frontier: the unfinished jobs that were settled go, the ones newly seen come. */
    public void advance(Connection c, long newestId, double listedAt, Collection<Long> settled, Collection<Long> added,
            double now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO reconcile_frontier (id, newest_id, listed_at)"
                + " VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET newest_id=excluded.newest_id,"
                + " listed_at=excluded.listed_at")) {
            st.setLong(1, newestId);
            st.setDouble(2, listedAt);
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("DELETE FROM reconcile_unfinished WHERE build_id=?")) {
            for (long id : settled) {
                st.setLong(1, id);
                st.addBatch();
            }
            st.executeBatch();
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO reconcile_unfinished (build_id, seen_at) VALUES (?, ?)"
                + " ON CONFLICT(build_id) DO NOTHING")) {
            for (long id : added) {
                st.setLong(1, id);
                st.setDouble(2, now);
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    /** A frontier from scratch: the unfinished builds are these, and only these. */
    public void restart(Connection c, long newestId, double listedAt, Collection<Long> unfinished, double now)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement("DELETE FROM reconcile_unfinished")) {
            st.executeUpdate();
        }
        advance(c, newestId, listedAt, Set.of(), unfinished, now);
    }

    /** What {@code /healthz} and {@code gantry info} show: the last run, the frontier, and how many builds it follows. */
    public record Status(Optional<Run> lastRun, Progress lastCompleted, Long newestId, long unfinished) {}

    public Status status(Connection c) throws SQLException {
        Long newest = null;
        try (PreparedStatement st = c.prepareStatement("SELECT newest_id FROM reconcile_frontier WHERE id=1");
                ResultSet rs = st.executeQuery()) {
            if (rs.next()) newest = rs.getLong(1);
        }
        long unfinished;
        try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM reconcile_unfinished");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            unfinished = rs.getLong(1);
        }
        return new Status(lastRun(c), progress(c), newest, unfinished);
    }

    /** Empty before the first run of a release that records them. */
    public Optional<Run> lastRun(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT started_at, finished_at, result, reason, requests, bytes,"
                + " jobs_seen, queued FROM reconcile_last_run WHERE id=1");
                ResultSet rs = st.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            return Optional.of(new Run(rs.getDouble(1), rs.getDouble(2), "success".equals(rs.getString(3)),
                    rs.getString(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
        }
    }

    public void recordRun(Connection c, Run run) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO reconcile_last_run (id, started_at, finished_at,"
                + " result, reason, requests, bytes, jobs_seen, queued) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(id) DO UPDATE SET started_at=excluded.started_at, finished_at=excluded.finished_at,"
                + " result=excluded.result, reason=excluded.reason, requests=excluded.requests, bytes=excluded.bytes,"
                + " jobs_seen=excluded.jobs_seen, queued=excluded.queued")) {
            st.setDouble(1, run.startedAt());
            st.setDouble(2, run.finishedAt());
            st.setString(3, run.succeeded() ? "success" : "failure");
            st.setString(4, run.reason());
            st.setLong(5, run.requests());
            st.setLong(6, run.bytes());
            st.setLong(7, run.jobsSeen());
            st.setLong(8, run.queued());
            st.executeUpdate();
        }
    }
}
