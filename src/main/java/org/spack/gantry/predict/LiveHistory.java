package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;
import org.spack.gantry.store.HistoryRow;
import org.spack.gantry.store.HistoryStore;
import org.spack.gantry.store.JobChanges;
import org.spack.gantry.store.JobCommitListener;
import org.spack.gantry.store.JobRow;
import org.spack.gantry.worker.Worker;

/**
 * Keeps a {@link HistoryIndex} equal to the jobs table, so that answering needs no SQL.
 * Loads it in the background; then the server's own commits are told ({@link #committed},
 * right after the commit returns: the package is marked and read again on this class's
 * thread, and until then {@link #current} says its answers must come from the database),
 * and other processes' commits are learnt
 * from the database's {@link JobChanges}: on SQLite {@code PRAGMA data_version} every
 * {@link #CHECK_MS} ms (a backfill, an operator's {@code sqlite3}); on PostgreSQL the other
 * hosts' notifications as they come, and a comparison of every package every few seconds
 * in case one was missed. A changed package is read again, which gives its rows' order.
 */
public final class LiveHistory implements JobCommitListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveHistory.class);
    static final long CHECK_MS = 200;
    /** The longest the load, or one look for changes, may take before the worker counts as stuck. */
    private static final Duration PATIENCE = Duration.ofMinutes(15);

    private final Database db;
    private final HistoryStore store;
    private final boolean idsFollowCommits;
    private final Object lock = new Object();
    private final Worker worker;
    /** Packages this process committed a job of, not yet read again: each with the commit's sequence number. */
    private final Map<String, Long> committedHere = new ConcurrentHashMap<>();
    private final AtomicLong commits = new AtomicLong();
    private Thread thread;
    private volatile JobChanges changes;
    private long lastId; // guarded by lock: every job up to it is in the index (where ids follow commits)
    private volatile HistoryIndex index;
    private volatile boolean closed;

    public LiveHistory(Database db, Worker worker) {
        this.db = db;
        this.store = db.historyStore();
        this.idsFollowCommits = db.dialect().idsFollowCommits();
        this.worker = worker;
    }

    /** Starts loading, then following, on the worker's thread. */
    public LiveHistory start() {
        thread = worker.start("history-index", PATIENCE, this::run);
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
            if (changes == null) {
                changes = db.jobChanges();
                try {
                    changes.await(0); // the baseline: a commit after this look is seen by the next one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<HistoryRow> rows = db.read(c -> {
                lastId = store.lastId(c);
                return store.all(c);
            });
            index = HistoryIndex.of(rows);
            // at the level of "gantry listening": the moment allocations come from memory
            log.info("history index loaded: {} develop jobs of {} packages in {} ms", rows.size(),
                    index.packageCount(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            return index;
        }
    }

    /**
     * Marks the package of a job this process just committed, for the history thread to read
     * again: the collecting thread does no more than that.
     */
    @Override
    public void committed(long id, JobRow row) {
        if (!"develop".equals(row.ref())) return;
        HistoryIndex current = index;
        if (current == null || closed || idsFollowCommits && current.lastId(row.pkgName()) >= id) return;
        committedHere.put(row.pkgName(), commits.incrementAndGet());
    }

    /**
     * Whether the index holds every job of the package this process committed; false for
     * the moment between such a commit and the history thread reading the package again,
     * when only the database answers exactly.
     */
    public boolean current(String pkgName) {
        return !committedHere.containsKey(pkgName);
    }

    /** Reads again each package this process committed to; one that fails stays marked, for the next look. */
    void readCommittedHere() {
        for (Map.Entry<String, Long> e : committedHere.entrySet()) {
            synchronized (lock) {
                reread(index, e.getKey());
            }
            // a commit during the read marked it again, with a newer number: read it once more next time
            committedHere.remove(e.getKey(), e.getValue());
        }
    }

    /** Reads every package other connections changed since the last look; how many. */
    public int catchUp() {
        synchronized (lock) {
            HistoryIndex current = index;
            if (current == null) return 0;
            return db.read(c -> idsFollowCommits ? readAfterLastId(c, current) : readChangedStates(c, current));
        }
    }

    /** Where one writer commits at a time, a job committed since the last look has a higher id. */
    private int readAfterLastId(Connection c, HistoryIndex current) throws SQLException {
        Map<String, Long> added = store.packagesAfter(c, lastId);
        int read = 0;
        long last = lastId;
        for (Map.Entry<String, Long> e : added.entrySet()) {
            last = Math.max(last, e.getValue());
            if (current.lastId(e.getKey()) < e.getValue()) {
                current.replace(e.getKey(), store.ofPackage(c, e.getKey()));
                read++;
            }
        }
        lastId = last;
        return read;
    }

    /** Where several hosts commit, ids say nothing of order: each package's count and highest id are compared. */
    private int readChangedStates(Connection c, HistoryIndex current) throws SQLException {
        int read = 0;
        for (Map.Entry<String, HistoryStore.PackageState> e : store.packageStates(c).entrySet()) {
            if (!current.holds(e.getKey(), e.getValue())) {
                current.replace(e.getKey(), store.ofPackage(c, e.getKey()));
                read++;
            }
        }
        return read;
    }

    private void reread(HistoryIndex current, String pkgName) {
        current.replace(pkgName, db.read(c -> store.ofPackage(c, pkgName)));
    }

    private void follow(JobChanges.Changes what) {
        if (what instanceof JobChanges.Packages named) {
            synchronized (lock) {
                for (String pkgName : named.names()) reread(index, pkgName);
            }
        } else if (what instanceof JobChanges.Unknown) {
            catchUp();
        }
    }

    private void run() {
        try {
            load();
        } catch (RuntimeException e) {
            // the worker logs it, with its stack trace, and shows itself dead
            throw new IllegalStateException("history index not loaded; allocations stay with the reference queries", e);
        }
        while (!closed) {
            worker.progressed(Duration.ofMillis(CHECK_MS).plus(PATIENCE));
            try {
                readCommittedHere();
                follow(changes.await(CHECK_MS));
            } catch (InterruptedException e) {
                return;
            } catch (DatabaseException e) {
                log.warn("history index: cannot look for new jobs: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.error("history index: unexpected error while looking for new jobs", e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.stopping();
        if (thread != null) thread.interrupt();
        JobChanges c = changes;
        if (c != null) {
            c.close();
        }
    }
}
