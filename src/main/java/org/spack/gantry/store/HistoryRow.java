package org.spack.gantry.store;

/** A {@code develop} job as the prediction reads it: the columns the queries match on, order by and average. */
public record HistoryRow(long id, String pkgName, String variants, String version, String compilerName,
        String compilerVersion, double end, double cpuMean, double cpuMax, double memMean, double memMax) {}
