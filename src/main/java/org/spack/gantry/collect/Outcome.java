package org.spack.gantry.collect;

/**
 * How the collection of one event ended: {@code inserted}, {@code skipped} or
 * {@code failed}, with a reason for people and a short code for metrics.
 */
public record Outcome(String state, String reason, String code) {
    public static Outcome inserted() {
        return new Outcome("inserted", null, "inserted");
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
