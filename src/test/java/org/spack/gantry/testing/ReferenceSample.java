package org.spack.gantry.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.spack.gantry.spec.Spec;

/**
 * The reference's sample selection, written here from its source and not from Gantry's
 * (spack/spack-gantry develop at eaa0f3a, gantry/routes/prediction.py, {@code get_sample}):
 * for each of its six {@code param_combos}, first
 *
 * <pre>SELECT cpu_mean, cpu_max, mem_mean, mem_max FROM jobs
 * WHERE ref='develop' AND {param}=? AND ... ORDER BY end DESC LIMIT 5</pre>
 *
 * then the same without {@code pkg_variants} and with, for each of {@code
 * EXPENSIVE_VARIANTS}, {@code json_extract(pkg_variants, '$.{var}')=?} (the spec's bool as
 * an int) or {@code ... IS NULL}; a sample of 4 or more rows is taken. Run on a SQLite
 * connection as the reference's aiosqlite runs it. To name the rows, each query is run a
 * second time with {@code gitlab_id} put first in its select list; that this selects the
 * same rows in the same order is checked: SQLite's plan for both is the same, and so are
 * the four figures of every row.
 */
public final class ReferenceSample {
    private static final List<List<String>> PARAM_COMBOS = List.of(
            List.of("pkg_name", "pkg_variants", "pkg_version", "compiler_name", "compiler_version"),
            List.of("pkg_name", "pkg_variants", "compiler_name", "compiler_version"),
            List.of("pkg_name", "pkg_variants", "pkg_version", "compiler_name"),
            List.of("pkg_name", "pkg_variants", "compiler_name"),
            List.of("pkg_name", "pkg_variants", "pkg_version"),
            List.of("pkg_name", "pkg_variants"));
    private static final List<String> EXPENSIVE_VARIANTS =
            List.of("sycl", "mpi", "rocm", "cuda", "python", "fortran", "openmp", "hdf5");
    private static final String FIGURES = "cpu_mean, cpu_max, mem_mean, mem_max";

    /** One query the reference ran: the predictor Gantry names it by, and the GitLab ids of the rows it selected. */
    public record Attempt(String predictor, List<Long> gitlabIds) {}

    private ReferenceSample() {}

    /** The queries the reference runs for the spec, in its order, up to the first that selects 4 or more rows. */
    public static List<Attempt> attempts(Connection c, Spec spec) throws SQLException {
        Map<String, Object> specDict = Map.of("pkg_name", spec.pkgName(), "pkg_version", spec.pkgVersion(),
                "pkg_variants", spec.variants().json(), "compiler_name", spec.compilerName(),
                "compiler_version", spec.compilerVersion());
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < PARAM_COMBOS.size(); i++) {
            Map<String, Object> filters = new LinkedHashMap<>();
            for (String param : PARAM_COMBOS.get(i)) filters.put(param, specDict.get(param));
            String where = "ref='develop' AND " + String.join(" AND ", filters.keySet().stream().map(p -> p + "=?").toList());
            List<Long> ids = select(c, where, new ArrayList<>(filters.values()));
            attempts.add(new Attempt("exact:" + (i + 1), ids));
            if (ids.size() >= 4) return attempts;

            filters.remove("pkg_variants");
            List<String> conditions = new ArrayList<>();
            List<Object> values = new ArrayList<>(filters.values());
            for (String var : EXPENSIVE_VARIANTS) {
                Object value = spec.variants().get(var);
                if (value instanceof Boolean b) {
                    conditions.add("json_extract(pkg_variants, '$." + var + "')=?");
                    values.add(b ? 1 : 0);
                } else {
                    conditions.add("json_extract(pkg_variants, '$." + var + "') IS NULL");
                }
            }
            where = "ref='develop' AND " + String.join(" AND ", filters.keySet().stream().map(p -> p + "=?").toList())
                    + " AND " + String.join(" AND ", conditions);
            ids = select(c, where, values);
            attempts.add(new Attempt("expensive:" + (i + 1), ids));
            if (ids.size() >= 4) return attempts;
        }
        return attempts;
    }

    private static List<Long> select(Connection c, String where, List<Object> params) throws SQLException {
        String reference = "SELECT " + FIGURES + " FROM jobs WHERE " + where + " ORDER BY end DESC LIMIT 5";
        String named = "SELECT gitlab_id, " + FIGURES + " FROM jobs WHERE " + where + " ORDER BY end DESC LIMIT 5";
        if (!plan(c, reference, params).equals(plan(c, named, params))) {
            throw new AssertionError("naming the rows changes SQLite's plan: " + plan(c, named, params));
        }
        List<double[]> figures = new ArrayList<>();
        try (ResultSet rs = run(c, reference, params)) {
            while (rs.next()) figures.add(new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)});
        }
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = run(c, named, params)) {
            while (rs.next()) {
                double[] f = figures.get(ids.size());
                if (f[0] != rs.getDouble(2) || f[1] != rs.getDouble(3) || f[2] != rs.getDouble(4) || f[3] != rs.getDouble(5)) {
                    throw new AssertionError("naming the rows changed row " + ids.size() + " of " + reference);
                }
                ids.add(rs.getLong(1));
            }
        }
        if (ids.size() != figures.size()) throw new AssertionError("naming the rows changed their number: " + reference);
        return ids;
    }

    private static List<String> plan(Connection c, String sql, List<Object> params) throws SQLException {
        List<String> plan = new ArrayList<>();
        try (ResultSet rs = run(c, "EXPLAIN QUERY PLAN " + sql, params)) {
            while (rs.next()) plan.add(rs.getString("detail"));
        }
        return plan;
    }

    private static ResultSet run(Connection c, String sql, List<Object> params) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        st.closeOnCompletion();
        for (int i = 0; i < params.size(); i++) st.setObject(i + 1, params.get(i));
        return st.executeQuery();
    }
}
