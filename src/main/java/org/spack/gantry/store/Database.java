package org.spack.gantry.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where Gantry's tables live: the embedded SQLite file (the default), or a PostgreSQL
 * database that several {@code serve} processes share. Every read and write goes through
 * it, in a transaction of its own; the SQL is the store's classes', one per table.
 */
public interface Database extends AutoCloseable {
    /** Runs the work on a connection for reading. */
    <T> T read(SqlFunction<T> work);

    /** Runs the work in one transaction: all of it is committed, or none. */
    <T> T write(SqlFunction<T> work);

    Dialect dialect();

    /** Which database, for logs and {@code /healthz}: {@code sqlite /path} or {@code postgresql //host:port/db}; no password. */
    String describe();

    /** Whether it answers a query now. */
    boolean reachable();

    /** What other processes commit to {@code jobs}, seen on a connection of its own. */
    JobChanges jobChanges();

    /**
     * A role that one host holds at a time, named by a number that every release uses for it
     * (on PostgreSQL an advisory lock key).
     */
    default HostLock hostLock(long key) {
        return HostLock.ALWAYS_HELD;
    }

    @Override
    void close();

    /** The SQL that reads the develop history for the in-memory index. */
    default HistoryStore historyStore() {
        return new HistoryStore(dialect());
    }

    /** The reference's sample queries, each returning at most {@code limit} rows. */
    default ReferenceQueries referenceQueries(int limit) {
        return new ReferenceQueries(dialect(), limit);
    }

    /** Opens the database the setting names, with {@code readers} connections for reading. */
    static Database open(DatabaseLocation location, int readers) {
        if (location instanceof DatabaseLocation.Postgres p) {
            return PostgresDatabase.open(p, readers);
        }
        return SqliteDatabase.open(((DatabaseLocation.SqliteFile) location).file(), readers);
    }

    /** Opens (and creates) a SQLite file; its directory must already exist. */
    static Database open(Path file, int readers) {
        return SqliteDatabase.open(file, readers);
    }

    /** A plain connection to a SQLite file with the project's settings, for tools such as migrations and backups. */
    static Connection open(Path file, boolean readOnly) throws SQLException {
        return SqliteDatabase.connect(file, readOnly);
    }

    /** Fails with one line when the SQLite file's directory is missing or not writable. */
    static void checkDirectory(Path file) {
        SqliteDatabase.checkDirectory(file);
    }

    /** Starts loading SQLite's native library on a thread of its own (see {@link SqliteDatabase}). */
    static void loadNativeLibraryInBackground() {
        SqliteDatabase.loadNativeLibraryInBackground();
    }
}
