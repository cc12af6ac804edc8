package org.spack.gantry.store;

import java.nio.file.Path;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database to this release's schema with Flyway. A database the reference
 * implementation made (its tables, {@code PRAGMA user_version} = N, no Flyway
 * history) is adopted: baselined at N, then migrated, every row kept.
 */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    static final String LOCATION = "classpath:db/migration/";
    /** Where a SQLite file's migrations are (restore's scratch schema uses them too). */
    static final String SQLITE_LOCATION = LOCATION + Dialect.SQLITE.migrations();

    private final DatabaseLocation location;
    private final Path dbFile;
    private final Backup backup;

    /** A SQLite file's, backed up before it changes. */
    public Migrations(Path dbFile, Backup backup) {
        this(new DatabaseLocation.SqliteFile(dbFile), backup);
    }

    /**
     * The database's: on SQLite backed up with {@code backup} before it changes; on PostgreSQL
     * not (that is pg_dump's and the DBA's point-in-time recovery), and Flyway's own
     * advisory lock keeps a second host from migrating at the same time.
     */
    public Migrations(DatabaseLocation location, Backup backup) {
        this.location = location;
        this.dbFile = location instanceof DatabaseLocation.SqliteFile f ? f.file() : null;
        this.backup = backup;
    }

    private boolean postgres() {
        return location instanceof DatabaseLocation.Postgres;
    }

    /** What the database holds and what this release would apply. */
    public record Status(String schemaVersion, List<String> pending, boolean adoptsReferenceDatabase, boolean empty) {}

    public record Result(Status before, Path backupFile, int applied, String schemaVersion) {}

    public Status status() {
        Layout layout = inspect();
        Flyway flyway = flyway(layout);
        MigrationInfo[] all = flyway.info().all();
        List<String> pending;
        String version;
        if (layout.adoptAt != null) {
            MigrationVersion base = MigrationVersion.fromVersion(layout.adoptAt);
            pending = Arrays.stream(all).filter(m -> m.getVersion() != null && m.getVersion().isNewerThan(base.getVersion()))
                    .map(Migrations::describe).toList();
            version = layout.adoptAt;
        } else {
            pending = Arrays.stream(flyway.info().pending()).map(Migrations::describe).toList();
            MigrationInfo current = flyway.info().current();
            version = current == null || current.getVersion() == null ? "none" : current.getVersion().getVersion();
        }
        return new Status(version, pending, layout.adoptAt != null, layout.empty);
    }

    /**
     * Applies pending migrations, after a backup when the database already holds data.
     * One process at a time (a lock file beside the database): Flyway takes no lock on
     * SQLite, and two runs at once would apply the same script twice, or back up to the same file.
     */
    public Result migrate() {
        if (postgres()) {
            return migrateLocked();
        }
        Database.checkDirectory(dbFile);
        Path lockFile = dbFile.toAbsolutePath().resolveSibling(dbFile.getFileName() + ".migrate-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            return migrateLocked();
        } catch (IOException e) {
            throw new DatabaseException("cannot lock " + lockFile + " for the migration: " + e.getMessage(), e);
        }
    }

    private Result migrateLocked() {
        Status before = status();
        if (before.pending().isEmpty()) {
            return new Result(before, null, 0, before.schemaVersion());
        }
        Path backupFile = before.empty() || postgres() ? null : backup.beforeMigration(before.schemaVersion());
        if (before.adoptsReferenceDatabase()) {
            log.info("adopting a database made by the reference implementation at schema version {}", before.schemaVersion());
        }
        Flyway flyway = flyway(inspect());
        try {
            int applied = flyway.migrate().migrationsExecuted;
            String version = flyway.info().current().getVersion().getVersion();
            log.info("applied {} migration(s), schema version is now {}", applied, version);
            return new Result(before, backupFile, applied, version);
        } catch (FlywayException e) {
            if (before.adoptsReferenceDatabase()) {
                forgetBaseline();
            }
            throw new DatabaseException("migration failed, database left as it was: " + firstLine(e.getMessage()), e);
        }
    }

    /** Flyway commits the baseline before migrating; a failed adoption must not leave it behind. */
    private void forgetBaseline() {
        try (Connection c = Database.open(dbFile, false); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS flyway_schema_history");
        } catch (SQLException e) {
            log.error("could not remove the baseline of the failed adoption: {}", e.getMessage());
        }
    }

    private static String describe(MigrationInfo m) {
        return m.getScript();
    }

    private static String firstLine(String message) {
        if (message == null) return "unknown error";
        String trimmed = message.strip();
        int nl = trimmed.indexOf('\n');
        return nl < 0 ? trimmed : trimmed.substring(0, nl);
    }

    private Flyway flyway(Layout layout) {
        var config = Flyway.configure();
        if (location instanceof DatabaseLocation.Postgres p) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(p.jdbcUrl());
            for (var property : p.properties().entrySet()) {
                try {
                    ds.setProperty(property.getKey(), property.getValue());
                } catch (SQLException e) {
                    throw new DatabaseException("GANTRY_DATABASE_URL: " + e.getMessage(), e);
                }
            }
            config.dataSource(ds).locations(LOCATION + Dialect.POSTGRESQL.migrations());
        } else {
            config.dataSource("jdbc:sqlite:" + dbFile.toAbsolutePath(), null, null)
                    .locations(SQLITE_LOCATION);
        }
        config
                .failOnMissingLocations(true)
                .validateMigrationNaming(true);
        if (layout.adoptAt != null) {
            config.baselineOnMigrate(true).baselineVersion(layout.adoptAt)
                    .baselineDescription("adopted from the reference implementation");
        }
        return config.load();
    }

    /** Whether the file is new, ours, or the reference's. */
    private record Layout(boolean empty, String adoptAt) {}

    private Layout inspect() {
        if (location instanceof DatabaseLocation.Postgres p) {
            return inspect(p);
        }
        Database.checkDirectory(dbFile);
        try (Connection c = Database.open(dbFile, false); Statement st = c.createStatement()) {
            boolean hasHistory = tableExists(st, "flyway_schema_history");
            boolean hasJobs = tableExists(st, "jobs");
            boolean empty = !hasJobs && !hasHistory;
            if (empty && hasAnyTable(st)) {
                throw new DatabaseException(dbFile + " holds tables but is neither a Gantry database nor one the"
                        + " reference implementation made; refusing to change it");
            }
            if (hasHistory || !hasJobs) {
                return new Layout(empty, null);
            }
            int userVersion;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                userVersion = rs.next() ? rs.getInt(1) : 0;
            }
            // the reference's schema.sql is version 1 even where user_version was never set
            return new Layout(false, String.valueOf(Math.max(userVersion, 1)));
        } catch (SQLException e) {
            throw new DatabaseException("cannot read database " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** A PostgreSQL database is new or Gantry's: the reference never ran on PostgreSQL, there is nothing to adopt. */
    private static Layout inspect(DatabaseLocation.Postgres p) {
        try (Connection c = PostgresDatabase.connect(p); Statement st = c.createStatement()) {
            boolean hasHistory;
            boolean hasAny;
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL,"
                    + " EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema())")) {
                rs.next();
                hasHistory = rs.getBoolean(1);
                hasAny = rs.getBoolean(2);
            }
            if (!hasHistory && hasAny) {
                throw new DatabaseException(p.describe() + " holds tables but is not a Gantry database; refusing to change it");
            }
            return new Layout(!hasHistory, null);
        } catch (SQLException e) {
            throw new DatabaseException("cannot connect to " + p.describe() + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasAnyTable(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM sqlite_master WHERE type='table' LIMIT 1")) {
            return rs.next();
        }
    }

    private static boolean tableExists(Statement st, String name) throws SQLException {
        try (ResultSet rs = st.executeQuery(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='" + name + "'")) {
            return rs.next();
        }
    }
}
