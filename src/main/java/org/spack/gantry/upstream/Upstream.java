package org.spack.gantry.upstream;

/** The services Gantry asks: how each is named to an operator, in a metric label, and which setting unlocks it. */
public enum Upstream {
    GITLAB("gitlab", "GitLab", "is GITLAB_API_TOKEN valid?"),
    PROMETHEUS("prometheus", "Prometheus", "is PROMETHEUS_COOKIE valid?");

    private final String label;
    private final String displayName;
    private final String credentialHint;

    Upstream(String label, String displayName, String credentialHint) {
        this.label = label;
        this.displayName = displayName;
        this.credentialHint = credentialHint;
    }

    /** The value of a metric's {@code upstream} label. */
    public String label() {
        return label;
    }

    /** What to check after a 401 or 403: the setting an operator gets wrong. */
    public String credentialHint() {
        return credentialHint;
    }

    /** How log lines and errors name it. */
    @Override
    public String toString() {
        return displayName;
    }
}
