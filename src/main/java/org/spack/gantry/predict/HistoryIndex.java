package org.spack.gantry.predict;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every {@code develop} job, by package, in memory. Jobs are only ever added (Gantry
 * never deletes one), so the index follows the table by reading the rows whose id is
 * above the last one read: SQLite has one writer at a time, so a row that is visible
 * never appears below a row already read.
 */
final class HistoryIndex {
    private final HistoryFeed feed = new HistoryFeed();
    private final Map<String, PackageHistory> packages = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private long lastId; // guarded by lock
    private long versions; // guarded by lock: numbers each state of a package

    /** Reads the jobs stored since the last call: all of them the first time. Returns how many. */
    int catchUp(Connection c) throws SQLException {
        lock.lock();
        try {
            HistoryFeed.Batch batch = feed.after(c, lastId);
            Map<String, List<IndexedJob>> byPackage = new HashMap<>();
            for (IndexedJob j : batch.jobs()) {
                byPackage.computeIfAbsent(j.pkgName(), k -> new ArrayList<>()).add(j);
            }
            for (String name : batch.needDatabase()) {
                packages.put(name, PackageHistory.NEEDS_DATABASE);
            }
            byPackage.forEach((name, jobs) -> packages.compute(name,
                    (k, old) -> old == null ? PackageHistory.of(jobs, ++versions) : old.plus(jobs, ++versions)));
            lastId = batch.lastId();
            return batch.jobs().size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The package's history, {@link PackageHistory#NEEDS_DATABASE} when it has a row
     * the index does not model, or null when it has no develop job.
     */
    PackageHistory get(String pkgName) {
        return packages.get(pkgName);
    }

    int packageCount() {
        return packages.size();
    }
}
