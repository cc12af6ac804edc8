package org.spack.gantry.predict;

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
        return new Prediction(DEFAULT_CORES, DEFAULT_BYTES, "default", Double.NaN, Double.NaN);
    }

    /** The sample's means with the reference's floors applied. */
    public static Prediction fromMeans(double cores, double bytes, String predictor, double sampleMemMax) {
        return fromMeans(cores, bytes, predictor, sampleMemMax, Double.NaN);
    }

    /** As {@link #fromMeans(double, double, String, double)}, with the mean of the sample's {@code cpu_max}. */
    public static Prediction fromMeans(double cores, double bytes, String predictor, double sampleMemMax,
            double sampleCpuMaxMean) {
        return new Prediction(
                cores < MIN_CORES ? DEFAULT_CORES : cores,
                bytes < MIN_BYTES ? DEFAULT_BYTES : bytes,
                predictor, sampleMemMax, sampleCpuMaxMean);
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
