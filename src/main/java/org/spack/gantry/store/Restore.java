package org.spack.gantry.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Puts a backup in the database's place. The backup is checked first (integrity, a schema
 * this release has, its tables and columns). Then, in one write transaction on the
 * database file itself, the current database is kept as a backup and its content replaced
 * by the backup's. {@code DB_FILE} is always the old database or the whole restored one,
 * and it stays the same file: a server beside the restore ({@code --force}) waits for the
 * transaction, then writes into the restored content. It never writes into a file that is
 * no longer the database, so nothing it acknowledges is lost.
 */
public final class Restore {
    private static final String SOURCE = "restored";

    private final Path dbFile;
    private final Backup backup;

    public Restore(Path dbFile, Backup backup) {
        this.dbFile = dbFile.toAbsolutePath();
        this.backup = backup;
    }

    /**
     * What a restore did.
     *
     * @param keptAs the database as it was, kept aside; null when there was none
     * @param besideServer a server held the database ({@code --force}): it must be restarted
     *     to read the restored history into memory
     */
    public record Result(Path keptAs, long jobs, long nodes, boolean besideServer) {}

    public Result from(Path file, boolean force) {
        RestoreSource source = RestoreSource.at(file);
        if (sameFile(dbFile.toString(), source.file())) {
            throw new DatabaseException("backup " + source.file() + " is the database itself");
        }
        RestoreSource.Checked checked = source.check();
        Database.checkDirectory(dbFile);
        try (ServeLock lock = ServeLock.forRestoring(dbFile)) {
            boolean served = lock == null;
            if (served && !force) {
                throw new DatabaseException("a server holds " + dbFile + ": stop it first (systemctl stop gantry),"
                        + " or restore anyway with --force and restart it at once");
            }
            return replace(source, checked, served);
        }
    }

    private Result replace(RestoreSource source, RestoreSource.Checked checked, boolean served) {
        boolean existed = Files.exists(dbFile);
        try (Connection c = Database.open(dbFile, false); Statement st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = OFF");
            attach(c, source);
            // the write lock, held to the end: a server's writes wait for it (its busy timeout)
            st.execute("BEGIN IMMEDIATE");
            Path kept = null;
            try {
                kept = keepCurrent(c, existed, checked, served);
                ContentSwap.replace(c, SOURCE);
                long jobs = count(st, "jobs");
                long nodes = count(st, "nodes");
                if (jobs != checked.jobs() || nodes != checked.nodes()) {
                    throw new DatabaseException("the restored database would hold " + jobs + " jobs and " + nodes
                            + " nodes, the backup holds " + checked.jobs() + " and " + checked.nodes());
                }
            } catch (SQLException | RuntimeException e) {
                rollback(st, e);
                // the database stays as it was: its copy only takes room (on a full disk, room needed)
                deleteQuietly(kept, e);
                throw asItWas(source, e);
            }
            try {
                st.execute("COMMIT");
            } catch (SQLException e) {
                throw new DatabaseException("restore of " + dbFile + " from " + source.file() + " failed while committing ("
                        + e.getMessage() + "); check it with gantry info" + (kept == null ? "" : "; it was kept as " + kept), e);
            }
            return new Result(kept, checked.jobs(), checked.nodes(), served);
        } catch (SQLException e) {
            throw asItWas(source, e);
        }
    }

    /** Attaches the backup read-only by its URI, and makes sure SQLite opened that very file. */
    private static void attach(Connection c, RestoreSource source) throws SQLException {
        try (PreparedStatement attach = c.prepareStatement("ATTACH DATABASE ? AS " + SOURCE)) {
            attach.setString(1, source.uri());
            attach.execute();
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA database_list")) {
            while (rs.next()) {
                if (SOURCE.equals(rs.getString("name")) && sameFile(rs.getString("file"), source.file())) return;
            }
        }
        throw new SQLException("SQLite did not open " + source.uri() + " as " + source.file());
    }

    /**
     * Keeps the database as it is, under the restore's write lock: the copy holds every
     * commit before the restore, and no later one can exist. Null when there is nothing to keep.
     */
    private Path keepCurrent(Connection c, boolean existed, RestoreSource.Checked checked, boolean served) throws SQLException {
        SchemaRecord current = SchemaRecord.read(c, "main");
        if (served && !current.empty() && !checked.schemaVersion().equals(current.version())) {
            throw new DatabaseException("the backup has schema version " + checked.schemaVersion() + " and " + dbFile + " "
                    + current.version() + ": a running server cannot use it; stop the server (systemctl stop gantry),"
                    + " restore, and start it (it migrates the restored database)");
        }
        if (!existed || current.empty()) return null;
        try {
            return backup.beforeRestore();
        } catch (DatabaseException e) {
            throw new DatabaseException("nothing restored, " + dbFile + " is as it was: cannot keep a copy of it first: "
                    + e.getMessage(), e);
        }
    }

    private RuntimeException asItWas(RestoreSource source, Exception e) {
        if (e instanceof DatabaseException d) return d;
        return new DatabaseException("restore of " + dbFile + " from " + source.file() + " failed, the database is as it"
                + " was: " + e.getMessage(), e);
    }

    /** The same file, by device and inode: SQLite may name it by another path (symbolic links resolved). */
    private static boolean sameFile(String a, Path b) {
        try {
            return a != null && !a.isEmpty() && Files.isSameFile(Path.of(a), b);
        } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    private static void rollback(Statement st, Exception failure) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException alreadyEnded) {
            // SQLite ends the transaction itself after some failures (a full disk)
            failure.addSuppressed(alreadyEnded);
        }
    }

    private static void deleteQuietly(Path kept, Exception failure) {
        if (kept == null) return;
        try {
            Files.deleteIfExists(kept);
        } catch (java.io.IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static long count(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM main." + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
