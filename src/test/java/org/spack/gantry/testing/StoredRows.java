package org.spack.gantry.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spack.gantry.store.Database;

/** What a test reads back from a Gantry database file (also one another process writes). */
public final class StoredRows {
    private StoredRows() {}

    /** Every row the query returns, column name to value (integers as Long). */
    public static List<Map<String, Object>> query(Path db, String sql, Object... args) {
        try (Connection c = Database.open(db, true); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        row.put(md.getColumnName(i), v instanceof Integer n ? Long.valueOf(n) : v);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** Stored jobs by GitLab id, with their node's columns as {@code node_*}. */
    public static Map<Long, Map<String, Object>> jobs(Path db) {
        Map<Long, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> row : query(db, "SELECT jobs.*, nodes.uuid AS node_uuid, nodes.hostname AS node_hostname,"
                + " nodes.cores AS node_cores, nodes.mem AS node_mem, nodes.arch AS node_arch, nodes.os AS node_os,"
                + " nodes.instance_type AS node_instance_type FROM jobs JOIN nodes ON nodes.id = jobs.node")) {
            out.put((Long) row.get("gitlab_id"), row);
        }
        return out;
    }

    /** The recorded outcome of each build in the queue: {@code state} or {@code state:reason}. */
    public static Map<Long, String> outcomes(Path db) {
        Map<Long, String> out = new TreeMap<>();
        for (Map<String, Object> row : query(db, "SELECT build_id, state, reason FROM collection_queue")) {
            Object reason = row.get("reason");
            String state = (String) row.get("state");
            boolean done = !state.equals("pending") && !state.equals("running");
            out.put((Long) row.get("build_id"), done && reason != null ? state + ":" + reason : state);
        }
        return out;
    }

    /** Waits until every one of the builds has a final outcome; returns them all. */
    public static Map<Long, String> awaitOutcomes(Path db, Collection<Long> buildIds, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, String> now = Map.of();
        while (System.nanoTime() < deadline) {
            now = outcomes(db);
            boolean done = true;
            for (long id : buildIds) {
                String o = now.get(id);
                if (o == null || o.equals("pending") || o.equals("running")) {
                    done = false;
                    break;
                }
            }
            if (done) return now;
            Thread.sleep(100);
        }
        List<String> missing = new ArrayList<>();
        for (long id : buildIds) {
            String o = now.get(id);
            if (o == null || o.equals("pending") || o.equals("running")) missing.add(id + "=" + o);
        }
        throw new AssertionError(missing.size() + " of " + buildIds.size() + " builds have no outcome after " + timeout
                + ": " + (missing.size() > 20 ? missing.subList(0, 20) + "..." : missing));
    }
}
