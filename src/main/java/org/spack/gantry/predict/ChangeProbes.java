package org.spack.gantry.predict;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.spack.gantry.store.Database;
import org.spack.gantry.store.DatabaseException;

/**
 * Tells whether anything was committed to the database since the last look, with
 * {@code PRAGMA data_version} (about a microsecond, no disk access). It sees the
 * commits of every connection: the collection workers' and those of other processes
 * (a second Gantry, an operator's {@code sqlite3}). Each probe is a read-only
 * connection of its own, taken by one thread at a time.
 */
final class ChangeProbes implements AutoCloseable {
    private final Path file;
    private final ConcurrentLinkedQueue<Probe> idle = new ConcurrentLinkedQueue<>();
    private final List<Probe> all = new ArrayList<>(); // guarded by itself

    ChangeProbes(Path file) {
        this.file = file;
    }

    /** One connection and the data version it saw last. */
    final class Probe {
        private final Connection connection;
        private final PreparedStatement dataVersion;
        private long lastSeen = -1;

        private Probe() throws SQLException {
            connection = Database.open(file, true);
            dataVersion = connection.prepareStatement("PRAGMA data_version");
        }

        /** True when something was committed since this probe last looked (and on its first look). */
        boolean changed() throws SQLException {
            long v;
            try (ResultSet rs = dataVersion.executeQuery()) {
                rs.next();
                v = rs.getLong(1);
            }
            boolean changed = v != lastSeen;
            lastSeen = v;
            return changed;
        }

        Connection connection() {
            return connection;
        }
    }

    interface ProbeWork<T> {
        T apply(Probe probe) throws SQLException;
    }

    <T> T with(ProbeWork<T> work) {
        Probe p = idle.poll();
        try {
            if (p == null) {
                p = new Probe();
                synchronized (all) {
                    all.add(p);
                }
            }
            return work.apply(p);
        } catch (SQLException e) {
            throw new DatabaseException("database read failed: " + e.getMessage(), e);
        } finally {
            if (p != null) idle.add(p);
        }
    }

    @Override
    public void close() {
        synchronized (all) {
            for (Probe p : all) {
                try {
                    p.connection.close();
                } catch (SQLException ignored) {
                    // shutting down
                }
            }
            all.clear();
        }
    }
}
