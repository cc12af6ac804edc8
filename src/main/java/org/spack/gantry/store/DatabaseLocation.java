package org.spack.gantry.store;

import java.nio.file.Path;
import java.util.Map;

/** Which database Gantry uses: {@code DB_FILE} (SQLite, the default) or {@code GANTRY_DATABASE_URL} (PostgreSQL). */
public sealed interface DatabaseLocation {
    /** For logs, {@code /healthz} and {@code info}: never a password. */
    String describe();

    /** The embedded default: one SQLite file. */
    record SqliteFile(Path file) implements DatabaseLocation {
        @Override
        public String describe() {
            return "sqlite " + file.toAbsolutePath();
        }
    }

    /**
     * A PostgreSQL database shared by every host.
     *
     * @param jdbcUrl {@code jdbc:postgresql://host:port/db}, without user, password or options
     * @param properties the driver's connection properties: user, password, TLS
     * @param display {@code postgresql://user@host:port/db}, for people
     */
    record Postgres(String jdbcUrl, Map<String, String> properties, String display) implements DatabaseLocation {
        public Postgres {
            properties = Map.copyOf(properties);
        }

        @Override
        public String describe() {
            return display;
        }

        @Override
        public String toString() {
            // the properties hold the password
            return "Postgres[" + display + "]";
        }
    }
}
