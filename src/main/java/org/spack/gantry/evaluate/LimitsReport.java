package org.spack.gantry.evaluate;

import java.util.List;

/**
 * What limits would have done to the held-out jobs: for the jobs' own static requests
 * and limits, and for limits mode at each memory factor with the OOM loop simulated.
 *
 * @param jobs held-out jobs whose spec the API answers (the figures are over these)
 * @param refused held-out jobs whose spec the API refuses
 */
public record LimitsReport(int holdout, int jobs, int refused, Row staticAllocation, List<Row> factors) {
    /**
     * One way of allocating.
     *
     * @param factor the memory factor, NaN for the jobs' own static allocation
     * @param killedShare share of jobs killed at least once (their {@code mem_max} above the limit)
     * @param reruns reruns (kills under the cap, each followed by a run at the raised limit)
     * @param stillFailing jobs killed again after the cap: they fail for good
     * @param stillFailingWithoutHistory of those, the jobs answered without history (the default answer)
     * @param limitOverUsed the memory limits of the jobs' last runs over their peak use, summed over the jobs
     * @param requestOverUsed the memory requests of the jobs' last runs over their peak use, likewise
     */
    public record Row(double factor, double killedShare, int reruns, int stillFailing, int stillFailingWithoutHistory,
            double limitOverUsed, double requestOverUsed) {
        public double rerunsPerThousand(int jobs) {
            return jobs == 0 ? Double.NaN : 1000.0 * reruns / jobs;
        }
    }
}
