package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SpecColumn;

/**
 * The reference algorithm, query by query, as prediction.py runs it: up to twelve
 * SELECTs per spec ({@link ReferenceQueries}). The oracle the in-memory index is tested
 * against, and the answer while the index is loading.
 */
public final class ReferencePredictor implements Predictor {
    private final Database db;
    private final ReferenceQueries queries;

    public ReferencePredictor(Database db) {
        this.db = db;
        this.queries = db.referenceQueries(SampleQuery.IDEAL_SAMPLE);
    }

    @Override
    public Prediction predict(Spec spec) {
        return db.read(c -> predict(c, spec));
    }

    private Prediction predict(Connection c, Spec spec) throws SQLException {
        ReferenceQueries.ExpensiveMatch expensive = ExpensiveVariants.match(spec.variants());
        for (int i = 0; i < SampleQuery.COMBOS.size(); i++) {
            List<SpecColumn> combo = SampleQuery.COMBOS.get(i);
            List<ReferenceQueries.Match> matches = SampleQuery.matches(spec, combo);
            List<double[]> sample = queries.exact(c, spec.pkgName(), spec.variants().json(), matches);
            String name = "exact:" + (i + 1);
            if (sample.size() < SampleQuery.MIN_SAMPLE) {
                sample = queries.expensive(c, spec.pkgName(), matches, expensive);
                name = "expensive:" + (i + 1);
            }
            if (sample.size() >= SampleQuery.MIN_SAMPLE) {
                return meanOf(sample, name);
            }
        }
        return Prediction.defaults();
    }

    /** Sums in the order the database returned the rows, as Python's {@code sum} does. */
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
}
