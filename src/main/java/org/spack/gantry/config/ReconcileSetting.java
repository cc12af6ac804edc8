package org.spack.gantry.config;

/** Whether {@code serve} reconciles with the GitLab jobs API by itself, and how often; or why not. */
public sealed interface ReconcileSetting {
    /** Off, and why: the interval is 0, or what GitLab needs is not set. */
    record Off(String reason) implements ReconcileSetting {
        @Override
        public String describe() {
            return "disabled: " + reason;
        }
    }

    /** On: a run every {@code intervalSeconds}; the first run ever looks back {@code lookbackHours}. */
    record Every(int intervalSeconds, int lookbackHours) implements ReconcileSetting {
        @Override
        public String describe() {
            return "enabled: every " + intervalSeconds + " s";
        }
    }

    /** {@code enabled: every 600 s} or {@code disabled: GITLAB_URL not set}: how /healthz and info begin the line. */
    String describe();
}
