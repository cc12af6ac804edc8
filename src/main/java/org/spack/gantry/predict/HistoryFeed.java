package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads stored jobs for the in-memory index. SQLite computes every value the
 * prediction queries compare ({@code ref='develop'}, {@code json_extract} of the
 * expensive variants, the types of the columns), so the index sees exactly what the
 * queries would. Rows whose values the index does not model (a non-text column, a
 * non-numeric {@code end}, variants that are not JSON) are reported by package, and
 * such packages are answered by the reference queries.
 */
final class HistoryFeed {
    private static final String ROWS = "SELECT id, ref = 'develop', pkg_name, pkg_variants, pkg_version,"
            + " compiler_name, compiler_version, end, typeof(end) = 'real', cpu_mean, mem_mean,"
            + " typeof(pkg_name) = 'text' AND typeof(pkg_variants) = 'text' AND typeof(pkg_version) = 'text'"
            + " AND typeof(compiler_name) = 'text' AND typeof(compiler_version) = 'text'"
            + " AND typeof(end) IN ('integer', 'real')"
            + " FROM jobs WHERE id > ? ORDER BY id";
    /** What the expensive-variant queries see in one stored variants text (asked once per distinct text). */
    private static final String VARIANTS;

    static {
        StringBuilder sql = new StringBuilder("SELECT json_valid(?1, 2)");
        for (String v : SampleQuery.EXPENSIVE_VARIANTS) {
            // json_extract fails on text that is not JSON: only ask where it is
            sql.append(", CASE WHEN json_valid(?1, 2) THEN json_extract(?1, '$.").append(v).append("') END");
        }
        VARIANTS = sql.toString();
    }

    /** The develop jobs stored after {@code afterId}, the packages that need the database, and the last id read. */
    record Batch(List<IndexedJob> jobs, Set<String> needDatabase, long lastId) {}

    /** What json_extract gives for stored variants: not JSON at all, or the expensive values (see IndexedJob). */
    private record Expensive(boolean json, List<Long> values) {}

    /** Shares equal strings between jobs: variants repeat thousands of times. */
    private final Map<String, String> strings = new HashMap<>();
    private final Map<String, Expensive> expensiveByVariants = new HashMap<>();

    /** Not thread-safe: the index calls it under its lock. */
    Batch after(Connection c, long afterId) throws SQLException {
        List<IndexedJob> jobs = new ArrayList<>();
        Set<String> needDatabase = new HashSet<>();
        long lastId = afterId;
        try (PreparedStatement rows = c.prepareStatement(ROWS); PreparedStatement variants = c.prepareStatement(VARIANTS)) {
            rows.setLong(1, afterId);
            try (ResultSet rs = rows.executeQuery()) {
                while (rs.next()) {
                    lastId = rs.getLong(1);
                    if (!rs.getBoolean(2)) continue;
                    String pkgName = rs.getString(3);
                    if (pkgName == null) continue;
                    String variantsText = intern(rs.getString(4));
                    Expensive expensive = rs.getBoolean(12) ? expensive(variants, variantsText) : null;
                    if (expensive == null || !expensive.json()) {
                        needDatabase.add(pkgName);
                        continue;
                    }
                    SqlNumber end = rs.getBoolean(9) ? SqlNumber.ofReal(rs.getDouble(8)) : SqlNumber.ofInteger(rs.getLong(8));
                    jobs.add(new IndexedJob(lastId, intern(pkgName), variantsText, intern(rs.getString(5)),
                            intern(rs.getString(6)), intern(rs.getString(7)), end, rs.getDouble(10), rs.getDouble(11),
                            expensive.values()));
                }
            }
        }
        return new Batch(jobs, needDatabase, lastId);
    }

    private Expensive expensive(PreparedStatement st, String variantsText) throws SQLException {
        Expensive known = expensiveByVariants.get(variantsText);
        if (known != null) return known;
        st.setString(1, variantsText);
        Expensive e;
        try (ResultSet rs = st.executeQuery()) {
            rs.next();
            e = rs.getBoolean(1) ? new Expensive(true, expensive(rs, 2)) : new Expensive(false, null);
        }
        expensiveByVariants.put(variantsText, e);
        return e;
    }

    /** The expensive variants as integers or nulls, or null when one can never equal an integer. */
    private static List<Long> expensive(ResultSet rs, int first) throws SQLException {
        Long[] values = new Long[SampleQuery.EXPENSIVE_VARIANTS.size()];
        for (int i = 0; i < values.length; i++) {
            Object o = rs.getObject(first + i);
            if (o == null) {
                values[i] = null;
            } else if (o instanceof Integer || o instanceof Long) {
                values[i] = ((Number) o).longValue();
            } else if (o instanceof Double d && isInteger(d)) {
                // SQLite's 1.0 = 1 holds: a stored 1.0 matches the spec's 1
                values[i] = (long) (double) d;
            } else {
                // text, or a fraction: SQLite's = with an integer never holds
                return null;
            }
        }
        return Arrays.asList(values);
    }

    private static boolean isInteger(double d) {
        return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == Math.rint(d);
    }

    private String intern(String s) {
        String known = strings.putIfAbsent(s, s);
        return known == null ? s : known;
    }
}
