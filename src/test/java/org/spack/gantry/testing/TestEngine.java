package org.spack.gantry.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.spack.gantry.store.Backup;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseLocation;
import org.spack.gantry.store.Migrations;

/** The engines a parameterised test runs on: a SQLite file, and a database of the run's real PostgreSQL. */
public enum TestEngine {
    SQLITE, POSTGRESQL;

    /** A new database of this engine, migrated by this release. */
    public TestDatabase migrated(Path dir) {
        TestDatabase db = create(dir);
        new Migrations(db.location(), new Backup(dir.resolve("gantry.db"), dir.resolve("backups"), Clock.systemUTC()))
                .migrate();
        return db;
    }

    /** A new, empty database of this engine. */
    public TestDatabase create(Path dir) {
        if (this == SQLITE) {
            return new TestDatabase(new DatabaseLocation.SqliteFile(dir.resolve("gantry.db")), null);
        }
        PostgresServer server = PostgresServer.shared();
        String name = server.createDatabase();
        return new TestDatabase(server.location(name), name);
    }

    /** A test's database: open it as Gantry does, or connect as another process would. */
    public record TestDatabase(DatabaseLocation location, String postgresName) {
        public Database open(int readers) {
            return Database.open(location, readers);
        }

        /** A plain connection, as another process (a backfill, an operator) would have. */
        public Connection connect() throws SQLException {
            if (location instanceof DatabaseLocation.SqliteFile f) {
                return Database.open(f.file(), false);
            }
            return PostgresServer.shared().connect(postgresName);
        }

        /** Runs a script of statements separated by ";\n" (the parity files' SQL); on PostgreSQL the ids go on after the highest. */
        public void execute(String script) {
            try (Connection c = connect(); Statement st = c.createStatement()) {
                for (String sql : script.split(";\\s*\\n")) {
                    String trimmed = sql.strip();
                    if (!trimmed.isEmpty() && !trimmed.lines().allMatch(l -> l.strip().startsWith("--") || l.isBlank())) {
                        st.execute(trimmed);
                    }
                }
                if (postgresName != null) {
                    for (String table : new String[] {"jobs", "nodes"}) {
                        st.execute("SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), coalesce(max(id), 0) + 1,"
                                + " false) FROM " + table);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
