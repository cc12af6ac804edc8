package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL that reads {@code develop} jobs for the index, in the order the reference's
 * queries return them: newest first, and jobs that finished at the same time in the
 * order of the index {@code complete_spec} they are read through (its columns, then the
 * rowid), which SQLite's sort keeps. SQLite orders and compares; Java only copies.
 */
public final class HistoryRows {
    private static final String COLUMNS = "id, pkg_name, pkg_variants, pkg_version, compiler_name, compiler_version,"
            + " end, cpu_mean, cpu_max, mem_mean, mem_max";
    /** Each distinct variants text with its expensive key: asked once per text, not once per job. */
    private static final String KEYS;
    /** The key of one text: for a job committed between the two queries, with variants not seen before. */
    private static final String ONE_KEY;
    private static final String ORDER =
            " ORDER BY pkg_name, end DESC, pkg_variants, pkg_version, compiler_name, compiler_version, id";

    static {
        // the expensive-variant conditions, evaluated by SQLite: NULL, = 0, = 1, or none of them; one
        // json_extract a variant (X'00' stands for NULL: json_extract never gives a blob);
        // parenthesised, since SQLite's | and << bind alike
        StringBuilder key = new StringBuilder("CASE WHEN json_valid(pkg_variants) THEN 0");
        for (int i = 0; i < SampleQuery.EXPENSIVE_VARIANTS.size(); i++) {
            key.append(" | ((CASE ifnull(json_extract(pkg_variants, '$.").append(SampleQuery.EXPENSIVE_VARIANTS.get(i))
                    .append("'), X'00') WHEN X'00' THEN ").append(SampleQuery.ABSENT)
                    .append(" WHEN 0 THEN ").append(SampleQuery.FALSE)
                    .append(" WHEN 1 THEN ").append(SampleQuery.TRUE)
                    .append(" ELSE ").append(SampleQuery.OTHER).append(" END) << ").append(2 * i).append(')');
        }
        // variants that are not JSON (the reference's expensive query fails on them): no match
        key.append(" ELSE -1 END");
        KEYS = "SELECT pkg_variants, " + key + " FROM (SELECT DISTINCT pkg_variants FROM jobs WHERE ref = 'develop'";
        ONE_KEY = "SELECT " + key + " FROM (SELECT ? AS pkg_variants)";
    }

    private HistoryRows() {}

    /** Every develop job, package by package. */
    public static List<HistoryRow> all(Connection c) throws SQLException {
        try (PreparedStatement keys = c.prepareStatement(KEYS + ")");
                PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE ref = 'develop'" + ORDER)) {
            return read(c, keys, st);
        }
    }

    /** One package's develop jobs. */
    static List<HistoryRow> ofPackage(Connection c, String pkgName) throws SQLException {
        try (PreparedStatement keys = c.prepareStatement(KEYS + " AND pkg_name = ?)");
                PreparedStatement st = c.prepareStatement(
                        "SELECT " + COLUMNS + " FROM jobs WHERE ref = 'develop' AND pkg_name = ?" + ORDER)) {
            keys.setString(1, pkgName);
            st.setString(1, pkgName);
            return read(c, keys, st);
        }
    }

    /** The packages with a develop job above {@code afterId}, with the highest such id of each. */
    static Map<String, Long> packagesAfter(Connection c, long afterId) throws SQLException {
        Map<String, Long> packages = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT pkg_name, max(id) FROM jobs WHERE id > ? AND ref = 'develop' GROUP BY pkg_name")) {
            st.setLong(1, afterId);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) packages.put(rs.getString(1), rs.getLong(2));
            }
        }
        return packages;
    }

    static long lastId(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT coalesce(max(id), 0) FROM jobs");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<HistoryRow> read(Connection c, PreparedStatement keys, PreparedStatement st) throws SQLException {
        Map<String, Integer> expensive = new HashMap<>();
        try (ResultSet rs = keys.executeQuery()) {
            while (rs.next()) expensive.put(rs.getString(1), rs.getInt(2));
        }
        List<HistoryRow> rows = new ArrayList<>();
        // variants and versions repeat thousands of times: keep one copy of each
        Map<String, String> strings = new HashMap<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String variants = shared(strings, rs.getString(3));
                Integer key = expensive.get(variants);
                if (key == null) {
                    key = oneKey(c, variants);
                    expensive.put(variants, key);
                }
                rows.add(new HistoryRow(rs.getLong(1), shared(strings, rs.getString(2)), variants,
                        shared(strings, rs.getString(4)), shared(strings, rs.getString(5)),
                        shared(strings, rs.getString(6)), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9),
                        rs.getDouble(10), rs.getDouble(11), key));
            }
        }
        return rows;
    }

    private static int oneKey(Connection c, String variants) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(ONE_KEY)) {
            st.setString(1, variants);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static String shared(Map<String, String> strings, String s) {
        String known = strings.putIfAbsent(s, s);
        return known == null ? s : known;
    }
}
