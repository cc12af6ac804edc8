package org.spack.gantry.predict;

import java.util.OptionalLong;
import org.spack.gantry.trace.Trace;

/**
 * The opt-in memory limit ({@code GANTRY_MEMORY_LIMIT_FACTOR}): the factor times the largest
 * {@code mem_max} of the sample the prediction used, never below the request, in the same
 * units of 10^6 bytes. The default answer, which no sample backs, carries none; and none
 * at all while the factor is unset, so that answers stay exactly the reference's.
 */
public record MemoryLimit(double factor) {
    public static final MemoryLimit NONE = new MemoryLimit(Double.NaN);
    /** Below 1 the limit is under what a build of the sample really used: a build like it is killed again. */
    static final double MIN_FACTOR = 1;
    /**
     * Above 10 it limits nothing a build does (the reference's limits branch uses 1.2, its
     * notes 10-15 % above historical maxima), and the limit in megabytes stays far from overflowing.
     */
    static final double MAX_FACTOR = 10;

    /**
     * The factor as an operator writes it ({@code GANTRY_MEMORY_LIMIT_FACTOR}, {@code evaluate
     * --memory-limit-factor}): the one place it is checked.
     *
     * @throws IllegalArgumentException saying what is allowed, to follow the setting's name
     */
    public static MemoryLimit parse(String text) {
        double factor;
        try {
            factor = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(allowed(text), e);
        }
        if (!(factor >= MIN_FACTOR && factor <= MAX_FACTOR)) throw new IllegalArgumentException(allowed(text));
        return new MemoryLimit(factor);
    }

    private static String allowed(String text) {
        return "must be a number from 1 to 10 (e.g. 1.15), not '" + text + "'";
    }

    /** The limit for the answer, in units of 10^6 bytes, if it carries one. */
    public OptionalLong megabytes(Prediction p) {
        return megabytes(p, Trace.OFF);
    }

    /** As {@link #megabytes(Prediction)}, telling the trace how the limit was made. */
    public OptionalLong megabytes(Prediction p, Trace trace) {
        if (Double.isNaN(factor)) {
            return OptionalLong.empty();
        }
        if (!Double.isFinite(p.sampleMemMax())) {
            trace.step("KUBERNETES_MEMORY_LIMIT", "none from the jobs: the default answer has no jobs", Double.NaN);
            return OptionalLong.empty();
        }
        long limit = Math.max(p.megabytes(), (long) Math.rint(factor * p.sampleMemMax() * (1 / 1_000_000.0)));
        trace.step("KUBERNETES_MEMORY_LIMIT", "max(request %s M, round(%s x %s bytes, the jobs' largest mem_max, / 10^6)"
                + " half to even) M", p.megabytes(), factor, p.sampleMemMax(), limit);
        return OptionalLong.of(limit);
    }
}
