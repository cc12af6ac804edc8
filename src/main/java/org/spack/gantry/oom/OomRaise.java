package org.spack.gantry.oom;

import java.util.List;
import java.util.OptionalDouble;
import org.spack.gantry.trace.Trace;

/**
 * The rule of the raise after OOM kills, from spack-gantry's {@code add/handle-oom} branch
 * ({@code MEM_BUMP_FACTOR = 1.2}, {@code RETRY_COUNT_LIMIT = 3}): after a kill the memory
 * limit is 1.2 times the limit the job was killed at; kills compound, since each killed
 * job ran with the previous raise; from the fourth kill since the spec's last successful
 * build on, the limit is raised no further.
 */
public final class OomRaise {
    public static final double FACTOR = 1.2;
    /** Kills since the last success that raise the limit; a later one is "capped". */
    public static final int CAP = 3;

    private OomRaise() {}

    /**
     * The raised limit in bytes after these kills since the spec's last successful build
     * (their killed limits, in the order the jobs ended; null where the container had none):
     * {@value #FACTOR} times the largest limit among the first {@value #CAP} of them. Empty
     * when none of those had a limit. The largest, not the last: jobs of pipelines that were
     * generated before an earlier kill was recorded ran with the older, lower limit.
     */
    public static OptionalDouble raisedLimit(List<Double> killedLimits) {
        return raisedLimit(killedLimits, Trace.OFF);
    }

    /** As {@link #raisedLimit(List)}, telling the trace the raise. */
    public static OptionalDouble raisedLimit(List<Double> killedLimits, Trace trace) {
        double max = Double.NaN;
        int counted = Math.min(CAP, killedLimits.size());
        for (int i = 0; i < counted; i++) {
            Double l = killedLimits.get(i);
            if (l != null && (Double.isNaN(max) || l > max)) max = l;
        }
        if (Double.isNaN(max)) {
            trace.step("OOM raise", "none: the first %s kill(s) since the last success had no memory limit", counted,
                    Double.NaN);
            return OptionalDouble.empty();
        }
        trace.step("OOM raise", "%s x %s bytes, the largest limit among the first %s kill(s) since the spec's last"
                + " successful build", FACTOR, max, counted, FACTOR * max);
        return OptionalDouble.of(FACTOR * max);
    }

    /** Whether a kill that made {@code killsSinceSuccess} is past the cap: it raises nothing. */
    public static boolean capped(int killsSinceSuccess) {
        return killsSinceSuccess > CAP;
    }

    /** Whether a failed pipeline with a kill that made {@code killsSinceSuccess} is worth running again. */
    public static boolean worthRerunning(int killsSinceSuccess) {
        return killsSinceSuccess >= 1 && killsSinceSuccess <= CAP;
    }
}
