package org.spack.gantry.predict;

import java.util.Comparator;
import java.util.List;

/**
 * A {@code develop} job as the prediction queries see it.
 *
 * @param expensive what {@code json_extract(pkg_variants, '$.v')} gives for each
 *     expensive variant, in {@link SampleQuery#EXPENSIVE_VARIANTS} order: an integer,
 *     or null for SQL NULL. Null as a whole when some value (text, a fraction) can
 *     never equal the integer a spec asks for, so no expensive-variant query matches.
 */
record IndexedJob(long id, String pkgName, String variants, String version, String compilerName,
        String compilerVersion, SqlNumber end, double cpuMean, double memMean, List<Long> expensive) {

    /**
     * The order in which SQLite returns rows of one package through the index
     * {@code complete_spec(pkg_name, pkg_variants, pkg_version, compiler_name,
     * compiler_version, end)} and a sort on {@code end DESC}: newest first, and rows
     * that finished at the same time in the index's order (the sorter keeps the order
     * rows arrive in), which ends with the rowid.
     */
    static final Comparator<IndexedJob> SQLITE_ORDER = (a, b) -> {
        int c = b.end.compareTo(a.end);
        if (c != 0) return c;
        c = Utf8Order.compare(a.variants, b.variants);
        if (c != 0) return c;
        c = Utf8Order.compare(a.version, b.version);
        if (c != 0) return c;
        c = Utf8Order.compare(a.compilerName, b.compilerName);
        if (c != 0) return c;
        c = Utf8Order.compare(a.compilerVersion, b.compilerVersion);
        if (c != 0) return c;
        return Long.compare(a.id, b.id);
    };
}
