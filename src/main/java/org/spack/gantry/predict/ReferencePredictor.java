package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SampleRow;
import org.spack.gantry.store.SpecColumn;
import org.spack.gantry.trace.Query;
import org.spack.gantry.trace.Trace;

/**
 * The reference algorithm, query by query, as prediction.py runs it: up to twelve
 * SELECTs per spec ({@link ReferenceQueries}). The oracle the in-memory index is tested
 * against, the answer while the index is loading, and what an explanation is made of
 * ({@link #predict(Spec, Trace)}: each query tried and the arithmetic of the means).
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
        return predict(spec, Trace.OFF);
    }

    /** The prediction, telling the trace each query run and each step of the arithmetic. */
    public Prediction predict(Spec spec, Trace trace) {
        return db.read(c -> predict(c, spec, trace));
    }

    private Prediction predict(Connection c, Spec spec, Trace trace) throws SQLException {
        ReferenceQueries.ExpensiveMatch expensive = ExpensiveVariants.match(spec.variants());
        for (int i = 0; i < SampleQuery.COMBOS.size(); i++) {
            List<SpecColumn> combo = SampleQuery.COMBOS.get(i);
            List<ReferenceQueries.Match> matches = SampleQuery.matches(spec, combo);
            String name = "exact:" + (i + 1);
            List<SampleRow> sample = queries.exact(c, spec.pkgName(), spec.variants().json(), matches);
            trace.query(new Query(name, spec.pkgName(), spec.variants().json(), matches, List.of(), sample,
                    sample.size() >= SampleQuery.MIN_SAMPLE));
            if (sample.size() < SampleQuery.MIN_SAMPLE) {
                name = "expensive:" + (i + 1);
                sample = queries.expensive(c, spec.pkgName(), matches, expensive);
                trace.query(new Query(name, spec.pkgName(), null, matches, expensive.conditions(), sample,
                        sample.size() >= SampleQuery.MIN_SAMPLE));
            }
            if (sample.size() >= SampleQuery.MIN_SAMPLE) {
                return meanOf(sample, name, trace);
            }
        }
        return Prediction.defaults(trace);
    }

    /** Sums in the order the database returned the rows, as Python's {@code sum} does. */
    static Prediction meanOf(List<SampleRow> sample, String predictor, Trace trace) {
        double cpu = 0;
        double cpuMax = 0;
        double mem = 0;
        double memMax = Double.NEGATIVE_INFINITY;
        for (SampleRow row : sample) {
            cpu += row.cpuMean();
            cpuMax += row.cpuMax();
            mem += row.memMean();
            memMax = Math.max(memMax, row.memMax());
        }
        int n = sample.size();
        trace.step("cpu_mean of the jobs", "%s / %s (their cpu_mean summed in the order listed, over their number)", cpu,
                n, cpu / n);
        trace.step("mem_mean of the jobs", "%s / %s (their mem_mean summed in the order listed, over their number)", mem,
                n, mem / n);
        return Prediction.fromMeans(cpu / n, mem / n, predictor, memMax, cpuMax / n, trace);
    }
}
