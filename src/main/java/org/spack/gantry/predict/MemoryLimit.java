package org.spack.gantry.predict;

import java.util.OptionalLong;

/**
 * The opt-in memory limit ({@code GANTRY_MEMORY_LIMIT_FACTOR}): the factor times the largest
 * {@code mem_max} of the sample the prediction used, never below the request, in the same
 * units of 10^6 bytes. The default answer, which no sample backs, carries none; and none
 * at all while the factor is unset, so that answers stay exactly the reference's.
 */
public record MemoryLimit(double factor) {
    public static final MemoryLimit NONE = new MemoryLimit(Double.NaN);

    public MemoryLimit {
        if (!Double.isNaN(factor) && !(factor > 0 && Double.isFinite(factor))) {
            throw new IllegalArgumentException("a memory limit factor must be a positive number, not " + factor);
        }
    }

    /** The limit for the answer, in units of 10^6 bytes, if it carries one. */
    public OptionalLong megabytes(Prediction p) {
        if (Double.isNaN(factor) || !Double.isFinite(p.sampleMemMax())) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(p.megabytes(), (long) Math.rint(factor * p.sampleMemMax() * (1 / 1_000_000.0))));
    }
}
