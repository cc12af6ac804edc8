package org.spack.gantry.predict;

import java.util.ArrayList;
import java.util.List;
import org.spack.gantry.spec.Spec;
import org.spack.gantry.store.ReferenceQueries;
import org.spack.gantry.store.SpecColumn;

/**
 * The reference's sample selection, as data: the six column combinations in order of
 * preference, each tried with an exact variant match and then with the expensive
 * variants only ({@link ExpensiveVariants}).
 */
public final class SampleQuery {
    public static final int IDEAL_SAMPLE = 5;
    public static final int MIN_SAMPLE = IDEAL_SAMPLE - 1;

    /** Predictor 1 to 6; each always matches name and variants (exact or expensive). */
    public static final List<List<SpecColumn>> COMBOS = List.of(
            List.of(SpecColumn.VERSION, SpecColumn.COMPILER_NAME, SpecColumn.COMPILER_VERSION),
            List.of(SpecColumn.COMPILER_NAME, SpecColumn.COMPILER_VERSION),
            List.of(SpecColumn.VERSION, SpecColumn.COMPILER_NAME),
            List.of(SpecColumn.COMPILER_NAME),
            List.of(SpecColumn.VERSION),
            List.of());

    private SampleQuery() {}

    static String value(Spec spec, SpecColumn c) {
        return switch (c) {
            case VERSION -> spec.pkgVersion();
            case COMPILER_NAME -> spec.compilerName();
            case COMPILER_VERSION -> spec.compilerVersion();
        };
    }

    /** The spec's values for the columns of one predictor. */
    static List<ReferenceQueries.Match> matches(Spec spec, List<SpecColumn> combo) {
        List<ReferenceQueries.Match> matches = new ArrayList<>(combo.size());
        for (SpecColumn c : combo) {
            matches.add(new ReferenceQueries.Match(c, value(spec, c)));
        }
        return matches;
    }
}
