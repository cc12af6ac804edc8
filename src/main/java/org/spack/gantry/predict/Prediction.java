package org.spack.gantry.predict;

import org.spack.gantry.trace.Trace;

/**
 * What a spec should request: cores and bytes after the floors, which predictor gave
 * them ({@code exact:1}..{@code exact:6}, {@code expensive:1}..{@code expensive:6}, or
 * {@code default} when no sample was accepted), the largest {@code mem_max} in the
 * sample and the mean of its {@code cpu_max} (both NaN for the defaults): what limits
 * are made of.
 */
public record Prediction(double cores, double bytes, String predictor, double sampleMemMax, double sampleCpuMaxMean) {
    /** A prediction whose sample's {@code cpu_max} is not known. */
    public Prediction(double cores, double bytes, String predictor, double sampleMemMax) {
        this(cores, bytes, predictor, sampleMemMax, Double.NaN);
    }

    static final double DEFAULT_CORES = 1.0;
    static final double DEFAULT_BYTES = 2_000_000_000.0;
    private static final double MIN_CORES = 0.2;
    private static final double MIN_BYTES = 10_000_000.0;

    public static Prediction defaults() {
        return defaults(Trace.OFF);
    }

    /** The defaults, telling the trace why. */
    public static Prediction defaults(Trace trace) {
        trace.step("cores", "the default: no predictor found 4 or 5 jobs", DEFAULT_CORES);
        trace.step("bytes", "the default: no predictor found 4 or 5 jobs", DEFAULT_BYTES);
        return new Prediction(DEFAULT_CORES, DEFAULT_BYTES, "default", Double.NaN, Double.NaN);
    }

    /** The sample's means with the reference's floors applied. */
    public static Prediction fromMeans(double cores, double bytes, String predictor, double sampleMemMax) {
        return fromMeans(cores, bytes, predictor, sampleMemMax, Double.NaN);
    }

    /** As {@link #fromMeans(double, double, String, double)}, with the mean of the sample's {@code cpu_max}. */
    public static Prediction fromMeans(double cores, double bytes, String predictor, double sampleMemMax,
            double sampleCpuMaxMean) {
        return fromMeans(cores, bytes, predictor, sampleMemMax, sampleCpuMaxMean, Trace.OFF);
    }

    /** As {@link #fromMeans(double, double, String, double, double)}, telling the trace each floor. */
    public static Prediction fromMeans(double cores, double bytes, String predictor, double sampleMemMax,
            double sampleCpuMaxMean, Trace trace) {
        boolean coresFloored = cores < MIN_CORES;
        boolean bytesFloored = bytes < MIN_BYTES;
        double flooredCores = coresFloored ? DEFAULT_CORES : cores;
        double flooredBytes = bytesFloored ? DEFAULT_BYTES : bytes;
        if (coresFloored) trace.step("cores", "%s is below 0.2 cores: the default", cores, flooredCores);
        else trace.step("cores", "%s, not below 0.2 cores: kept", cores, flooredCores);
        if (bytesFloored) trace.step("bytes", "%s is below 10 MB: the default", bytes, flooredBytes);
        else trace.step("bytes", "%s, not below 10 MB: kept", bytes, flooredBytes);
        return new Prediction(flooredCores, flooredBytes, predictor, sampleMemMax, sampleCpuMaxMean);
    }

    /** The CPU request the answer carries, rounded half to even as Python's {@code round} does. */
    public long millicores() {
        return (long) Math.rint(cores * 1000);
    }

    /** The memory request the answer carries, in units of 10^6 bytes, rounded likewise. */
    public long megabytes() {
        return (long) Math.rint(bytes * (1 / 1_000_000.0));
    }
}
