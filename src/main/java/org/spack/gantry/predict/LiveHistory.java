package org.spack.gantry.predict;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobRow;

/**
 * Keeps a {@link HistoryIndex} equal to the jobs table, so that answering needs no SQL.
 * Loads it in the background; then the server's own commits are pushed ({@link
 * #committed}, right after the commit returns) and other processes' commits (a backfill,
 * an operator's {@code sqlite3}) are noticed by {@code PRAGMA data_version}, looked at
 * every {@link #CHECK_MS} ms on a connection of its own. A changed package is read again
 * from SQLite, which gives its rows' order.
 */
public final class LiveHistory implements JobCommitListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHistory.class);
    static final long CHECK_MS = 200;

    private final Path file;
    private final Object lock = new Object();
    private final Thread thread;
    private Connection connection; // guarded by lock
    private PreparedStatement dataVersion; // guarded by lock
    private long lastSeenVersion = -1; // guarded by lock
    private long lastId; // guarded by lock: every job up to it is in the index
    private volatile HistoryIndex index;
    private volatile boolean closed;

    public LiveHistory(Path file) {
        this.file = file;
        this.thread = new Thread(this::run, "history-index");
        thread.setDaemon(true);
    }

    /** Starts loading, then following, on a thread of its own. */
    public LiveHistory start() {
        thread.start();
        return this;
    }

    /** The index, or null until it is loaded. */
    public HistoryIndex index() {
        return index;
    }

    /** Loads the index on the calling thread (the background thread does it after {@link #start}). */
    public HistoryIndex load() {
        long started = System.nanoTime();
        synchronized (lock) {
            try {
                if (connection == null) {
                    connection = Database.open(file, true);
                    dataVersion = connection.prepareStatement("PRAGMA data_version");
                }
                changed(); // the baseline: a commit after this look is seen by the next one
                lastId = HistoryRows.lastId(connection);
                List<HistoryRow> rows = HistoryRows.all(connection);
                index = HistoryIndex.of(rows);
                // at the level of "gantry listening": the moment allocations come from memory
                log.info("history index loaded: {} develop jobs of {} packages in {} ms", rows.size(),
                        index.packageCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return index;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot load the history: " + e.getMessage(), e);
            }
        }
    }

    /** Reads the package again: the job this process just committed counts from the next request on. */
    @Override
    public void committed(long id, JobRow row) {
        if (!"develop".equals(row.ref())) return;
        synchronized (lock) {
            HistoryIndex current = index;
            if (current == null || connection == null || current.lastId(row.pkgName()) >= id) return;
            try {
                current.replace(row.pkgName(), HistoryRows.ofPackage(connection, row.pkgName()));
            } catch (SQLException e) {
                // the background check reads it again
                log.warn("history index: cannot read package {} after a commit: {}", row.pkgName(), e.getMessage());
            }
        }
    }

    /** Reads the packages other connections added jobs to since the last look; how many. */
    public int catchUp() throws SQLException {
        synchronized (lock) {
            HistoryIndex current = index;
            if (current == null || !changed()) return 0;
            Map<String, Long> added = HistoryRows.packagesAfter(connection, lastId);
            int read = 0;
            long last = lastId;
            for (Map.Entry<String, Long> e : added.entrySet()) {
                last = Math.max(last, e.getValue());
                if (current.lastId(e.getKey()) < e.getValue()) {
                    current.replace(e.getKey(), HistoryRows.ofPackage(connection, e.getKey()));
                    read++;
                }
            }
            lastId = last;
            return read;
        }
    }

    /** True when something was committed since the last look (and on the first look). */
    private boolean changed() throws SQLException {
        long v;
        try (ResultSet rs = dataVersion.executeQuery()) {
            rs.next();
            v = rs.getLong(1);
        }
        boolean changed = v != lastSeenVersion;
        lastSeenVersion = v;
        return changed;
    }

    private void run() {
        try {
            load();
        } catch (RuntimeException e) {
            log.error("history index not loaded; allocations stay with the reference queries", e);
            return;
        }
        while (!closed) {
            try {
                Thread.sleep(CHECK_MS);
                catchUp();
            } catch (InterruptedException e) {
                return;
            } catch (SQLException e) {
                log.warn("history index: cannot look for new jobs: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.error("history index: unexpected error while looking for new jobs", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        synchronized (lock) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // shutting down
                }
            }
        }
    }
}
