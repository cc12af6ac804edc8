package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.spack.gantry.predict.SampleQuery.Column;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.Database;

/**
 * The reference algorithm, query by query, as the Python service runs it: up to
 * twelve SELECTs per spec. It is the oracle the faster paths are checked against.
 */
public final class ReferencePredictor implements Predictor {
    private final Database db;

    public ReferencePredictor(Database db) {
        this.db = db;
    }

    @Override
    public Prediction predict(Spec spec) {
        return db.read(c -> predict(c, spec));
    }

    private Prediction predict(Connection c, Spec spec) throws SQLException {
        for (int i = 0; i < SampleQuery.COMBOS.size(); i++) {
            List<Column> combo = SampleQuery.COMBOS.get(i);
            List<double[]> sample = exactSample(c, spec, combo);
            String name = "exact:" + (i + 1);
            if (sample.size() < SampleQuery.MIN_SAMPLE) {
                sample = expensiveSample(c, spec, combo);
                name = "expensive:" + (i + 1);
            }
            if (sample.size() >= SampleQuery.MIN_SAMPLE) {
                return meanOf(sample, name);
            }
        }
        return Prediction.defaults();
    }

    /** Sums in the order SQLite returned the rows, as Python's {@code sum} does. */
    static Prediction meanOf(List<double[]> sample, String predictor) {
        double cpu = 0;
        double mem = 0;
        for (double[] row : sample) {
            cpu += row[0];
            mem += row[1];
        }
        return Prediction.fromMeans(cpu / sample.size(), mem / sample.size(), predictor);
    }

    private List<double[]> exactSample(Connection c, Spec spec, List<Column> combo) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT cpu_mean, cpu_max, mem_mean, mem_max FROM jobs WHERE ref='develop'"
                + " AND pkg_name=? AND pkg_variants=?");
        List<Object> params = new ArrayList<>(List.of(spec.pkgName(), spec.variants().json()));
        appendCombo(sql, params, spec, combo);
        return run(c, sql, params);
    }

    private List<double[]> expensiveSample(Connection c, Spec spec, List<Column> combo) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT cpu_mean, cpu_max, mem_mean, mem_max FROM jobs WHERE ref='develop' AND pkg_name=?");
        List<Object> params = new ArrayList<>(List.of(spec.pkgName()));
        appendCombo(sql, params, spec, combo);
        for (String variant : SampleQuery.EXPENSIVE_VARIANTS) {
            Long value = SampleQuery.expensiveValue(spec.variants().values(), variant);
            sql.append(" AND json_extract(pkg_variants, '$.").append(variant).append("')");
            if (value == null) {
                sql.append(" IS NULL");
            } else {
                sql.append("=?");
                params.add(value);
            }
        }
        return run(c, sql, params);
    }

    private static void appendCombo(StringBuilder sql, List<Object> params, Spec spec, List<Column> combo) {
        for (Column col : combo) {
            sql.append(" AND ").append(SampleQuery.columnName(col)).append("=?");
            params.add(SampleQuery.value(spec, col));
        }
    }

    private static List<double[]> run(Connection c, StringBuilder sql, List<Object> params) throws SQLException {
        sql.append(" ORDER BY end DESC LIMIT ").append(SampleQuery.IDEAL_SAMPLE);
        try (PreparedStatement st = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                st.setObject(i + 1, params.get(i));
            }
            List<double[]> rows = new ArrayList<>(SampleQuery.IDEAL_SAMPLE);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new double[] {rs.getDouble(1), rs.getDouble(3)});
                }
            }
            return rows;
        }
    }
}
