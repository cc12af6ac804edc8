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
 * The reference algorithm, query by query, as prediction.py runs it: up to twelve
 * SELECTs per spec. The oracle the in-memory index is tested against, and the answer
 * while the index is loading.
 */
public final class ReferencePredictor implements Predictor {
    private static final String ORDER_AND_LIMIT = " ORDER BY end DESC LIMIT " + SampleQuery.IDEAL_SAMPLE;

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
        double cpuMax = 0;
        double mem = 0;
        double memMax = Double.NEGATIVE_INFINITY;
        // each row: cpu_mean, cpu_max, mem_mean, mem_max, as the queries select them
        for (double[] row : sample) {
            cpu += row[0];
            cpuMax += row[1];
            mem += row[2];
            memMax = Math.max(memMax, row[3]);
        }
        return Prediction.fromMeans(cpu / sample.size(), mem / sample.size(), predictor, memMax, cpuMax / sample.size());
    }

    private List<double[]> exactSample(Connection c, Spec spec, List<Column> combo) throws SQLException {
        List<Object> params = new ArrayList<>(List.of(spec.pkgName(), spec.variants().json()));
        for (Column col : combo) {
            params.add(SampleQuery.value(spec, col));
        }
        return run(c, exactSql(combo), params);
    }

    private List<double[]> expensiveSample(Connection c, Spec spec, List<Column> combo) throws SQLException {
        List<Object> params = new ArrayList<>(List.of(spec.pkgName()));
        for (Column col : combo) {
            params.add(SampleQuery.value(spec, col));
        }
        List<Long> values = new ArrayList<>();
        for (String variant : SampleQuery.EXPENSIVE_VARIANTS) {
            Long value = SampleQuery.expensiveValue(spec.variants(), variant);
            values.add(value);
            if (value != null) {
                params.add(value);
            }
        }
        return run(c, expensiveSql(combo, values), params);
    }

    /** The exact-variant query of one predictor, as the reference writes it. */
    static String exactSql(List<Column> combo) {
        StringBuilder sql = new StringBuilder("SELECT cpu_mean, cpu_max, mem_mean, mem_max FROM jobs WHERE ref='develop'"
                + " AND pkg_name=? AND pkg_variants=?");
        appendCombo(sql, combo);
        return sql.append(ORDER_AND_LIMIT).toString();
    }

    /** The expensive-variant query of one predictor; a null value is an {@code IS NULL} condition. */
    static String expensiveSql(List<Column> combo, List<Long> values) {
        StringBuilder sql = new StringBuilder("SELECT cpu_mean, cpu_max, mem_mean, mem_max FROM jobs WHERE ref='develop' AND pkg_name=?");
        appendCombo(sql, combo);
        for (int i = 0; i < SampleQuery.EXPENSIVE_VARIANTS.size(); i++) {
            sql.append(" AND json_extract(pkg_variants, '$.").append(SampleQuery.EXPENSIVE_VARIANTS.get(i)).append("')");
            sql.append(values.get(i) == null ? " IS NULL" : "=?");
        }
        return sql.append(ORDER_AND_LIMIT).toString();
    }

    private static void appendCombo(StringBuilder sql, List<Column> combo) {
        for (Column col : combo) {
            sql.append(" AND ").append(SampleQuery.columnName(col)).append("=?");
        }
    }

    private static List<double[]> run(Connection c, String sql, List<Object> params) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                st.setObject(i + 1, params.get(i));
            }
            List<double[]> rows = new ArrayList<>(SampleQuery.IDEAL_SAMPLE);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)});
                }
            }
            return rows;
        }
    }
}
