package org.spack.gantry.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.HistoryRow;
import org.spack.gantry.store.HistoryStore;
import org.spack.gantry.store.SpecColumn;

/**
 * The reference algorithm answered from memory instead of up to twelve SELECTs: every
 * {@code develop} job by package, the same samples, rows in the same order, the same
 * sums. Built from rows in {@link org.spack.gantry.store.HistoryStore}'s order: all of the database's, or any
 * selection of them (a history without a holdout), since removing rows keeps the order.
 */
public final class HistoryIndex implements Predictor {
    private static final String[] EXACT = names("exact:");
    private static final String[] EXPENSIVE = names("expensive:");
    private static final boolean[] USES_VERSION = uses(SpecColumn.VERSION);
    private static final boolean[] USES_COMPILER_NAME = uses(SpecColumn.COMPILER_NAME);
    private static final boolean[] USES_COMPILER_VERSION = uses(SpecColumn.COMPILER_VERSION);

    private final Map<String, PackageHistory> packages = new ConcurrentHashMap<>();
    private final AtomicLong revisions = new AtomicLong();

    /** @param rows in {@link org.spack.gantry.store.HistoryStore}'s order (each package's rows together) */
    public static HistoryIndex of(List<HistoryRow> rows) {
        HistoryIndex index = new HistoryIndex();
        int from = 0;
        for (int i = 1; i <= rows.size(); i++) {
            if (i == rows.size() || !rows.get(i).pkgName().equals(rows.get(from).pkgName())) {
                index.replace(rows.get(from).pkgName(), new ArrayList<>(rows.subList(from, i)));
                from = i;
            }
        }
        return index;
    }

    /** Puts the package's jobs (in {@link org.spack.gantry.store.HistoryStore}'s order) in place of what it had. */
    void replace(String pkgName, List<HistoryRow> rows) {
        packages.put(pkgName, new PackageHistory(rows, revisions.incrementAndGet()));
    }

    /** A number that grows whenever the package's jobs change; 0 while it has none. */
    public long revision(String pkgName) {
        PackageHistory h = packages.get(pkgName);
        return h == null ? 0 : h.revision();
    }

    /** The highest job id held for the package, 0 when none. */
    long lastId(String pkgName) {
        PackageHistory h = packages.get(pkgName);
        return h == null ? 0 : h.lastId();
    }

    /** Whether it holds exactly this many jobs of the package, the highest with this id. */
    boolean holds(String pkgName, HistoryStore.PackageState state) {
        PackageHistory h = packages.get(pkgName);
        return h != null && h.count() == state.count() && h.lastId() == state.lastId();
    }

    public int packageCount() {
        return packages.size();
    }

    @Override
    public Prediction predict(Spec spec) {
        PackageHistory history = packages.get(spec.pkgName());
        if (history == null) {
            return Prediction.defaults();
        }
        int version = history.versionId(spec.pkgVersion());
        int compilerName = history.compilerNameId(spec.compilerName());
        int compilerVersion = history.compilerVersionId(spec.compilerVersion());
        Partition exact = history.withVariants(spec.variants().json());
        Partition expensive = null;
        boolean expensiveLooked = false;
        Partition.Sample sample = new Partition.Sample();
        for (int i = 0; i < SampleQuery.COMBOS.size(); i++) {
            int v = USES_VERSION[i] ? version : Partition.ANY;
            int cn = USES_COMPILER_NAME[i] ? compilerName : Partition.ANY;
            int cv = USES_COMPILER_VERSION[i] ? compilerVersion : Partition.ANY;
            boolean possible = v != PackageHistory.UNKNOWN && cn != PackageHistory.UNKNOWN
                    && cv != PackageHistory.UNKNOWN;
            sample.clear();
            if (exact != null && possible) {
                // the first predictor fixes all five index columns: SQLite walks the index backwards
                exact.sample(v, cn, cv, i == 0, sample);
            }
            if (sample.accepted()) {
                return sample.prediction(EXACT[i]);
            }
            if (!expensiveLooked) {
                expensive = history.withExpensive(ExpensiveVariants.requirement(spec.variants()));
                expensiveLooked = true;
            }
            sample.clear();
            if (expensive != null && possible) {
                expensive.sample(v, cn, cv, false, sample);
            }
            if (sample.accepted()) {
                return sample.prediction(EXPENSIVE[i]);
            }
        }
        return Prediction.defaults();
    }

    /** Which of the six predictors match on the column, by predictor. */
    private static boolean[] uses(SpecColumn column) {
        boolean[] uses = new boolean[SampleQuery.COMBOS.size()];
        for (int i = 0; i < uses.length; i++) {
            uses[i] = SampleQuery.COMBOS.get(i).contains(column);
        }
        return uses;
    }

    private static String[] names(String prefix) {
        String[] names = new String[SampleQuery.COMBOS.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = prefix + (i + 1);
        }
        return names;
    }
}
