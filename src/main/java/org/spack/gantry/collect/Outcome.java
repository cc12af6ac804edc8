package org.spack.gantry.collect;

/**
 * How the collection of one event ended: {@code inserted}, {@code oom_killed} (a failed
 * build job whose OOM kill was recorded), {@code skipped} or {@code failed}, with a reason
 * for people and a short code for metrics.
 */
public record Outcome(String state, String reason, String code) {
    public static Outcome inserted() {
        return new Outcome("inserted", null, "inserted");
    }

    /** @param killsSinceSuccess the spec's kills since its last successful build, this one included (0: none since) */
    public static Outcome oomKilled(int killsSinceSuccess) {
        return new Outcome("oom_killed", killsSinceSuccess == 0
                ? "a successful build of the spec ended after it"
                : "kill " + killsSinceSuccess + " since the spec's last successful build", "oom_killed");
    }

    public static Outcome skipped(String reason) {
        // the part before a colon: "invalid label X: <value>" must not make a metrics label per value
        int colon = reason.indexOf(':');
        return new Outcome("skipped", reason, colon < 0 ? reason : reason.substring(0, colon));
    }

    public static Outcome failed(String reason, String code) {
        return new Outcome("failed", reason, code);
    }

    @Override
    public String toString() {
        return reason == null ? state : state + ":" + reason;
    }
}
