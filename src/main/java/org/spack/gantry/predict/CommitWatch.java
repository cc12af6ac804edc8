package org.spack.gantry.predict;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Answers "was anything committed to the database since the last look?" for every
 * request, in nanoseconds. A WAL database keeps, at the start of its {@code -shm}
 * file, the wal-index header (https://www.sqlite.org/walformat.html): every commit,
 * by any connection of any process, rewrites it (a frame count, a change counter,
 * salts that change when the log restarts), so equal bytes mean no commit in between.
 * Reading them from a read-only mapping costs no system call, where
 * {@code PRAGMA data_version} costs a read transaction and its file locks (measured:
 * a third of the throughput). Without a usable {@code -shm} (not WAL mode) it asks
 * {@code PRAGMA data_version} instead.
 *
 * <p>The mapping is read only while this process keeps connections open: SQLite
 * truncates the file only when a connection opens with no other connection present.
 */
final class CommitWatch implements AutoCloseable {
    /** The first copy of the header: 48 bytes. */
    private static final int HEADER_LONGS = 6;

    private final MappedByteBuffer header;
    private final ChangeProbes fallback;
    private volatile long[] seen;
    private volatile boolean closed;

    private CommitWatch(MappedByteBuffer header, ChangeProbes fallback) {
        this.header = header;
        this.fallback = fallback;
    }

    /** Watches the database that {@code c} (an open connection, kept open by the caller) belongs to. */
    static CommitWatch of(Path dbFile, Connection c, ChangeProbes fallback) throws SQLException {
        return new CommitWatch(mapHeader(dbFile, c), fallback);
    }

    private static MappedByteBuffer mapHeader(Path dbFile, Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) return null;
        }
        Path shm = Path.of(dbFile.toAbsolutePath() + "-shm");
        try (FileChannel ch = FileChannel.open(shm, StandardOpenOption.READ)) {
            if (ch.size() < HEADER_LONGS * Long.BYTES) return null;
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_LONGS * Long.BYTES);
            m.order(ByteOrder.nativeOrder());
            return m;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Whether the fast way is in use (a WAL database with its {@code -shm} file). */
    boolean readsWalIndex() {
        return header != null;
    }

    /**
     * True when something may have been committed since the previous call (and on the
     * first call). The caller then reads what is new; a commit during that read shows
     * at the next call, because the header is taken before.
     */
    boolean changedSinceLastLook() {
        if (header == null || closed) {
            return fallback.with(ChangeProbes.Probe::changed);
        }
        long[] before = seen;
        if (before != null && sameHeader(before)) {
            return false;
        }
        long[] now = new long[HEADER_LONGS];
        for (int i = 0; i < HEADER_LONGS; i++) {
            now[i] = header.getLong(i * Long.BYTES);
        }
        seen = now;
        return true;
    }

    private boolean sameHeader(long[] before) {
        for (int i = 0; i < HEADER_LONGS; i++) {
            if (header.getLong(i * Long.BYTES) != before[i]) return false;
        }
        return true;
    }

    @Override
    public void close() {
        closed = true;
    }
}
