package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference's sample queries (prediction.py), as it writes them: one SELECT per
 * predictor and kind of match, newest first, at most {@code limit} rows. The oracle the
 * in-memory index is proven equal to; each row is {@code cpu_mean, mem_mean, mem_max}.
 */
public final class ReferenceQueries {
    private static final String SELECT = "SELECT cpu_mean, mem_mean, mem_max FROM jobs WHERE ref='develop'";

    private final int limit;

    public ReferenceQueries(int limit) {
        this.limit = limit;
    }

    /** A column the query matches, and the spec's value for it. */
    public record Match(SpecColumn column, String value) {}

    /** An expensive variant's condition: {@code json_extract(...) = value}, or {@code IS NULL} when the value is null. */
    public record Expensive(String variant, Long value) {}

    /** The rows whose variants are exactly this JSON text. */
    public List<double[]> exact(Connection c, String pkgName, String variantsJson, List<Match> matches) throws SQLException {
        List<Object> params = new ArrayList<>(List.of(pkgName, variantsJson));
        StringBuilder sql = new StringBuilder(SELECT + " AND pkg_name=? AND pkg_variants=?");
        appendMatches(sql, params, matches);
        return run(c, sql.append(orderAndLimit()).toString(), params);
    }

    /** The rows whose expensive variants meet the conditions. */
    public List<double[]> expensive(Connection c, String pkgName, List<Match> matches, List<Expensive> conditions)
            throws SQLException {
        List<Object> params = new ArrayList<>(List.of(pkgName));
        StringBuilder sql = new StringBuilder(SELECT + " AND pkg_name=?");
        appendMatches(sql, params, matches);
        for (Expensive e : conditions) {
            sql.append(" AND ").append(extract(e.variant()));
            if (e.value() == null) {
                sql.append(" IS NULL");
            } else {
                sql.append("=?");
                params.add(e.value());
            }
        }
        return run(c, sql.append(orderAndLimit()).toString(), params);
    }

    /** What the reference's condition compares: the variant's value read from the stored JSON text. */
    static String extract(String variant) {
        return "json_extract(pkg_variants, '$." + variant + "')";
    }

    private String orderAndLimit() {
        return " ORDER BY end DESC LIMIT " + limit;
    }

    private static void appendMatches(StringBuilder sql, List<Object> params, List<Match> matches) {
        for (Match m : matches) {
            sql.append(" AND ").append(m.column().column()).append("=?");
            params.add(m.value());
        }
    }

    private List<double[]> run(Connection c, String sql, List<Object> params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                st.setObject(i + 1, params.get(i));
            }
            List<double[]> rows = new ArrayList<>(limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)});
                }
            }
            return rows;
        }
    }
}
