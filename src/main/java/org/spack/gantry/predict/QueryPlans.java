package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.spack.gantry.predict.SampleQuery.Column;

/**
 * Checks the assumption {@link IndexedPredictor} rests on: that SQLite answers the
 * reference queries through the index {@code complete_spec} as it does on the
 * schema of this release, which decides the order of rows that finished at the same
 * time. A migration adding an index, or statistics from {@code ANALYZE}, could change
 * the plan; then the reference queries must answer.
 */
public final class QueryPlans {
    private static final List<String> INDEX_COLUMNS =
            List.of("pkg_name", "pkg_variants", "pkg_version", "compiler_name", "compiler_version", "end");
    private static final String SEARCH = "SEARCH jobs USING INDEX complete_spec (";
    private static final String SORT = "USE TEMP B-TREE FOR ORDER BY";

    private QueryPlans() {}

    /** Why the in-memory index would not give the reference's answers here, or null when it would. */
    public static String mismatch(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            String encoding = single(st, "PRAGMA encoding");
            if (!"UTF-8".equals(encoding)) {
                return "the database encoding is " + encoding + ", not UTF-8";
            }
            List<String> columns = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("PRAGMA index_xinfo(complete_spec)")) {
                while (rs.next()) {
                    if (rs.getInt("key") == 0) continue;
                    if (rs.getInt("desc") != 0 || !"BINARY".equals(rs.getString("coll"))) {
                        return "index complete_spec is not ascending with BINARY collation";
                    }
                    columns.add(rs.getString("name"));
                }
            }
            if (!columns.equals(INDEX_COLUMNS)) {
                return "index complete_spec is on " + columns + ", not " + INDEX_COLUMNS;
            }
            List<Long> noValues = Collections.nCopies(SampleQuery.EXPENSIVE_VARIANTS.size(), null);
            for (int i = 0; i < SampleQuery.COMBOS.size(); i++) {
                List<Column> combo = SampleQuery.COMBOS.get(i);
                List<String> exact = plan(st, ReferencePredictor.exactSql(combo));
                // all five columns fixed: the index gives end order itself, read backwards
                boolean exactAsExpected = i == 0
                        ? exact.size() == 1 && exact.get(0).startsWith(SEARCH)
                        : exact.size() == 2 && exact.get(0).startsWith(SEARCH) && exact.get(1).equals(SORT);
                if (!exactAsExpected) {
                    return "SQLite plans predictor " + (i + 1) + " as " + exact;
                }
                List<String> expensive = plan(st, ReferencePredictor.expensiveSql(combo, noValues));
                if (!(expensive.size() == 2 && expensive.get(0).equals(SEARCH + "pkg_name=?)")
                        && expensive.get(1).equals(SORT))) {
                    return "SQLite plans the expensive-variant query of predictor " + (i + 1) + " as " + expensive;
                }
            }
            return null;
        }
    }

    private static List<String> plan(Statement st, String sql) throws SQLException {
        List<String> details = new ArrayList<>();
        // parameters left unbound: without sqlite_stat4 the plan does not depend on their values
        try (PreparedStatement ps = st.getConnection().prepareStatement("EXPLAIN QUERY PLAN " + sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                details.add(rs.getString("detail"));
            }
        }
        return details;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
