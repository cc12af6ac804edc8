package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL that reads {@code develop} jobs for the in-memory index, as plain rows in the
 * order the reference's queries return them: newest first, and jobs that finished at the
 * same time in the order of the index {@code complete_spec} they are read through (its
 * columns, then the id), which SQLite's sort keeps. The order is written out, text compared
 * byte by byte as SQLite's BINARY collation does, so that every engine gives the same rows
 * in the same order.
 */
public final class HistoryStore {
    private static final String COLUMNS = "id, pkg_name, pkg_variants, pkg_version, compiler_name, compiler_version,"
            + " \"end\", cpu_mean, cpu_max, mem_mean, mem_max";

    private final Dialect dialect;
    private final String order;

    public HistoryStore(Dialect dialect) {
        this.dialect = dialect;
        this.order = " ORDER BY " + dialect.binary("pkg_name") + ", \"end\" DESC, " + dialect.binary("pkg_variants") + ", "
                + dialect.binary("pkg_version") + ", " + dialect.binary("compiler_name") + ", "
                + dialect.binary("compiler_version") + ", id";
    }

    public Dialect dialect() {
        return dialect;
    }

    /** Every develop job, package by package. */
    public List<HistoryRow> all(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM jobs WHERE ref = 'develop'" + order)) {
            return read(st);
        }
    }

    /** One package's develop jobs. */
    public List<HistoryRow> ofPackage(Connection c, String pkgName) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM jobs WHERE ref = 'develop' AND pkg_name = ?" + order)) {
            st.setString(1, pkgName);
            return read(st);
        }
    }

    /** The packages with a develop job above {@code afterId}, with the highest such id of each. */
    public Map<String, Long> packagesAfter(Connection c, long afterId) throws SQLException {
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

    /** Each package's develop jobs counted, with their highest id: what tells that a package changed. */
    public Map<String, PackageState> packageStates(Connection c) throws SQLException {
        Map<String, PackageState> packages = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(
                "SELECT pkg_name, count(*), max(id) FROM jobs WHERE ref = 'develop' GROUP BY pkg_name");
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) packages.put(rs.getString(1), new PackageState(rs.getInt(2), rs.getLong(3)));
        }
        return packages;
    }

    /** How many develop jobs a package has, and the highest id among them. */
    public record PackageState(int count, long lastId) {}

    public long lastId(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT coalesce(max(id), 0) FROM jobs");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<HistoryRow> read(PreparedStatement st) throws SQLException {
        List<HistoryRow> rows = new ArrayList<>();
        // variants and versions repeat thousands of times: keep one copy of each
        Map<String, String> strings = new HashMap<>();
        st.setFetchSize(10_000);
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                rows.add(new HistoryRow(rs.getLong(1), shared(strings, rs.getString(2)), shared(strings, rs.getString(3)),
                        shared(strings, rs.getString(4)), shared(strings, rs.getString(5)),
                        shared(strings, rs.getString(6)), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9),
                        rs.getDouble(10), rs.getDouble(11)));
            }
        }
        return rows;
    }

    private static String shared(Map<String, String> strings, String s) {
        String known = strings.putIfAbsent(s, s);
        return known == null ? s : known;
    }
}
