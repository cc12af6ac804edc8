package org.spack.gantry.collect;

import java.util.regex.Pattern;

/** Which finished jobs are builds whose usage Prometheus has; the others are never collected. */
final class Eligibility {
    private static final Pattern BUILD_STAGE = Pattern.compile("stage-\\d+\n?", Pattern.UNICODE_CHARACTER_CLASS); // Python: $ also before a final newline

    private Eligibility() {}

    /** Whether a job of this stage is a build (until it finishes, the runner is not known). */
    static boolean isBuildStage(String stage) {
        return BUILD_STAGE.matcher(stage).matches();
    }

    /**
     * Why the job is not collected, or null when it is eligible.
     * @param runnerDescription null when the job had no runner
     */
    static String skipReason(String stage, boolean hasRunner, String runnerDescription) {
        if (!isBuildStage(stage)) return "not a build stage";
        if (!hasRunner) return "no runner";
        // uo runners are outside the cluster Prometheus watches
        if (runnerDescription.strip().startsWith("uo")) return "uo runner";
        return null;
    }
}
