package org.spack.gantry.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistent copies of a live database with {@code VACUUM INTO}: a file copy could
 * catch a half-written page or miss what is still in the WAL.
 */
public final class Backup {
    private static final Logger log = LoggerFactory.getLogger(Backup.class);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dbFile;
    private final Path backupDir;
    private final Clock clock;

    public Backup(Path dbFile, Path backupDir, Clock clock) {
        this.dbFile = dbFile;
        this.backupDir = backupDir;
        this.clock = clock;
    }

    /** The default place for pre-migration backups: {@code backups/} beside the database. */
    public static Path defaultDirectory(Path dbFile) {
        return dbFile.toAbsolutePath().getParent().resolve("backups");
    }

    public Path beforeMigration(String schemaVersion) {
        try {
            Files.createDirectories(backupDir);
        } catch (IOException e) {
            throw new DatabaseException("cannot create backup directory " + backupDir + ": " + e.getMessage(), e);
        }
        Path target = backupDir.resolve("gantry-" + STAMP.format(clock.instant()) + "-schema" + schemaVersion + ".db");
        copyTo(target);
        log.warn("backed up {} to {} before migrating", dbFile, target);
        return target;
    }

    /** Writes a consistent copy to {@code target}, which must not exist yet. */
    public void copyTo(Path target) {
        Path absolute = target.toAbsolutePath();
        if (Files.exists(absolute)) {
            throw new DatabaseException("backup target " + absolute + " already exists");
        }
        if (!Files.isDirectory(absolute.getParent())) {
            throw new DatabaseException("backup directory " + absolute.getParent() + " does not exist");
        }
        if (!Files.exists(dbFile)) {
            throw new DatabaseException("database " + dbFile + " does not exist");
        }
        try (Connection c = Database.open(dbFile, false);
                PreparedStatement st = c.prepareStatement("VACUUM INTO ?")) {
            st.setString(1, absolute.toString());
            st.execute();
        } catch (SQLException e) {
            throw new DatabaseException("backup to " + absolute + " failed: " + e.getMessage(), e);
        }
    }
}
