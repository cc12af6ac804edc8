package org.spack.gantry.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flywaydb.core.api.MigrationVersion;

/**
 * What an SQLite database says of its own schema: its tables and their columns, the
 * versions in Flyway's history (a Gantry database), and {@code PRAGMA user_version} (a
 * database the reference implementation made, which has no Flyway history).
 *
 * @param columns every table (but SQLite's and Flyway's own) and its column names
 * @param applied the versions Flyway's history records as applied, baseline included
 * @param failed the versions Flyway's history records as failed
 */
record SchemaRecord(Map<String, Set<String>> columns, List<String> applied, List<String> failed, int userVersion,
        boolean hasFlywayHistory) {
    static final String FLYWAY_HISTORY = "flyway_schema_history";

    /** Reads the schema of {@code database} ({@code main}, or an attached name) on the connection. */
    static SchemaRecord read(Connection c, String database) throws SQLException {
        String db = quote(database);
        Map<String, Set<String>> columns = new TreeMap<>();
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT name FROM " + db + ".sqlite_master WHERE type = 'table'")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            for (String table : tables) {
                Set<String> names = new LinkedHashSet<>();
                try (ResultSet rs = st.executeQuery("PRAGMA " + db + ".table_info(" + quote(table) + ")")) {
                    while (rs.next()) names.add(rs.getString("name"));
                }
                columns.put(table, names);
            }
            List<String> applied = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            boolean history = columns.containsKey(FLYWAY_HISTORY);
            if (history) {
                try (ResultSet rs = st.executeQuery("SELECT version, success FROM " + db + "." + FLYWAY_HISTORY
                        + " WHERE version IS NOT NULL")) {
                    while (rs.next()) (rs.getBoolean(2) ? applied : failed).add(rs.getString(1));
                }
            }
            int userVersion;
            try (ResultSet rs = st.executeQuery("PRAGMA " + db + ".user_version")) {
                userVersion = rs.next() ? rs.getInt(1) : 0;
            }
            columns.keySet().removeIf(t -> t.startsWith("sqlite_") || t.equals(FLYWAY_HISTORY));
            return new SchemaRecord(Collections.unmodifiableMap(columns), applied, failed, userVersion, history);
        }
    }

    /** No table at all: a new, empty file. */
    boolean empty() {
        return columns.isEmpty() && !hasFlywayHistory;
    }

    /**
     * The schema version: the newest version Flyway applied, or for a database the reference
     * made (its {@code jobs} table, no Flyway history) the version Gantry adopts it at, as
     * {@link Migrations} does; null for a file that is neither.
     */
    String version() {
        if (hasFlywayHistory) {
            return applied.stream().map(MigrationVersion::fromVersion).max(MigrationVersion::compareTo)
                    .map(MigrationVersion::getVersion).orElse(null);
        }
        return columns.containsKey("jobs") ? String.valueOf(Math.max(userVersion, 1)) : null;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
