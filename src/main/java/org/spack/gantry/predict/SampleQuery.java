package org.spack.gantry.predict;

import java.util.List;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.spec.Variants;

/**
 * The reference's sample selection, as data: the six column combinations in order of
 * preference, each tried with an exact variant match and then with the expensive
 * variants only.
 */
public final class SampleQuery {
    public static final int IDEAL_SAMPLE = 5;
    public static final int MIN_SAMPLE = IDEAL_SAMPLE - 1;

    /** Variants that change a build's cost so much that a sample must agree on them. */
    public static final List<String> EXPENSIVE_VARIANTS =
            List.of("sycl", "mpi", "rocm", "cuda", "python", "fortran", "openmp", "hdf5");

    /**
     * What an expensive variant is in a stored job, as the reference's conditions see it,
     * two bits a variant in {@link #EXPENSIVE_VARIANTS} order: {@code json_extract} gave
     * NULL, a value equal to 0, equal to 1, or anything else (which no condition accepts).
     */
    static final int ABSENT = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    static final int OTHER = 3;

    public enum Column { VERSION, COMPILER_NAME, COMPILER_VERSION }

    /** Predictor 1 to 6; each always matches name and variants (exact or expensive). */
    public static final List<List<Column>> COMBOS = List.of(
            List.of(Column.VERSION, Column.COMPILER_NAME, Column.COMPILER_VERSION),
            List.of(Column.COMPILER_NAME, Column.COMPILER_VERSION),
            List.of(Column.VERSION, Column.COMPILER_NAME),
            List.of(Column.COMPILER_NAME),
            List.of(Column.VERSION),
            List.of());

    private SampleQuery() {}

    static String columnName(Column c) {
        return switch (c) {
            case VERSION -> "pkg_version";
            case COMPILER_NAME -> "compiler_name";
            case COMPILER_VERSION -> "compiler_version";
        };
    }

    static String value(Spec spec, Column c) {
        return switch (c) {
            case VERSION -> spec.pkgVersion();
            case COMPILER_NAME -> spec.compilerName();
            case COMPILER_VERSION -> spec.compilerVersion();
        };
    }

    /**
     * The integer the stored value must equal, or null for {@code IS NULL}. As the
     * reference (prediction.py at eaa0f3a): {@code isinstance(value, (bool, int))} compares
     * with {@code int(value)}; every other value, or none, requires NULL. The parser only
     * makes booleans, strings and lists, so only {@code +v}/{@code ~v} compare.
     */
    static Long expensiveValue(Variants variants, String name) {
        return variants.get(name) instanceof Boolean b ? (b ? 1L : 0L) : null;
    }

    /** The stored expensive variants (packed as {@link #ABSENT}..{@link #OTHER}) a spec's expensive-variant query accepts. */
    static int expensiveRequirement(Variants variants) {
        int key = 0;
        for (int i = 0; i < EXPENSIVE_VARIANTS.size(); i++) {
            Long v = expensiveValue(variants, EXPENSIVE_VARIANTS.get(i));
            key |= (v == null ? ABSENT : v == 1 ? TRUE : FALSE) << (2 * i);
        }
        return key;
    }

    /** Whether some stored expensive variant is {@link #OTHER}: no spec's expensive-variant query accepts the job. */
    static boolean acceptsNoSpec(int stored) {
        for (int i = 0; i < EXPENSIVE_VARIANTS.size(); i++) {
            if (((stored >> (2 * i)) & 3) == OTHER) return true;
        }
        return false;
    }
}
