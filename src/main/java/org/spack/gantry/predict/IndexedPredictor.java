package org.spack.gantry.predict;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.predict.SampleQuery.Column;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.Database;

/**
 * The reference algorithm answered from {@link HistoryIndex} instead of up to twelve
 * SELECTs: the same samples, rows in the same order, the same sums. Before answering
 * it checks, for about a microsecond, whether anything was committed since it last
 * looked, and reads the new jobs if so: a stored job counts from the next request on.
 * What the index does not model goes to the reference queries: packages with unusual
 * rows, specs with text SQLite would store differently, and every request until the
 * index is loaded.
 */
public final class IndexedPredictor implements Predictor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IndexedPredictor.class);
    private static final String[] EXACT = names("exact:");
    private static final String[] EXPENSIVE = names("expensive:");
    private static final boolean[] USES_VERSION = uses(Column.VERSION);
    private static final boolean[] USES_COMPILER_NAME = uses(Column.COMPILER_NAME);
    private static final boolean[] USES_COMPILER_VERSION = uses(Column.COMPILER_VERSION);

    private final Predictor oracle;
    private final HistoryIndex index = new HistoryIndex();
    private final ChangeProbes probes;
    /** Set once the index is loaded: from then on, answers come from memory. */
    private volatile boolean loaded;

    public IndexedPredictor(Database db, Predictor oracle) {
        this.oracle = oracle;
        this.probes = new ChangeProbes(db.file());
    }

    /**
     * Reads every stored develop job into memory; until then the reference queries
     * answer. False, and they go on answering, when SQLite does not plan them as the
     * index assumes (see {@link QueryPlans}).
     */
    public boolean load() {
        long started = System.nanoTime();
        String planMismatch = probes.with(p -> QueryPlans.mismatch(p.connection()));
        if (planMismatch != null) {
            log.warn("allocations are answered by the reference queries, not from memory: {}", planMismatch);
            return false;
        }
        int jobs = probes.with(p -> {
            p.changed(); // the baseline: a commit after this look is seen by the next one
            return index.catchUp(p.connection());
        });
        loaded = true;
        // at the level of "gantry listening": the moment allocations come from memory
        log.info("history index loaded: {} develop jobs of {} packages in {} ms", jobs, index.packageCount(),
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    /** Whether answers come from memory yet. */
    public boolean isLoaded() {
        return loaded;
    }

    @Override
    public Prediction predict(Spec spec) {
        Prediction p = predictWithoutBlocking(spec);
        return p != null ? p : oracle.predict(spec);
    }

    @Override
    public Prediction predictWithoutBlocking(Spec spec) {
        return refresh() ? fromIndex(spec) : null;
    }

    @Override
    public Predictor forBatch() {
        if (!refresh()) return oracle;
        return spec -> {
            Prediction p = fromIndex(spec);
            return p != null ? p : oracle.predict(spec);
        };
    }

    @Override
    public long historyVersion(String pkgName) {
        if (!refresh()) return -1;
        PackageHistory history = index.get(pkgName);
        return history == null ? 0 : history.version();
    }

    /** Reads the jobs committed since the last look; false while the index is not loaded yet. */
    private boolean refresh() {
        if (!loaded) return false;
        probes.with(p -> p.changed() ? index.catchUp(p.connection()) : 0);
        return true;
    }

    /** The answer from memory, or null when the reference queries must give it. */
    Prediction fromIndex(Spec spec) {
        String name = spec.pkgName();
        if (!sameInSqlite(name) || !sameInSqlite(spec.pkgVersion()) || !sameInSqlite(spec.compilerName())
                || !sameInSqlite(spec.compilerVersion())) {
            return null;
        }
        PackageHistory history = index.get(name);
        if (history != null && history.needsDatabase()) {
            return null;
        }
        if (history == null) {
            // no develop job: every query comes back empty, but the reference still
            // evaluates the expensive variants (and refuses a spec whose value is no integer)
            expensiveRequirement(spec.variants().values());
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
                return Prediction.fromMeans(sample.meanCpu(), sample.meanMem(), EXACT[i]);
            }
            if (!expensiveLooked) {
                // where the reference first evaluates the expensive variants (and may refuse the spec)
                expensive = history.withExpensive(expensiveRequirement(spec.variants().values()));
                expensiveLooked = true;
            }
            sample.clear();
            if (expensive != null && possible) {
                expensive.sample(v, cn, cv, false, sample);
            }
            if (sample.accepted()) {
                return Prediction.fromMeans(sample.meanCpu(), sample.meanMem(), EXPENSIVE[i]);
            }
        }
        return Prediction.defaults();
    }

    /** What each expensive variant must be in a stored job: its integer, or null for absent. */
    private static List<Long> expensiveRequirement(Map<String, Object> variants) {
        Long[] values = new Long[SampleQuery.EXPENSIVE_VARIANTS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = SampleQuery.expensiveValue(variants, SampleQuery.EXPENSIVE_VARIANTS.get(i));
        }
        return Arrays.asList(values);
    }

    /**
     * False for text SQLite would not store as Java holds it: an unpaired surrogate
     * cannot be encoded in UTF-8, so the driver substitutes it and the comparison in
     * SQL differs from the one in memory.
     */
    private static boolean sameInSqlite(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /** Which of the six predictors match on the column, by predictor. */
    private static boolean[] uses(Column column) {
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

    @Override
    public void close() {
        probes.close();
    }
}
