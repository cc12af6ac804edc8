package org.spack.gantry.predict;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a spec should request: cores and bytes after the floors, and which predictor
 * gave them ({@code default} when no sample was accepted).
 */
public record Prediction(double cores, double bytes, String predictor) {
    static final double DEFAULT_CORES = 1.0;
    static final double DEFAULT_BYTES = 2_000_000_000.0;
    private static final double MIN_CORES = 0.2;
    private static final double MIN_BYTES = 10_000_000.0;

    public static Prediction defaults() {
        return new Prediction(DEFAULT_CORES, DEFAULT_BYTES, "default");
    }

    /** The sample's means with the reference's floors applied. */
    public static Prediction fromMeans(double cores, double bytes, String predictor) {
        return new Prediction(
                cores < MIN_CORES ? DEFAULT_CORES : cores,
                bytes < MIN_BYTES ? DEFAULT_BYTES : bytes,
                predictor);
    }

    /** The CPU request the answer carries, rounded half to even as Python's {@code round} does. */
    public long millicores() {
        return (long) Math.rint(cores * 1000);
    }

    /** The memory request the answer carries, in units of 10^6 bytes, rounded likewise. */
    public long megabytes() {
        return (long) Math.rint(bytes * (1 / 1_000_000.0));
    }

    /** Kubernetes quantities. */
    public String cpuRequest() {
        return millicores() + "m";
    }

    public String memoryRequest() {
        return megabytes() + "M";
    }

    /** The environment variables Spack puts into the build job. */
    public Map<String, String> variables() {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("KUBERNETES_CPU_REQUEST", cpuRequest());
        vars.put("KUBERNETES_MEMORY_REQUEST", memoryRequest());
        return vars;
    }

    /** The response body, byte for byte what the reference's {@code json_response} writes. */
    public String toJson() {
        return "{\"variables\": {\"KUBERNETES_CPU_REQUEST\": \"" + cpuRequest()
                + "\", \"KUBERNETES_MEMORY_REQUEST\": \"" + memoryRequest() + "\"}}";
    }
}
