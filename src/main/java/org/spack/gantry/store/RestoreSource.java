package org.spack.gantry.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * A file offered to {@code restore}, read without being changed: it must be a regular
 * file holding an SQLite database that passes {@code PRAGMA integrity_check}, with a schema
 * this release has and every table and column of that schema. Its directory may be
 * read-only: a database in WAL mode with no {@code -wal} file beside it is read as
 * immutable, since there is no log to replay and SQLite could not create its shared-memory
 * file there.
 */
final class RestoreSource {
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final int WAL_FORMAT = 2;

    private final Path file;
    private final boolean immutable;

    private RestoreSource(Path file, boolean immutable) {
        this.file = file;
        this.immutable = immutable;
    }

    /** What was checked: the schema version and the rows the restored database will hold. */
    record Checked(String schemaVersion, long jobs, long nodes) {}

    /** The file, once it is known to be a regular file that begins as an SQLite database does. */
    static RestoreSource at(Path path) {
        Path file = path.toAbsolutePath();
        if (!Files.exists(file)) throw new DatabaseException("backup " + file + " does not exist");
        if (Files.isDirectory(file)) throw new DatabaseException("backup " + file + " is a directory, not a file");
        if (!Files.isRegularFile(file)) throw new DatabaseException("backup " + file + " is " + FileKind.of(file));
        byte[] start = new byte[100];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(start, 0, start.length);
        } catch (IOException e) {
            throw new DatabaseException("cannot read backup " + file + ": " + e.getMessage(), e);
        }
        if (read == 0) throw new DatabaseException("backup " + file + " is empty");
        if (read < start.length || !Arrays.equals(start, 0, HEADER.length, HEADER, 0, HEADER.length)) {
            throw new DatabaseException("backup " + file + " is not an SQLite database (it does not begin with SQLite's header)");
        }
        boolean walFormat = start[18] == WAL_FORMAT && start[19] == WAL_FORMAT;
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return new RestoreSource(file, walFormat && !Files.exists(wal));
    }

    Path file() {
        return file;
    }

    /** The URI SQLite opens it by, read-only. */
    String uri() {
        return file.toUri() + (immutable ? "?mode=ro&immutable=1" : "?mode=ro");
    }

    /**
     * Checks it as a restore must: whole, of a schema this release has (not a newer one),
     * with that schema's tables and columns.
     */
    Checked check() {
        try (Connection c = open(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                String result = rs.next() ? rs.getString(1) : "no answer";
                if (!"ok".equals(result)) {
                    throw new DatabaseException("backup " + file + " fails PRAGMA integrity_check: " + result);
                }
            }
            String version = checkSchema(SchemaRecord.read(c, "main"));
            return new Checked(version, count(st, "jobs"), count(st, "nodes"));
        } catch (SQLException e) {
            throw new DatabaseException("cannot read backup " + file + ": " + e.getMessage(), e);
        }
    }

    private String checkSchema(SchemaRecord schema) {
        if (!schema.failed().isEmpty()) {
            throw new DatabaseException("backup " + file + " records a failed migration (version "
                    + String.join(", ", schema.failed()) + "): it is not a consistent Gantry database");
        }
        String version = schema.version();
        if (version == null) {
            throw new DatabaseException("backup " + file + " is not a Gantry database: it has no jobs table and no"
                    + " Flyway history");
        }
        ReleaseSchema.Expected expected = ReleaseSchema.at(version);
        for (String applied : schema.applied()) {
            if (!expected.versions().contains(applied)) {
                throw new DatabaseException("backup " + file + " has schema version " + applied + ", which this release"
                        + " does not have (it knows " + String.join(", ", expected.versions()) + "): a newer release"
                        + " wrote it; restore it with that release");
            }
        }
        if (expected.columns().isEmpty()) {
            // a database the reference made, with a user_version beyond this release's
            throw new DatabaseException("backup " + file + " has schema version " + version + " (PRAGMA user_version),"
                    + " newer than this release's " + expected.newest());
        }
        for (Map.Entry<String, Set<String>> table : expected.columns().entrySet()) {
            Set<String> present = schema.columns().get(table.getKey());
            if (present == null) {
                throw new DatabaseException("backup " + file + " is not a Gantry database of schema version " + version
                        + ": it has no table " + table.getKey());
            }
            Set<String> missing = new TreeSet<>(table.getValue());
            missing.removeAll(present);
            if (!missing.isEmpty()) {
                throw new DatabaseException("backup " + file + " is not a Gantry database of schema version " + version
                        + ": table " + table.getKey() + " lacks the column(s) " + some(missing));
            }
        }
        return version;
    }

    /** The first few names, and how many more: one line, however many are missing. */
    private static String some(Set<String> names) {
        List<String> all = List.copyOf(names);
        return all.size() <= 5 ? String.join(", ", all)
                : String.join(", ", all.subList(0, 5)) + " and " + (all.size() - 5) + " more";
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.OPEN_URI);
        return config.createConnection("jdbc:sqlite:" + uri());
    }

    private static long count(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** What a path that is not a regular file is, in an operator's words. */
    private static final class FileKind {
        private static final int TYPE_MASK = 0170000;

        static String of(Path p) {
            int mode;
            try {
                mode = (Integer) Files.getAttribute(p, "unix:mode");
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return "not a regular file";
            }
            return switch (mode & TYPE_MASK) {
                case 0010000 -> "a FIFO (named pipe), not a database file";
                case 0020000 -> "a character device, not a database file";
                case 0060000 -> "a block device, not a database file";
                case 0140000 -> "a socket, not a database file";
                default -> "not a regular file";
            };
        }
    }
}
