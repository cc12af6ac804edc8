package org.spack.gantry.evaluate;

import java.util.List;
import java.util.Map;

/**
 * How well the predictions fit the held-out jobs.
 *
 * @param jobs held-out jobs whose spec the API answers (the ratios are over these)
 * @param refused held-out jobs whose spec the API refuses (no variants, for instance)
 * @param gantry usage over Gantry's predicted request
 * @param baseline usage over what the job itself requested
 * @param memOverRequestShare share of jobs whose {@code mem_max} exceeded the predicted memory request
 * @param predictors how many predictions each predictor gave
 * @param worstMemory the packages whose memory is under-predicted most (highest mean usage/request)
 * @param limit the would-be OOM kills at a memory limit factor, or null when none was asked for
 */
public record Report(
        int holdout,
        int jobs,
        int refused,
        Ratios gantry,
        Ratios baseline,
        double memOverRequestShare,
        Map<String, Long> predictors,
        List<PackageRatio> worstMemory,
        LimitRisk limit) {

    /** A package's mean memory usage over Gantry's request. */
    public record PackageRatio(String pkgName, int jobs, double memRatioMean) {}

    /**
     * @param jobsWithLimit jobs whose answer would carry a limit (the default answer carries none)
     * @param overLimitShare share of those whose {@code mem_max} exceeds the limit
     * @param maxOverLimitMean mean {@code mem_max / limit} over those
     */
    public record LimitRisk(double factor, int jobsWithLimit, double overLimitShare, double maxOverLimitMean) {}
}
