package org.spack.gantry.predict;

import java.util.List;
import java.util.Map;
import org.spack.gantry.spec.InvalidSpecException;
import org.spack.gantry.spec.Spec;

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
     * The integer a spec's expensive variant must equal in the stored JSON, as the
     * reference's {@code int(value)} computes it; null when the spec does not set it.
     * A value Python's {@code int} rejects (a list, a word) made the reference fail
     * with a 500; here it is an invalid spec.
     */
    static Long expensiveValue(Map<String, Object> variants, String name) {
        if (!variants.containsKey(name)) {
            return null;
        }
        Object v = variants.get(name);
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (v instanceof String s) {
            Long parsed = PythonInt.parse(s);
            if (parsed != null) {
                return parsed;
            }
        }
        throw new InvalidSpecException("expensive variant " + name + " is neither true/false nor an integer");
    }
}
