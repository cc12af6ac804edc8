package org.spack.gantry.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * Puts a backup in the database's place: the backup is checked first (integrity, schema),
 * the current database is kept as a backup, and the swap is one rename, so DB_FILE is
 * always either the old database or the whole restored one.
 */
public final class Restore {
    private final Path dbFile;
    private final Backup backup;

    public Restore(Path dbFile, Backup backup) {
        this.dbFile = dbFile.toAbsolutePath();
        this.backup = backup;
    }

    /** What a restore did: the database kept aside (null when there was none) and the rows restored. */
    public record Result(Path keptAs, long jobs, long nodes) {}

    public Result from(Path file, boolean force) {
        Path source = file.toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            throw new DatabaseException("backup " + source + " does not exist");
        }
        long[] rows = check(source);
        Database.checkDirectory(dbFile);
        try (ServeLock lock = ServeLock.forRestoring(dbFile)) {
            if (lock == null && !force) {
                throw new DatabaseException("a server holds " + dbFile + ": stop it first (systemctl stop gantry),"
                        + " or restore anyway with --force and restart it at once");
            }
            Path kept = Files.exists(dbFile) ? backup.beforeRestore() : null;
            Path incoming = dbFile.resolveSibling("." + dbFile.getFileName() + ".restoring");
            Files.deleteIfExists(incoming);
            Backup.copy(source, true, incoming);
            // a WAL left by the old database must not be replayed onto the restored one
            if (kept != null) {
                try (Connection c = Database.open(dbFile, false); Statement st = c.createStatement()) {
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
            }
            Backup.moveAtomically(incoming, dbFile);
            Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + "-wal"));
            Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + "-shm"));
            return new Result(kept, rows[0], rows[1]);
        } catch (SQLException | IOException e) {
            throw new DatabaseException("restore of " + dbFile + " from " + source + " failed: " + e.getMessage(), e);
        }
    }

    /** The backup's jobs and nodes counts, once it passed the integrity check and has Gantry's tables. */
    private static long[] check(Path source) {
        try {
            String integrity = Backup.integrityCheck(source);
            if (!"ok".equals(integrity)) {
                throw new DatabaseException(source + " fails PRAGMA integrity_check: " + integrity);
            }
            try (Connection c = Database.open(source, true); Statement st = c.createStatement()) {
                Set<String> tables = new HashSet<>();
                try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                    while (rs.next()) tables.add(rs.getString(1));
                }
                if (!tables.containsAll(Set.of("jobs", "nodes"))) {
                    throw new DatabaseException(source + " is not a Gantry database (no jobs and nodes tables)");
                }
                return new long[] {count(st, "jobs"), count(st, "nodes")};
            }
        } catch (SQLException e) {
            throw new DatabaseException(source + " is not a readable SQLite database: " + e.getMessage(), e);
        }
    }

    private static long count(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
