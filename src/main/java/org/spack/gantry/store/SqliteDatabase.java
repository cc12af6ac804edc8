package org.spack.gantry.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite file: one writer connection, used under a lock, and a small pool of
 * read-only connections, so that reads never wait for a write (WAL mode).
 */
final class SqliteDatabase implements Database {
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private final Path file;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final BlockingQueue<Connection> readers;
    private final List<Connection> allReaders = new ArrayList<>();

    private SqliteDatabase(Path file, int readerCount) throws SQLException {
        this.file = file;
        this.writer = connect(file, false);
        this.readers = new ArrayBlockingQueue<>(readerCount);
        for (int i = 0; i < readerCount; i++) {
            Connection c = connect(file, true);
            allReaders.add(c);
            readers.add(c);
        }
    }

    /** Opens (and creates) the database; its directory must already exist. */
    static SqliteDatabase open(Path file, int readerCount) {
        checkDirectory(file);
        try {
            return new SqliteDatabase(file, readerCount);
        } catch (SQLException e) {
            throw new DatabaseException("cannot open database " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts loading SQLite's native library and driver on a thread of its own: a couple
     * of hundred milliseconds (extracting the library, probing the system) that overlap
     * with parsing the command line. Call it once logging is configured, since the driver
     * logs. Errors surface at the first open.
     */
    static void loadNativeLibraryInBackground() {
        Thread t = new Thread(() -> {
            try {
                org.sqlite.SQLiteJDBCLoader.initialize();
                new SQLiteConfig().createConnection("jdbc:sqlite::memory:").close();
            } catch (Exception | LinkageError ignored) {
                // reported by the first connection, with the database's name
            }
        }, "sqlite-load");
        t.setDaemon(true);
        t.start();
    }

    static void checkDirectory(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new DatabaseException("database directory " + dir + " does not exist (DB_FILE=" + file + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new DatabaseException("database directory " + dir + " is not writable (DB_FILE=" + file + ")");
        }
    }

    /** A plain connection with the project's settings, for tools such as migrations and backups. */
    static Connection connect(Path file, boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        // FULL: an acknowledged webhook must survive a power cut, not only a crash
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        if (readOnly) {
            config.setReadOnly(true);
        } else {
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // a transaction that reads then writes takes the write lock first: begun DEFERRED it
            // fails at once with SQLITE_BUSY when another process committed in between, busy timeout or not
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        }
        return config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    @Override
    public String describe() {
        return "sqlite " + file.toAbsolutePath();
    }

    @Override
    public JobChanges jobChanges() {
        try {
            return new SqliteJobChanges(connect(file, true));
        } catch (SQLException e) {
            throw new DatabaseException("cannot open database " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean reachable() {
        try {
            return read(c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
        } catch (DatabaseException e) {
            return false;
        }
    }

    @Override
    public <T> T read(SqlFunction<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseException("interrupted while waiting for a database connection", e);
        }
        try {
            return work.apply(c);
        } catch (SQLException e) {
            throw new DatabaseException("database read failed: " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public <T> T write(SqlFunction<T> work) {
        writeLock.lock();
        try {
            writer.setAutoCommit(false);
            try {
                T result = work.apply(writer);
                writer.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                // SQLite ends the transaction by itself after some failures (a full disk, an I/O
                // error); the rollback then fails too, and must not hide why
                try {
                    writer.rollback();
                } catch (SQLException alreadyRolledBack) {
                    e.addSuppressed(alreadyRolledBack);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new DatabaseException("database write failed: " + e.getMessage(), e);
        } finally {
            resetAutoCommit();
            writeLock.unlock();
        }
    }

    /** Leaves the writer in auto-commit mode, the state every write starts from. */
    private void resetAutoCommit() {
        try {
            writer.setAutoCommit(true);
        } catch (SQLException e) {
            // the driver records the mode before it runs COMMIT: when that COMMIT fails there
            // was no transaction left to end, and the mode is already right
        }
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            for (Connection c : allReaders) {
                closeQuietly(c);
            }
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing on shutdown: nothing left to do with the error
        }
    }
}
