package org.spack.gantry.predict;

/**
 * A {@code develop} job as the prediction queries see it.
 *
 * @param expensive what the expensive-variant conditions see in its variants, packed as
 *     {@link SampleQuery#expensiveRequirement} packs a spec's, computed by SQLite
 */
public record HistoryRow(long id, String pkgName, String variants, String version, String compilerName,
        String compilerVersion, double end, double cpuMean, double cpuMax, double memMean, double memMax, int expensive) {}
