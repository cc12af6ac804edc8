package org.spack.gantry.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistent copies of a live database with {@code VACUUM INTO} (a file copy could catch a
 * half-written page or miss what is still in the WAL). Every copy is written under a
 * temporary name, passes {@code PRAGMA integrity_check}, reaches the disk, and only then
 * takes its final name: a file under a backup's name is always a whole, checked backup.
 */
public final class Backup {
    private static final Logger log = LoggerFactory.getLogger(Backup.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** What {@link #scheduled} writes, and the only files its retention removes. */
    private static final Pattern SCHEDULED = Pattern.compile("gantry-\\d{8}T\\d{6}\\.\\d{3}Z\\.db");
    /** Every finished backup: scheduled, before a migration, before a restore. */
    private static final Pattern ANY_BACKUP = Pattern.compile("gantry-.*\\.db");

    private final Path dbFile;
    private final Path backupDir;
    private final Clock clock;

    public Backup(Path dbFile, Path backupDir, Clock clock) {
        this.dbFile = dbFile;
        this.backupDir = backupDir;
        this.clock = clock;
    }

    /** A finished backup file: when it was written and how big it is. */
    public record Found(Path file, FileTime written, long bytes) {}

    /** The newest finished backup in {@code dir}, if any (for /metrics: "no backup for 3 hours"). */
    public static Optional<Found> newest(Path dir) {
        return list(dir, ANY_BACKUP).stream().max(Comparator.comparing(Found::written));
    }

    public Path beforeMigration(String schemaVersion) {
        Path target = stamped("-schema" + schemaVersion);
        copyTo(target);
        log.info("backed up {} to {} before migrating", dbFile, target);
        return target;
    }

    public Path beforeRestore() {
        Path target = stamped("-before-restore");
        copyTo(target);
        return target;
    }

    /**
     * A backup into the backup directory, then retention: of the scheduled backups, the
     * newest {@code keep} stay and the oldest go (other backups are never removed here).
     */
    public Path scheduled(int keep) {
        Path target = stamped("");
        copyTo(target);
        List<Found> scheduled = new ArrayList<>(list(backupDir, SCHEDULED));
        // the names carry the time, so the name order is the age order
        scheduled.sort(Comparator.comparing(f -> f.file().getFileName().toString()));
        for (int i = 0; i < scheduled.size() - keep; i++) {
            Path old = scheduled.get(i).file();
            try {
                Files.deleteIfExists(old);
                log.info("removed the old backup {} (keeping {})", old, keep);
            } catch (IOException e) {
                log.warn("cannot remove the old backup {}: {}", old, e.getMessage());
            }
        }
        return target;
    }

    private Path stamped(String suffix) {
        try {
            Files.createDirectories(backupDir);
        } catch (IOException e) {
            throw new DatabaseException("cannot create backup directory " + backupDir + ": " + e.getMessage(), e);
        }
        return backupDir.resolve("gantry-" + STAMP.format(clock.instant()) + suffix + ".db");
    }

    /** Writes a consistent, checked copy to {@code target}, which must not exist yet. */
    public void copyTo(Path target) {
        if (!Files.exists(dbFile)) {
            throw new DatabaseException("database " + dbFile + " does not exist");
        }
        copy(dbFile, target);
    }

    /** Copies {@code source} to {@code target} through a temporary sibling: vacuumed into it, checked, synced, then renamed. */
    private static void copy(Path source, Path target) {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute)) {
            throw new DatabaseException("backup target " + absolute + " already exists");
        }
        if (!Files.isDirectory(absolute.getParent())) {
            throw new DatabaseException("backup directory " + absolute.getParent() + " does not exist");
        }
        Path partial = absolute.resolveSibling("." + absolute.getFileName() + ".partial");
        deleteTemporary(partial);
        try {
            try (Connection c = Database.open(source, false);
                    PreparedStatement st = c.prepareStatement("VACUUM INTO ?")) {
                st.setString(1, partial.toString());
                st.execute();
            }
            String check = integrityCheck(partial);
            if (!"ok".equals(check)) {
                throw new DatabaseException("the copy of " + source + " fails PRAGMA integrity_check: " + check);
            }
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            moveAtomically(partial, absolute);
        } catch (SQLException | IOException e) {
            throw new DatabaseException("backup to " + absolute + " failed: " + e.getMessage(), e);
        } finally {
            deleteTemporary(partial);
        }
    }

    /**
     * Removes the temporary copy and whatever SQLite left beside it: VACUUM INTO writes the
     * copy with a rollback journal, which a failed copy (a full disk) leaves behind.
     */
    private static void deleteTemporary(Path partial) {
        for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
            Path f = partial.resolveSibling(partial.getFileName() + suffix);
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                log.warn("cannot remove the temporary file {}: {}", f, e.getMessage());
            }
        }
    }

    /** {@code ok}, or the first problem {@code PRAGMA integrity_check} reports. */
    private static String integrityCheck(Path file) throws SQLException {
        try (Connection c = Database.open(file, true);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            return rs.next() ? rs.getString(1) : "no answer";
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically: " + e.getMessage(), e);
        }
        // the rename itself reaches the disk with the directory
        try (FileChannel dir = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // not every file system syncs a directory; the rename is done
        }
    }

    private static List<Found> list(Path dir, Pattern names) {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) return found;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (!names.matcher(f.getFileName().toString()).matches() || !Files.isRegularFile(f)) continue;
                found.add(new Found(f, Files.getLastModifiedTime(f), Files.size(f)));
            }
        } catch (IOException e) {
            log.warn("cannot list the backups in {}: {}", dir, e.getMessage());
        }
        return found;
    }
}
