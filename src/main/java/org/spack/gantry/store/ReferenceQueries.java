package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The reference's sample queries (prediction.py), as it writes them: one SELECT per
 * predictor and kind of match, newest first, at most {@code limit} rows, each row
 * {@code cpu_mean, cpu_max, mem_mean, mem_max} (the reference's columns; limits are made of the maxima), with the
 * job's {@code gitlab_id} and {@code end} that an explanation lists. On SQLite they are the reference's text, the
 * oracle the in-memory index is proven equal to. On PostgreSQL the order SQLite gives
 * rows that finished at the same time is written out (see {@link HistoryStore}), and the
 * expensive variants are compared by the Java rule, which has no {@code json_extract} there.
 */
public final class ReferenceQueries {
    private static final String SELECT =
            "SELECT cpu_mean, cpu_max, mem_mean, mem_max, pkg_variants, gitlab_id, \"end\" FROM jobs WHERE ref='develop'";

    private final Dialect dialect;
    private final int limit;

    public ReferenceQueries(Dialect dialect, int limit) {
        this.dialect = dialect;
        this.limit = limit;
    }

    /** A column the query matches, and the spec's value for it. */
    public record Match(SpecColumn column, String value) {}

    /** An expensive variant's condition: {@code json_extract(...) = value}, or {@code IS NULL} when the value is null. */
    public record Expensive(String variant, Long value) {}

    /**
     * A spec's expensive-variant requirement, twice: as the reference's SQL conditions, and
     * as the Java rule over a stored variants text ({@code ExpensiveVariantsTest} proves them equal).
     */
    public record ExpensiveMatch(List<Expensive> conditions, Predicate<String> accepts) {}

    /** The rows whose variants are exactly this JSON text. */
    public List<SampleRow> exact(Connection c, String pkgName, String variantsJson, List<Match> matches) throws SQLException {
        List<Object> params = new ArrayList<>(List.of(pkgName, variantsJson));
        StringBuilder sql = new StringBuilder(SELECT + " AND pkg_name=? AND pkg_variants=?");
        appendMatches(sql, params, matches);
        // every index column fixed: SQLite walks complete_spec backwards, ties newest id first
        boolean allFixed = matches.size() == SpecColumn.values().length;
        return run(c, sql.append(order(allFixed)).append(" LIMIT ").append(limit).toString(), params, null);
    }

    /** The rows whose expensive variants meet the requirement. */
    public List<SampleRow> expensive(Connection c, String pkgName, List<Match> matches, ExpensiveMatch expensive)
            throws SQLException {
        List<Object> params = new ArrayList<>(List.of(pkgName));
        StringBuilder sql = new StringBuilder(SELECT + " AND pkg_name=?");
        appendMatches(sql, params, matches);
        if (dialect != Dialect.SQLITE) {
            return run(c, sql.append(order(false)).toString(), params, expensive.accepts());
        }
        for (Expensive e : expensive.conditions()) {
            sql.append(" AND json_extract(pkg_variants, '$.").append(e.variant()).append("')");
            if (e.value() == null) {
                sql.append(" IS NULL");
            } else {
                sql.append("=?");
                params.add(e.value());
            }
        }
        return run(c, sql.append(order(false)).append(" LIMIT ").append(limit).toString(), params, null);
    }

    private String order(boolean allFixed) {
        if (dialect == Dialect.SQLITE) return " ORDER BY end DESC";
        if (allFixed) return " ORDER BY \"end\" DESC, id DESC";
        return " ORDER BY \"end\" DESC, " + dialect.binary("pkg_variants") + ", " + dialect.binary("pkg_version") + ", "
                + dialect.binary("compiler_name") + ", " + dialect.binary("compiler_version") + ", id";
    }

    private static void appendMatches(StringBuilder sql, List<Object> params, List<Match> matches) {
        for (Match m : matches) {
            sql.append(" AND ").append(m.column().column()).append("=?");
            params.add(m.value());
        }
    }

    /** The first {@code limit} rows, of those whose variants {@code accepts} when it is not null. */
    private List<SampleRow> run(Connection c, String sql, List<Object> params, Predicate<String> accepts)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                st.setObject(i + 1, params.get(i));
            }
            List<SampleRow> rows = new ArrayList<>(limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rows.size() < limit && rs.next()) {
                    if (accepts == null || accepts.test(rs.getString(5))) {
                        rows.add(new SampleRow(rs.getLong(6), rs.getDouble(7), rs.getDouble(1), rs.getDouble(2), rs.getDouble(3),
                                rs.getDouble(4)));
                    }
                }
            }
            return rows;
        }
    }
}
