package org.spack.gantry.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tells a restore that a server holds the database: every server holds a shared lock on
 * {@code <DB_FILE>.serve-lock} while it runs (several may), a restore needs it exclusively.
 * The kernel drops the lock with the process, so a killed server leaves nothing stale.
 */
public final class ServeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    /** What a server on PostgreSQL holds: restore refuses there anyway, so there is nothing to guard. */
    public static final ServeLock NONE = new ServeLock(null, null);

    private ServeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static Path file(Path dbFile) {
        return dbFile.toAbsolutePath().resolveSibling(dbFile.getFileName() + ".serve-lock");
    }

    /** Held by {@code serve} for as long as it runs. */
    public static ServeLock forServing(Path dbFile) {
        Database.checkDirectory(dbFile);
        return acquire(dbFile, true);
    }

    /** Null when a server holds the database. */
    static ServeLock forRestoring(Path dbFile) {
        return acquire(dbFile, false);
    }

    private static ServeLock acquire(Path dbFile, boolean shared) {
        Path file = file(dbFile);
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                if (shared) {
                    throw new DatabaseException(dbFile + " is being restored; start the server when the restore is done");
                }
                return null;
            }
            return new ServeLock(ch, lock);
        } catch (IOException e) {
            throw new DatabaseException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (lock == null) return;
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // released with the channel anyway
        }
    }
}
