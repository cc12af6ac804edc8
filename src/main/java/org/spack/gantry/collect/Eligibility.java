package org.spack.gantry.collect;

import java.util.regex.Pattern;

/** Which finished jobs are builds whose usage Prometheus has; the others are never collected. */
public final class Eligibility {
    private static final Pattern BUILD_STAGE = Pattern.compile("stage-\\d+\n?", Pattern.UNICODE_CHARACTER_CLASS); // Python: $ also before a final newline

    private Eligibility() {}

    /** Why the event is not collected, or null when it is eligible. */
    public static String skipReason(WebhookEvent e) {
        if (!"success".equals(e.status())) return "not a successful job";
        if (!BUILD_STAGE.matcher(e.stage()).matches()) return "not a build stage";
        if (!e.hasRunner()) return "no runner";
        // uo runners are outside the cluster Prometheus watches
        if (e.runnerDescription().strip().startsWith("uo")) return "uo runner";
        return null;
    }
}
