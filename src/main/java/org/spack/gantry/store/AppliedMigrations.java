package org.spack.gantry.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Tells, without starting Flyway, whether a database already holds exactly the
 * migrations this release bundles. Flyway takes about a second to start, most of
 * what {@code serve} spends before it can answer; when nothing is pending it would
 * only have checked what this checks: every bundled version applied successfully
 * (or covered by the baseline of an adopted database), with the checksum Flyway
 * computes, and nothing else applied. Anything else, or anything unexpected, is left
 * to Flyway. SQLite's alone: on PostgreSQL Flyway always looks (and takes its lock).
 */
public final class AppliedMigrations {
    private static final String LOCATION = "db/migration/" + Dialect.SQLITE.migrations() + "/";
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+)__[^/]+\\.sql");

    /** A bundled versioned migration. */
    record Script(String version, String name, int checksum) {}

    private final List<Script> bundled;

    public AppliedMigrations() {
        this(bundledScripts());
    }

    AppliedMigrations(List<Script> bundled) {
        this.bundled = bundled;
    }

    /** The schema version when nothing is pending, or null when Flyway must look. */
    public String upToDateVersion(Path dbFile) {
        if (bundled == null || bundled.isEmpty() || !Files.isRegularFile(dbFile)) return null;
        try (Connection c = Database.open(dbFile, true); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='flyway_schema_history'")) {
                if (!rs.next()) return null;
            }
            Long baseline = null;
            Map<String, Integer> applied = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT version, type, checksum, success FROM flyway_schema_history")) {
                while (rs.next()) {
                    String version = rs.getString(1);
                    String type = rs.getString(2);
                    if (!rs.getBoolean(4)) return null;
                    if ("BASELINE".equals(type) && version != null && version.matches("[0-9]+") && baseline == null) {
                        baseline = Long.parseLong(version);
                    } else if ("SQL".equals(type) && version != null && rs.getObject(3) != null) {
                        if (applied.put(version, rs.getInt(3)) != null) return null;
                    } else {
                        return null;
                    }
                }
            }
            String latest = null;
            for (Script s : bundled) {
                boolean beforeBaseline = baseline != null && Long.parseLong(s.version()) <= baseline;
                Integer checksum = applied.remove(s.version());
                if (beforeBaseline ? checksum != null : checksum == null || checksum != s.checksum()) return null;
                latest = s.version();
            }
            return applied.isEmpty() ? latest : null;
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    /** The versioned migrations in the jar (or the classes directory), by version; null when they cannot be listed. */
    static List<Script> bundledScripts() {
        try {
            Path source = Path.of(AppliedMigrations.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Map<Long, Script> byVersion = new java.util.TreeMap<>();
            if (Files.isDirectory(source)) {
                Path dir = source.resolve(LOCATION);
                if (!Files.isDirectory(dir)) return null;
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        if (!add(byVersion, f.getFileName().toString(), () -> Files.newInputStream(f))) return null;
                    }
                }
            } else {
                try (ZipFile zip = new ZipFile(source.toFile())) {
                    for (ZipEntry e : zip.stream().filter(e -> e.getName().startsWith(LOCATION) && !e.isDirectory()).toList()) {
                        if (!add(byVersion, e.getName().substring(LOCATION.length()), () -> zip.getInputStream(e))) {
                            return null;
                        }
                    }
                }
            }
            return new ArrayList<>(byVersion.values());
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private interface Opener {
        InputStream open() throws IOException;
    }

    /** False for a file this shortcut does not understand (a repeatable or oddly named migration). */
    private static boolean add(Map<Long, Script> byVersion, String name, Opener opener) throws IOException {
        Matcher m = VERSIONED.matcher(name);
        if (!m.matches() || m.group(1).length() > 1 && m.group(1).startsWith("0")) return false;
        try (InputStream in = opener.open()) {
            return byVersion.put(Long.parseLong(m.group(1)), new Script(m.group(1), name, checksum(in))) == null;
        }
    }

    /** Flyway's checksum: CRC32 of each line's UTF-8 bytes without line breaks, a leading BOM dropped. */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096)) {
            String line = r.readLine();
            if (line != null && line.startsWith("\uFEFF")) line = line.substring(1);
            while (line != null) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
                line = r.readLine();
            }
        }
        return (int) crc.getValue();
    }
}
