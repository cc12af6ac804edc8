package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** All SQL on {@code oom_kills}: build containers killed for exceeding their memory limit. */
public final class OomKillStore {
    private static final String SPEC_MATCH = "pkg_name=? AND pkg_version=? AND pkg_variants=? AND compiler_name=?"
            + " AND compiler_version=? AND arch=?";

    /** A recorded kill: the row and how many of its spec's kills since its last success it made. */
    public record Recorded(OomKillRow kill, int killsSinceSuccess) {}

    /**
     * Records the kill; null when that build is already recorded. Counts it among its
     * spec's kills that ended after the spec's last successful build (0 when a success
     * ended after the kill itself).
     */
    public Recorded record(Connection c, OomKillRow k, double now) throws SQLException {
        Long lastSuccess = lastSuccessEnd(c, k.spec());
        int count;
        if (lastSuccess != null && lastSuccess >= k.end()) {
            count = 0;
        } else {
            try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM oom_kills WHERE " + SPEC_MATCH
                    + " AND \"end\">?")) {
                bindSpec(st, k.spec(), 1);
                st.setLong(7, lastSuccess == null ? Long.MIN_VALUE : lastSuccess);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    count = rs.getInt(1) + 1;
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement("INSERT INTO oom_kills (build_id, pipeline_id, ref, pod,"
                + " pkg_name, pkg_version, pkg_variants, compiler_name, compiler_version, arch, mem_request, mem_limit,"
                + " \"end\", kills_since_success, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT(build_id) DO NOTHING")) {
            st.setLong(1, k.buildId());
            setLong(st, 2, k.pipelineId());
            st.setString(3, k.ref());
            st.setString(4, k.pod());
            bindSpec(st, k.spec(), 5);
            setDouble(st, 11, k.memRequest());
            setDouble(st, 12, k.memLimit());
            st.setLong(13, k.end());
            st.setInt(14, count);
            st.setDouble(15, now);
            if (st.executeUpdate() == 0) return null;
        }
        return new Recorded(k, count);
    }

    /** When the spec's newest successful build (any ref) finished, or null when it has none. */
    private static Long lastSuccessEnd(Connection c, ExactSpec s) throws SQLException {
        // pkg_name, pkg_variants, pkg_version, compiler_name, compiler_version lead the jobs index
        try (PreparedStatement st = c.prepareStatement("SELECT max(\"end\") FROM jobs WHERE " + SPEC_MATCH)) {
            bindSpec(st, s, 1);
            try (ResultSet rs = st.executeQuery()) {
                long end = rs.next() ? rs.getLong(1) : 0;
                return rs.wasNull() ? null : end;
            }
        }
    }

    /**
     * The kills still in force: those whose job ended after every successful build of
     * their spec, in the order their jobs ended.
     */
    public List<OomKillRow> inForce(Connection c) throws SQLException {
        List<OomKillRow> out = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT k.build_id, k.pipeline_id, k.ref, k.pod, k.pkg_name,"
                + " k.pkg_version, k.pkg_variants, k.compiler_name, k.compiler_version, k.arch, k.mem_request,"
                + " k.mem_limit, k.\"end\" FROM oom_kills k WHERE NOT EXISTS (SELECT 1 FROM jobs j"
                + " WHERE j.pkg_name=k.pkg_name AND j.pkg_variants=k.pkg_variants AND j.pkg_version=k.pkg_version"
                + " AND j.compiler_name=k.compiler_name AND j.compiler_version=k.compiler_version"
                + " AND j.\"end\">=k.\"end\" AND j.arch=k.arch) ORDER BY k.\"end\", k.build_id");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new OomKillRow(rs.getLong(1), nullableLong(rs, 2), rs.getString(3), rs.getString(4),
                        new ExactSpec(rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                                rs.getString(9), rs.getString(10)),
                        nullableDouble(rs, 11), nullableDouble(rs, 12), rs.getLong(13)));
            }
        }
        return out;
    }

    /** The kill recorded for each of these builds, with its count: build id to count. */
    public Map<Long, Integer> killsOf(Connection c, List<Long> buildIds) throws SQLException {
        Map<Long, Integer> out = new TreeMap<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT kills_since_success FROM oom_kills WHERE build_id=?")) {
            for (long id : buildIds) {
                st.setLong(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) out.put(id, rs.getInt(1));
                }
            }
        }
        return out;
    }

    /** For {@code gantry info}: kills recorded since {@code since}, and of those how many were past the cap. */
    public record Counts(long kills, long overCap) {}

    public Counts countsSince(Connection c, double since, int cap) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT count(*), coalesce(sum(CASE WHEN kills_since_success>? THEN 1 ELSE 0 END), 0)"
                + " FROM oom_kills WHERE recorded_at>=?")) {
            st.setInt(1, cap);
            st.setDouble(2, since);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    private static void bindSpec(PreparedStatement st, ExactSpec s, int from) throws SQLException {
        st.setString(from, s.pkgName());
        st.setString(from + 1, s.pkgVersion());
        st.setString(from + 2, s.variantsJson());
        st.setString(from + 3, s.compilerName());
        st.setString(from + 4, s.compilerVersion());
        st.setString(from + 5, s.arch());
    }

    private static void setLong(PreparedStatement st, int i, Long v) throws SQLException {
        if (v == null) st.setNull(i, Types.INTEGER);
        else st.setLong(i, v);
    }

    private static void setDouble(PreparedStatement st, int i, Double v) throws SQLException {
        if (v == null) st.setNull(i, Types.REAL);
        else st.setDouble(i, v);
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Double nullableDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }
}
