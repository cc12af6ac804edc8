package org.spack.gantry.config;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spack.gantry.predict.MemoryLimit;
import org.spack.gantry.store.DatabaseLocation;

/**
 * Reads the configuration from the environment and from {@code environment.json}
 * (the release directory's, or {@code GANTRY_ENV_FILE}); the real environment wins.
 */
public final class ConfigLoader {
    private static final Pattern GSON_POSITION = Pattern.compile("line (\\d+) column (\\d+)");
    private static final Set<PosixFilePermission> OTHERS_AND_GROUP = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final Map<String, String> environment;
    private final Path releaseDir;

    /** @param releaseDir where {@code environment.json} is looked for, or null when not run from a release */
    public ConfigLoader(Map<String, String> environment, Path releaseDir) {
        this.environment = environment;
        this.releaseDir = releaseDir;
    }

    public Config load() {
        Map<String, String> values = new HashMap<>(readEnvFile());
        values.putAll(environment);
        return new Config(
                values.get("PROMETHEUS_URL"),
                values.get("PROMETHEUS_COOKIE"),
                values.get("GITLAB_URL"),
                values.get("GITLAB_API_TOKEN"),
                values.get("GITLAB_WEBHOOK_TOKEN"),
                Path.of(values.getOrDefault("DB_FILE", "gantry.db")),
                backupDir(values),
                values.getOrDefault("GANTRY_HOST", "0.0.0.0"),
                integer(values, "GANTRY_PORT", 8080, 0, 65535),
                logLevel(values.getOrDefault("LOG_LEVEL", "INFO")),
                choice(values, "LOG_FORMAT", "text", "text", "json"),
                "true".equals(choice(values, "GANTRY_ACCESS_LOG", "false", "true", "false")),
                integer(values, "GANTRY_COLLECT_WORKERS", 4, 1, 64),
                integer(values, "GANTRY_COLLECT_MAX_ATTEMPTS", 8, 1, 100),
                // the first wait; it doubles up to 5 min (or this, when longer): an hour is already no retrying
                seconds(values, "GANTRY_COLLECT_BACKOFF_SECONDS", 2.0, 3600),
                // a Prometheus that has not answered in 30 s is stuck, not busy: retry later
                integer(values, "GANTRY_HTTP_TIMEOUT_SECONDS", 30, 1, 600),
                // 0 turns reconciliation off
                integer(values, "GANTRY_RECONCILE_INTERVAL_SECONDS", 600, 0, 86_400),
                integer(values, "GANTRY_RECONCILE_LOOKBACK_HOURS", 24, 1, 24 * 30),
                memoryLimit(values),
                database(values),
                integer(values, "GANTRY_COLLECT_LEASE_SECONDS", 120, 5, 86_400),
                "true".equals(choice(values, "GANTRY_LIMITS", "false", "true", "false")),
                oomRerunPipelines(values));
    }

    /** GANTRY_OOM_RERUN_PIPELINES=true runs a failed pipeline again only where its jobs get a raised limit. */
    private static boolean oomRerunPipelines(Map<String, String> values) {
        boolean on = "true".equals(choice(values, "GANTRY_OOM_RERUN_PIPELINES", "false", "true", "false"));
        boolean limits = "true".equals(choice(values, "GANTRY_LIMITS", "false", "true", "false"))
                || memoryLimit(values) != MemoryLimit.NONE;
        if (on && !limits) {
            throw new ConfigException("GANTRY_OOM_RERUN_PIPELINES=true needs GANTRY_LIMITS=true or GANTRY_MEMORY_LIMIT_FACTOR:"
                    + " without a memory limit in the answers an OOM-killed job would be run again with the same memory");
        }
        return on;
    }

    /** GANTRY_MEMORY_LIMIT_FACTOR: unset (no limit, the reference's answers), or a factor {@link MemoryLimit} allows. */
    private static MemoryLimit memoryLimit(Map<String, String> values) {
        String v = values.get("GANTRY_MEMORY_LIMIT_FACTOR");
        if (v == null || v.isBlank()) return MemoryLimit.NONE;
        try {
            return MemoryLimit.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("GANTRY_MEMORY_LIMIT_FACTOR " + e.getMessage(), e);
        }
    }

    /** GANTRY_DATABASE_URL (PostgreSQL), or DB_FILE (SQLite, the default). */
    private static DatabaseLocation database(Map<String, String> values) {
        String url = values.get("GANTRY_DATABASE_URL");
        if (url == null || url.isBlank()) {
            return new DatabaseLocation.SqliteFile(Path.of(values.getOrDefault("DB_FILE", "gantry.db")));
        }
        return DatabaseUrl.parse(url, values.get("GANTRY_DATABASE_PASSWORD"), values.get("GANTRY_DATABASE_PASSWORD_FILE"));
    }

    /** The file in use, or null when there is none. */
    public Path envFile() {
        String explicit = environment.get("GANTRY_ENV_FILE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        if (releaseDir != null && Files.exists(releaseDir.resolve("environment.json"))) {
            return releaseDir.resolve("environment.json");
        }
        return null;
    }

    private Map<String, String> readEnvFile() {
        Path file = envFile();
        if (file == null) return Map.of();
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("environment file " + file + " does not exist");
        }
        checkPermissions(file);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parseEnvFile(file, text);
    }

    /** One JSON object of names to strings, each name once, and nothing after it. */
    private static Map<String, String> parseEnvFile(Path file, String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        Map<String, String> values = new HashMap<>();
        try {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new ConfigException(file + " must hold a JSON object of variable name to string value");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (reader.peek() != JsonToken.STRING) {
                    throw new ConfigException(file + ": the value of " + name + " must be a string");
                }
                if (values.put(name, reader.nextString()) != null) {
                    throw new ConfigException(file + " sets " + name + " twice" + position(reader.toString()));
                }
            }
            reader.endObject();
        } catch (IOException | IllegalStateException e) {
            throw new ConfigException(file + " is not valid JSON" + position(e), e);
        }
        String more = file + " holds more than its JSON object";
        try {
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new ConfigException(more + position(reader.toString()));
        } catch (IOException e) {
            throw new ConfigException(more + position(reader.toString()), e);
        }
        return values;
    }

    private static String position(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String found = t.getMessage() == null ? "" : position(t.getMessage());
            if (!found.isEmpty() || t instanceof MalformedJsonException) return found;
        }
        return "";
    }

    /** {@code " at line 3, column 5"} from Gson's {@code "... line 3 column 5 ..."}, or nothing. */
    private static String position(String gsonText) {
        Matcher m = GSON_POSITION.matcher(gsonText);
        return m.find() ? " at line " + m.group(1) + ", column " + m.group(2) : "";
    }

    private static void checkPermissions(Path file) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return;
        }
        for (PosixFilePermission p : perms) {
            if (OTHERS_AND_GROUP.contains(p)) {
                throw new ConfigException(file + " holds tokens but others can read or write it; run: chmod 600 " + file);
            }
        }
    }

    private static int integer(Map<String, String> values, String name, int dflt, int min, int max) {
        String v = values.get(name);
        if (v == null || v.isBlank()) return dflt;
        String allowed = name + " must be a whole number from " + min + " to " + max + ", not '" + v + "'";
        int n;
        try {
            n = Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(allowed, e);
        }
        if (n < min || n > max) throw new ConfigException(allowed);
        return n;
    }

    private static double seconds(Map<String, String> values, String name, double dflt, double max) {
        String v = values.get(name);
        if (v == null || v.isBlank()) return dflt;
        String allowed = name + " must be a number of seconds from 0 to " + Math.round(max) + ", not '" + v + "'";
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException(allowed, e);
        }
        if (!(d >= 0 && d <= max)) throw new ConfigException(allowed);
        return d;
    }

    /** GANTRY_BACKUP_DIR, by default backups/ beside DB_FILE (where the deploy's shared/backups/ is). */
    private static Path backupDir(Map<String, String> values) {
        String dir = values.get("GANTRY_BACKUP_DIR");
        if (dir != null && !dir.isBlank()) return Path.of(dir);
        return Path.of(values.getOrDefault("DB_FILE", "gantry.db")).toAbsolutePath().getParent().resolve("backups");
    }

    private static String choice(Map<String, String> values, String name, String dflt, String... allowed) {
        String v = values.get(name);
        if (v == null || v.isBlank()) return dflt;
        String lower = v.strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) return a;
        }
        throw new ConfigException(name + " must be " + String.join(" or ", allowed) + ", not '" + v + "'");
    }

    static String logLevel(String level) {
        return switch (level.strip().toUpperCase(Locale.ROOT)) {
            case "ERROR" -> "error";
            case "WARNING", "WARN" -> "warn";
            case "INFO" -> "info";
            case "DEBUG" -> "debug";
            default -> throw new ConfigException("LOG_LEVEL must be ERROR, WARNING, INFO or DEBUG, not '" + level + "'");
        };
    }
}
