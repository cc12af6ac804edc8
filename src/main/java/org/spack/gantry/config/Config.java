package org.spack.gantry.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.store.DatabaseLocation;

/** Gantry's settings, with the reference implementation's variable names. */
public record Config(
        String prometheusUrl,
        String prometheusCookie,
        String gitlabUrl,
        String gitlabApiToken,
        String gitlabWebhookToken,
        Path dbFile,
        Path backupDir,
        String host,
        int port,
        String logLevel,
        String logFormat,
        boolean accessLog,
        int collectWorkers,
        int collectMaxAttempts,
        double collectBackoffSeconds,
        int httpTimeoutSeconds,
        int reconcileIntervalSeconds,
        int reconcileLookbackHours,
        MemoryLimit memoryLimit,
        DatabaseLocation database,
        int collectLeaseSeconds,
        boolean limits,
        boolean oomRerunPipelines) {

    /**
     * Whether answers carry a memory limit ({@code GANTRY_LIMITS=true}, or
     * {@code GANTRY_MEMORY_LIMIT_FACTOR} set): only then can an OOM kill raise it, so only
     * then are failed build jobs looked at for OOM kills.
     */
    public boolean oomTracking() {
        return limits || !Double.isNaN(memoryLimit.factor());
    }

    /** Reconciliation needs only the GitLab API: it queues, and a server with collection on collects. */
    public ReconcileSetting reconciliation() {
        if (reconcileIntervalSeconds <= 0) return new ReconcileSetting.Off("GANTRY_RECONCILE_INTERVAL_SECONDS is 0");
        List<String> missing = new ArrayList<>();
        if (isBlank(gitlabUrl)) missing.add("GITLAB_URL");
        if (isBlank(gitlabApiToken)) missing.add("GITLAB_API_TOKEN");
        if (!missing.isEmpty()) return new ReconcileSetting.Off(String.join(", ", missing) + " not set");
        return new ReconcileSetting.Every(reconcileIntervalSeconds, reconcileLookbackHours);
    }

    /** The collection settings that are not set; collection is off while any is missing. */
    public List<String> missingCollectionSettings() {
        List<String> missing = new ArrayList<>();
        if (isBlank(prometheusUrl)) missing.add("PROMETHEUS_URL");
        if (isBlank(gitlabUrl)) missing.add("GITLAB_URL");
        if (isBlank(gitlabApiToken)) missing.add("GITLAB_API_TOKEN");
        if (isBlank(gitlabWebhookToken)) missing.add("GITLAB_WEBHOOK_TOKEN");
        return missing;
    }

    public boolean collectionEnabled() {
        return missingCollectionSettings().isEmpty();
    }

    /** {@code enabled}, or {@code disabled: X, Y not set}. */
    public String collectionStatus() {
        List<String> missing = missingCollectionSettings();
        return missing.isEmpty() ? "enabled" : "disabled: " + String.join(", ", missing) + " not set";
    }

    /** Whether the database is shared by several hosts (PostgreSQL) rather than this host's own file. */
    public boolean sharedDatabase() {
        return database instanceof DatabaseLocation.Postgres;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String toString() {
        // never let a token reach a log line
        return "Config[prometheusUrl=" + prometheusUrl + ", gitlabUrl=" + gitlabUrl + ", database=" + database.describe() + ", backupDir=" + backupDir
                + ", host=" + host + ", port=" + port + ", logLevel=" + logLevel + ", logFormat=" + logFormat + ", accessLog=" + accessLog + ", collectWorkers=" + collectWorkers
                + ", collectMaxAttempts=" + collectMaxAttempts + ", collectBackoffSeconds=" + collectBackoffSeconds
                + ", httpTimeoutSeconds=" + httpTimeoutSeconds + ", reconcileIntervalSeconds=" + reconcileIntervalSeconds
                + ", reconcileLookbackHours=" + reconcileLookbackHours + ", limits=" + limits
                + ", oomRerunPipelines=" + oomRerunPipelines + "]";
    }
}
